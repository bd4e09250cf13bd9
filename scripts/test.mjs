#!/usr/bin/env node
// npm test: type-check, build plugin/kubectl-harbor, then run every test/**/*.test.ts
// with Node's built-in runner (TypeScript through tsx). Extra arguments are
// passed to node --test (e.g. --test-name-pattern=completion).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

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
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : []))
    .sort();
}

// A fresh clone: install the npm packages first (npm test is one of the README's two commands).
if (!fs.existsSync(bin('tsc'))) step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund']);
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
// The lab's Debian packages (docker-registry, skopeo, containerd, sshd, ...): installed
// when missing. Needs root, as the lab's network namespaces do; without root the lab
// tests skip themselves.
if (process.getuid?.() === 0) step('lab packages', process.execPath, ['--import', 'tsx', 'lab/cli.ts', 'deps']);
step('build', process.execPath, ['scripts/build.mjs']);
const files = testFiles(path.join(root, 'test')).map((f) => path.relative(root, f));
// The lab the command tests share (see test/helpers/lab.ts), up for the whole run and
// down at the end, whatever happened.
// LAB_SLOT=1..9 moves it, as test/helpers/lab.ts sharedLabEnv() does (keep the two in step).
const slot = Number(process.env.LAB_SLOT ?? 0);
const SHARED_LAB =
  Number.isInteger(slot) && slot > 0 && slot < 10
    ? { LAB_DIR: `/tmp/kubectl-harbor-lab-shared${slot}`, LAB_PREFIX: `khs${slot}`, LAB_NET: `10.23${slot}.0`, LAB_PORT_OFFSET: String(1000 + 100 * slot), LAB_NODES: '3' }
    : { LAB_DIR: '/tmp/kubectl-harbor-lab-shared', LAB_PREFIX: 'khs', LAB_NET: '10.219.0', LAB_PORT_OFFSET: '200', LAB_NODES: '3' };
const lab = (verb) => spawnSync(process.execPath, ['--import', 'tsx', 'lab/cli.ts', verb], { cwd: root, stdio: 'inherit', env: { ...process.env, ...SHARED_LAB } });
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
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...process.argv.slice(2), ...files], { cwd: root, stdio: 'inherit' });
  code = r.status ?? 1;
  if (code !== 0) process.stderr.write(`== test failed (exit ${r.status ?? r.signal})\n`);
} finally {
  if (root_) lab('down');
}
process.exit(code);
