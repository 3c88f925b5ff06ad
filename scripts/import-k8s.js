#!/usr/bin/env node
// Generate imports/k8s offline: the same code `cdk8s import k8s@1.27.0 --language python`
// writes, but with the schema read from ../shared/kubernetes-schemas instead of downloaded.
//
// Usage: node scripts/import-k8s.js [SCHEMA_ROOT] [OUTDIR]
'use strict';
const fs = require('fs');
const path = require('path');

const K8S_VERSION = '1.27.0';
const root = path.resolve(__dirname, '..');
const schemaRoot = path.resolve(process.argv[2] || path.join(root, '..', 'shared', 'kubernetes-schemas'));
const outdir = path.resolve(process.argv[3] || path.join(root, 'imports'));
const CLI = path.join(root, 'node_modules', 'cdk8s-cli');

const util = require(path.join(CLI, 'lib', 'util'));
// cdk8s-cli fetches https://.../kubernetes-schemas/v<version>/_definitions.json; serve it locally.
util.download = async (url) => {
  const match = /\/kubernetes-schemas\/(v[^/]+\/_definitions\.json)$/.exec(url);
  if (!match) {
    throw new Error(`offline import: unexpected download of ${url}`);
  }
  const file = path.join(schemaRoot, match[1]);
  if (!fs.existsSync(file)) {
    throw new Error(`offline import: schema not found at ${file}`);
  }
  return fs.readFileSync(file, 'utf-8');
};

const { importDispatch } = require(path.join(CLI, 'lib', 'import', 'dispatch'));

importDispatch([{ source: `k8s@${K8S_VERSION}` }], {}, {
  outdir,
  targetLanguage: 'python',
  save: false,
}).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
