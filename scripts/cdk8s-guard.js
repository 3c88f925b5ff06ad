#!/usr/bin/env node
// `npx cdk8s`, with one guard: before `cdk8s synth` deletes its output directory (the cdk8s CLI
// removes it recursively before it runs the app), ask the app whether that directory holds only a
// previous synth's output. `npm ci` installs this file as node_modules/.bin/cdk8s
// (scripts/install-cdk8s-guard.js, the package's postinstall); every other command, and synth
// once the directory is known to be safe, goes to the real CLI unchanged.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

function config() {
  const file = path.join(process.cwd(), 'cdk8s.yaml');
  if (!fs.existsSync(file)) return {};
  const yaml = require(path.join(root, 'node_modules', 'yaml'));
  return yaml.parse(fs.readFileSync(file, 'utf-8')) || {};
}

function option(args, short, long) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === short || arg === long) return args[i + 1];
    for (const name of [short, long]) {
      if (arg.startsWith(name + '=')) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

const args = process.argv.slice(2);
if (args[0] === 'synth' || args[0] === 's') {
  const cfg = config();
  const stdout = args.includes('--stdout') || args.includes('-p');
  const outdir = option(args, '-o', '--output') ?? cfg.output ?? (stdout ? undefined : 'dist');
  const app = option(args, '-a', '--app') ?? cfg.app;
  if (outdir !== undefined && app) {
    const check = spawnSync(`${app} --check-outdir`, {
      shell: true,
      stdio: 'inherit',
      env: { ...process.env, CDK8S_OUTDIR: outdir },
    });
    if (check.status !== 0) process.exit(check.status ?? 1);
  }
}
// The CLI asks npm for a newer version of itself on every run (and prints a stack trace where the
// registry is out of reach); this project pins it in package.json, so it does not ask.
const env = { CDK8S_CHECK_UPGRADE: 'false', ...process.env };
const result = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
