// The build is byte-reproducible: two builds of one tree give one plugin/kubectl-harbor,
// so the V8 cache name (lazy-<hash>.v8) and the release archive follow the source only.
// Builds into the real output (gitignored), as `npm run build` does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Not from helpers/run.ts: that one loads src/cli.ts, and this test needs none of src.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PLUGIN = path.join(ROOT, 'plugin', 'kubectl-harbor');

function buildAndHash(): string {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return crypto.createHash('sha256').update(fs.readFileSync(PLUGIN)).digest('hex');
}

test('two builds give the same plugin/kubectl-harbor, byte for byte', () => {
  const first = buildAndHash();
  const second = buildAndHash();
  assert.equal(second, first);
});
