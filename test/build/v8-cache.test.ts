// The lazy part's V8 code cache (scripts/lazy-loader.cjs): written on the first run that
// loads the lazy part, under $XDG_CACHE_HOME/kubectl-harbor (0700, file 0600); rewritten
// when missing or rejected, and then the caches of other builds are removed.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KC, tempDir } from '../helpers/kubeconfig.js';

// Not from helpers/run.ts: that one loads src/cli.ts, and this test needs none of src.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLUGIN = path.join(ROOT, 'plugin', 'kubectl-harbor');
const STALE = 'lazy-0000000000000000.v8';

const home = tempDir();
const cacheDir = path.join(home, 'xdg-cache', 'kubectl-harbor');
const kubeconfig = new KC().ctx('dev', 'c', 'u', 'team').use('dev').write(home);
const caches = (): string[] =>
  fs
    .readdirSync(cacheDir)
    .filter((f) => /^lazy-.*\.v8$/.test(f))
    .sort();

/** `context` loads the lazy part (the Kubernetes client); `--help` never does. */
async function context(): Promise<void> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: path.join(home, 'xdg-cache') };
  const r = await promisify(execFile)(PLUGIN, ['context', '--kubeconfig', kubeconfig], { env });
  assert.match(r.stdout, /Context: +dev/);
}

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
});

test('the first run that loads the lazy part writes lazy-<hash>.v8, private', async () => {
  await context();
  const [cache, ...more] = caches();
  assert.match(cache ?? '', /^lazy-[0-9a-f]{16}\.v8$/);
  assert.deepEqual(more, []);
  assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(cacheDir, cache!)).mode & 0o777, 0o600);
});

test('a run with a valid cache writes nothing and removes nothing', async () => {
  const [cache] = caches();
  const before = fs.statSync(path.join(cacheDir, cache!)).mtimeMs;
  fs.writeFileSync(path.join(cacheDir, STALE), 'stale');
  await context();
  assert.deepEqual(caches(), [STALE, cache].sort());
  assert.equal(fs.statSync(path.join(cacheDir, cache!)).mtimeMs, before);
});

test('a run that writes a new cache (missing or rejected) removes the other lazy-*.v8, and only those', async () => {
  const [cache] = caches().filter((f) => f !== STALE);
  const file = path.join(cacheDir, cache!);
  fs.writeFileSync(path.join(cacheDir, 'unrelated.txt'), 'keep');
  fs.rmSync(file);
  await context();
  assert.deepEqual(caches(), [cache]);
  assert.ok(fs.existsSync(path.join(cacheDir, 'unrelated.txt')));

  // A cache V8 rejects is replaced as well.
  fs.writeFileSync(file, 'not a V8 code cache');
  fs.writeFileSync(path.join(cacheDir, STALE), 'stale');
  await context();
  assert.deepEqual(caches(), [cache]);
  assert.ok(fs.statSync(file).size > 1000, 'the rejected cache was rewritten');
});
