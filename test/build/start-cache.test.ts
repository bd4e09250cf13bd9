// The start-up part's V8 code cache (scripts/start-loader.cjs): written at exit of the first
// run (any command; the overview is printed before it is compiled, test/build/stored-help.test.ts)
// under $XDG_CACHE_HOME/kubectl-harbor (0700, file 0600);
// a run with a valid cache writes nothing; a new one replaces the other start-*.v8. The
// output never depends on it.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/kubeconfig.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLUGIN = path.join(ROOT, 'plugin', 'kubectl-harbor');
const STALE = 'start-0000000000000000.v8';
const home = tempDir();
const cacheDir = path.join(home, 'xdg-cache', 'kubectl-harbor');
const caches = (): string[] =>
  fs
    .readdirSync(cacheDir)
    .filter((f) => /^start-.*\.v8$/.test(f))
    .sort();

async function help(): Promise<string> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: path.join(home, 'xdg-cache') };
  return (await promisify(execFile)(PLUGIN, ['version'], { env })).stdout;
}

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
});

test('the first run writes start-<hash>.v8, private; the output is the same with it', async () => {
  const first = await help();
  const [cache, ...more] = caches();
  assert.match(cache ?? '', /^start-[0-9a-f]{16}\.v8$/);
  assert.deepEqual(more, []);
  assert.equal(fs.statSync(cacheDir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(cacheDir, cache!)).mode & 0o777, 0o600);
  assert.equal(await help(), first);
});

test('a valid cache is kept as is; a rejected one is rewritten and the other start-*.v8 go', async () => {
  const [cache] = caches();
  const file = path.join(cacheDir, cache!);
  const before = fs.statSync(file).mtimeMs;
  await help();
  assert.equal(fs.statSync(file).mtimeMs, before);
  fs.writeFileSync(file, 'not a V8 code cache');
  fs.writeFileSync(path.join(cacheDir, STALE), 'stale');
  fs.writeFileSync(path.join(cacheDir, 'unrelated.txt'), 'keep');
  assert.match(await help(), /^kubectl-harbor v/);
  assert.deepEqual(caches(), [cache]);
  assert.ok(fs.statSync(file).size > 1000, 'the rejected cache was rewritten');
  assert.ok(fs.existsSync(path.join(cacheDir, 'unrelated.txt')));
});
