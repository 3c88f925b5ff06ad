#!/usr/bin/env node
// `npx cdk8s`: the real cdk8s CLI, run in this process, which may delete nothing a synth did not
// write. `npm ci` installs this file as node_modules/.bin/cdk8s (scripts/install-cdk8s-guard.js,
// the package's postinstall).
//
// `cdk8s synth` removes its output directory recursively before it runs the app, and the CLI
// (yargs) accepts that directory in more spellings than any re-parse of argv can follow: `-o V
// synth`, `--o V`, `-o=V`, the `synthesize` alias, CDK8S_OUTPUT or CDK8S_O, cdk8s.yaml's `output:`;
// `-o A -o B` gives a list, `-oV` the flag `true`. So this guard parses nothing: it wraps the
// deletion functions themselves, before the CLI (or graceful-fs, which copies node's fs when it
// loads) is loaded, then runs the CLI unchanged: same arguments, same modules, same exit status.
//
// - node's fs.rm/rmSync and fs.promises.rm, the recursive forms of fs.rmdir/rmdirSync and
//   fs.promises.rmdir (a plain rmdir removes only an empty directory), and the CLI's own fs-extra:
//   remove/removeSync, rm/rmSync, rmdir/rmdirSync, emptyDir/emptyDirSync and move/moveSync with
//   `overwrite`.
// - Each call resolves its path as the system will (symbolic links and `..` included); a path that
//   does not exist, or lies inside a directory that mkdtemp made in this process (the CLI's own
//   temporary directories, e.g. for --stdout), goes through. Anything else is first put to the
//   project's own check, `main.py --check-outdir --outdir <that path>` (0: a synth may replace it;
//   2 and one line: it holds files a synth did not write, or is the current directory, the
//   project, home, /, ...), synchronously: the CLI exits with the check's status, nothing deleted.
// - Where the guard cannot be sure (a path that is not one path, like the array of a repeated -o,
//   or no .venv to run the check with), it refuses: exit status 2 and one line, nothing deleted.
'use strict';
// Node.js 22 keeps the CLI's compiled code between runs (about a third of its start-up).
require('module').enableCompileCache?.(require('path').join(__dirname, '..', 'node_modules', '.cache', 'cdk8s-guard'));
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { fileURLToPath } = require('url');

// node_modules/.bin/cdk8s links here; node resolves the link, unless --preserve-symlinks-main.
const root = path.resolve(fs.realpathSync(__filename), '..', '..');
const cliDir = path.join(root, 'node_modules', 'cdk8s-cli');
const cliBin = path.join(cliDir, 'bin', 'cdk8s');
const python = path.join(root, '.venv', 'bin', 'python');
const mainPy = path.join(root, 'main.py');

const realpath = fs.realpathSync.native;
const lstat = fs.lstatSync;
const wrapped = new WeakSet();
const temporary = new Set(); // what mkdtemp made in this process: the CLI may remove it

function refuse(message) {
  process.stderr.write(`error: ${message}; nothing was deleted\n`);
  process.exit(2);
}

function describe(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// The one path that the call names, as a string, or undefined when it names something else.
function single(value) {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf-8');
    return Buffer.from(text, 'utf-8').equals(value) ? text : undefined;
  }
  if (value instanceof URL) {
    try {
      return fileURLToPath(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function within(target, directory) {
  return target === directory || target.startsWith(directory.endsWith(path.sep) ? directory : directory + path.sep);
}

// The absolute path of what deleting `raw` removes, as the system resolves it; null when nothing is there.
function locate(raw, what) {
  let stat;
  try {
    stat = lstat(raw, { throwIfNoEntry: false });
  } catch (error) {
    if (error.code === 'ENOTDIR') return null;
    return refuse(`cannot tell what ${what} ${raw} would delete (${error.code || error.message})`);
  }
  if (!stat) return null;
  try {
    // A link itself is removed, not what it points to: resolve the directory that holds it.
    return stat.isSymbolicLink() ? path.join(realpath(path.dirname(raw)), path.basename(raw)) : realpath(raw);
  } catch (error) {
    return refuse(`cannot tell what ${what} ${raw} would delete (${error.code || error.message})`);
  }
}

function guard(value, what) {
  const raw = single(value);
  if (raw === undefined) {
    const kind = Array.isArray(value)
      ? 'a list (was --output given twice?)'
      : typeof value === 'boolean'
        ? 'a flag (yargs reads -oDIR as one-letter flags: write -o DIR)'
        : `a ${typeof value}`;
    refuse(`the cdk8s CLI asked to delete ${describe(value)}, which is not one path but ${kind}`);
  }
  const target = locate(raw, what);
  if (target === null) return;
  for (const directory of temporary) {
    if (within(target, directory)) return;
  }
  if (!fs.existsSync(python)) {
    refuse(`cannot check ${target} before the cdk8s CLI deletes it: ${python} is missing (run \`make setup\`)`);
  }
  const check = spawnSync(python, [mainPy, '--check-outdir', '--outdir', target], { stdio: 'inherit', cwd: process.cwd() });
  if (check.error) refuse(`cannot check ${target} before the cdk8s CLI deletes it: ${check.error.message}`);
  if (check.status !== 0) process.exit(check.status || 2);
}

function remember(directory) {
  const text = single(directory);
  if (text === undefined) return;
  try {
    temporary.add(realpath(text));
  } catch {
    // gone already: nothing to remove
  }
}

function replace(object, name, make) {
  const original = object[name];
  if (typeof original !== 'function' || wrapped.has(original)) return;
  const replacement = make(original);
  wrapped.add(replacement);
  object[name] = replacement;
}

// A deletion of the path that is its first argument; `when(args)` says whether this call deletes.
function deletes(object, names, what, when = () => true) {
  for (const name of names) {
    replace(object, name, original =>
      function (...args) {
        if (when(args)) guard(args[0], what);
        return original.apply(this, args);
      },
    );
  }
}

function recursive(args) {
  const options = args[1];
  return options !== null && typeof options === 'object' && Boolean(options.recursive);
}

function overwrites(args) {
  const options = args[2];
  return options !== null && typeof options === 'object' && Boolean(options.overwrite || options.clobber);
}

// mkdtemp in all its forms (callback, promise, or either as fs-extra's): remember what it made.
function records(object, names) {
  for (const name of names) {
    replace(object, name, original =>
      function (...args) {
        const last = args[args.length - 1];
        if (typeof last === 'function') {
          args[args.length - 1] = function (error, directory) {
            if (!error) remember(directory);
            return last.apply(this, arguments);
          };
          return original.apply(this, args);
        }
        const result = original.apply(this, args);
        if (name.endsWith('Sync')) {
          remember(result);
          return result;
        }
        return result && typeof result.then === 'function' ? result.then(d => (remember(d), d)) : result;
      },
    );
  }
}

deletes(fs, ['rm', 'rmSync'], 'rm');
deletes(fs, ['rmdir', 'rmdirSync'], 'rmdir', recursive);
deletes(fs.promises, ['rm'], 'rm');
deletes(fs.promises, ['rmdir'], 'rmdir', recursive);
records(fs, ['mkdtemp', 'mkdtempSync']);
records(fs.promises, ['mkdtemp']);

// The CLI's own fs-extra (8): it copied graceful-fs's functions, and added its own, when it loaded.
const fsExtra = require(require.resolve('fs-extra', { paths: [cliDir] }));
deletes(fsExtra, ['rm', 'rmSync', 'remove', 'removeSync', 'emptyDir', 'emptyDirSync', 'emptydir', 'emptydirSync'], 'remove');
deletes(fsExtra, ['rmdir', 'rmdirSync'], 'rmdir', recursive);
for (const name of ['move', 'moveSync']) {
  replace(fsExtra, name, original =>
    function (...args) {
      if (overwrites(args)) guard(args[1], name);
      return original.apply(this, args);
    },
  );
}
records(fsExtra, ['mkdtemp', 'mkdtempSync']);

// `cdk8s init` alone uses jsii-pacmak, which takes 0.7 s to load (two thirds of the CLI's start-up),
// and every command loads it: it loads when init first uses it instead.
const Module = require('module');
function lazy(request) {
  const resolved = require.resolve(request, { paths: [path.join(cliDir, 'lib', 'cli', 'cmds')] });
  let real;
  const load = () => {
    if (real === undefined) {
      delete require.cache[resolved];
      real = require(resolved);
      require.cache[resolved].exports = real;
    }
    return real;
  };
  const exports = new Proxy(
    {},
    {
      get: (_, key) => (key === '__esModule' ? true : load()[key]), // __importStar keeps an ES module as is
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const found = Reflect.getOwnPropertyDescriptor(load(), key);
        return found && { ...found, configurable: true };
      },
    },
  );
  const module = new Module(resolved, null);
  module.filename = resolved;
  module.loaded = true;
  module.exports = exports;
  require.cache[resolved] = module;
}
lazy('jsii-pacmak');
lazy('jsii-pacmak/lib/targets/version-utils');

// The CLI asks npm for a newer version of itself on every run (and prints a stack trace where the
// registry is out of reach); this project pins it in package.json, so it does not ask.
process.env.CDK8S_CHECK_UPGRADE ??= 'false';
process.argv = [process.argv[0], cliBin, ...process.argv.slice(2)];
// yargs reads --version from the package.json above the main module's file: make that the CLI's.
require.main.filename = cliBin;
require(path.join(cliDir, 'lib', 'cli'));
