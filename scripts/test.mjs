#!/usr/bin/env node
// npm test: type-check, build plugin/kubectl-harbor, then run every test/**/*.test.ts
// with Node's built-in runner (TypeScript through tsx). Extra arguments are
// passed to node --test (e.g. --test-name-pattern=completion).
//
// npm run test:unit (--unit): only the fast tests, UNIT below. No install, no type-check,
// no build, no lab, no root; well under a minute.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const unit = process.argv.includes('--unit');
const testArgs = process.argv.slice(2).filter((a) => a !== '--unit');
// The unit tests, and the tests that need nothing but the in-process API emulator.
// Not test/build: it builds (twice).
const UNIT = ['test/unit', 'test/lab/apiserver-semantics.test.ts', 'test/lab/apiserver-client-node.test.ts'];

function step(title, cmd, args) {
  process.stderr.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`== ${title} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
}

function testFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
    )
    .sort();
}

/** The tests in the given files and directories (relative to the root), sorted. */
const select = (entries) =>
  entries
    .flatMap((e) =>
      fs.statSync(path.join(root, e)).isDirectory() ? testFiles(path.join(root, e)) : [path.join(root, e)],
    )
    .map((f) => path.relative(root, f));

/**
 * `lab deps`: the lab's Debian packages (docker-registry, skopeo, containerd, sshd, ...),
 * installed when a command is missing. It is silent unless it installs; what it says
 * ("lab: installing Debian packages (missing: ...)") is shown as an `== ` line.
 */
function labDeps() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'lab/cli.ts', 'deps'], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    readline
      .createInterface({ input: child.stderr })
      .on('line', (l) => process.stderr.write(l.startsWith('lab: ') ? `\n== lab packages: ${l.slice(5)}\n` : `${l}\n`));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        process.stderr.write(`== lab packages failed (exit ${code ?? signal})\n`);
        process.exit(code || 1);
      }
      resolve();
    });
  });
}

/** Node's test runner on `files`: TypeScript through tsx, .sh imported as text (as the build does). */
function runTests(files) {
  const args = ['--import', 'tsx', '--import', './test/helpers/text-modules.mjs', '--test', '--test-reporter=spec'];
  return spawnSync(process.execPath, [...args, ...testArgs, ...files], { cwd: root, stdio: 'inherit' });
}

if (unit) {
  // Nothing to install or build: run the tests, or say what is missing.
  if (!fs.existsSync(bin('tsx'))) {
    process.stderr.write('== test:unit needs the npm packages: run npm ci first\n');
    process.exit(1);
  }
  process.stderr.write('\n== unit tests\n');
  const r = runTests(select(UNIT));
  if (r.status !== 0) process.stderr.write(`== unit tests failed (exit ${r.status ?? r.signal})\n`);
  process.exit(r.status ?? 1);
}

// A fresh clone: install the npm packages first (npm test is one of the README's two commands).
if (!fs.existsSync(bin('tsc')))
  step('installing npm packages: npm ci (node_modules/.bin/tsc is missing)', 'npm', ['ci', '--no-audit', '--no-fund']);
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
step('format and lint (biome ci)', bin('biome'), ['ci', '--colors=off', '.']);
// Installing needs root, as the lab's network namespaces do; without root the lab tests
// skip themselves.
if (process.getuid?.() === 0) await labDeps();
step('build', process.execPath, ['scripts/build.mjs']);
const files = testFiles(path.join(root, 'test')).map((f) => path.relative(root, f));
// The lab the command tests share (see test/helpers/lab.ts), up for the whole run and
// down at the end, whatever happened.
// LAB_SLOT=1..9 moves it, as test/helpers/lab.ts sharedLabEnv() does (keep the two in step).
const slot = Number(process.env.LAB_SLOT ?? 0);
const SHARED_LAB =
  Number.isInteger(slot) && slot > 0 && slot < 10
    ? {
        LAB_DIR: `/tmp/kubectl-harbor-lab-shared${slot}`,
        LAB_PREFIX: `khs${slot}`,
        LAB_NET: `10.23${slot}.0`,
        LAB_PORT_OFFSET: String(1000 + 100 * slot),
        LAB_NODES: '3',
      }
    : {
        LAB_DIR: '/tmp/kubectl-harbor-lab-shared',
        LAB_PREFIX: 'khs',
        LAB_NET: '10.219.0',
        LAB_PORT_OFFSET: '200',
        LAB_NODES: '3',
      };
const lab = (verb) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'lab/cli.ts', verb], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...SHARED_LAB },
  });
const root_ = process.getuid?.() === 0;
if (root_) {
  process.stderr.write('\n== shared lab up\n');
  if (lab('up').status !== 0) {
    lab('down');
    process.exit(1);
  }
}
let code = 0;
try {
  process.stderr.write('\n== test\n');
  const r = runTests(files);
  code = r.status ?? 1;
  if (code !== 0) process.stderr.write(`== test failed (exit ${r.status ?? r.signal})\n`);
} finally {
  if (root_) lab('down');
}
process.exit(code);
