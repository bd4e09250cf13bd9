// The shape of src/, held by a test: commands parse, use cases (app/) decide, adapters
// do, core is shared by all. Imports only go down that list; nothing outside
// src/commands imports from it (type-only imports included); no `as never`; no module
// over 300 lines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/run.js';

const SRC = path.join(ROOT, 'src');
const ADAPTERS = ['kube', 'registry', 'tls', 'ssh', 'local', 'output', 'trust', 'net'];

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

/** commands, app, an adapter folder, or core (a file directly in src/). */
function layer(file: string): 'commands' | 'app' | 'adapter' | 'core' | 'entry' {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length === 1) return ['main.ts', 'cli.ts'].includes(rel[0]!) ? 'entry' : 'core';
  if (rel[0] === 'commands') return 'commands';
  if (rel[0] === 'app') return 'app';
  assert.ok(ADAPTERS.includes(rel[0]!), `${rel.join('/')}: unknown folder ${rel[0]}; add it to a layer`);
  return 'adapter';
}

const RANK = { entry: 4, commands: 3, app: 2, adapter: 1, core: 0 } as const;

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) =>
    path.resolve(path.dirname(file), m[1]!).replace(/\.js$/, '.ts'),
  );
}

test('imports go down: commands -> app -> adapters -> core; nothing outside commands imports from it', () => {
  const wrong: string[] = [];
  for (const f of files(SRC)) {
    const from = layer(f);
    for (const target of imports(f)) {
      if (!target.startsWith(SRC) || !fs.existsSync(target)) continue;
      const to = layer(target);
      const up = RANK[to] > RANK[from] || (to === 'commands' && from !== 'commands' && from !== 'entry');
      if (up) wrong.push(`${path.relative(SRC, f)} (${from}) imports ${path.relative(SRC, target)} (${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('no `as never`, no module over 300 lines', () => {
  const problems: string[] = [];
  for (const f of files(SRC)) {
    const text = fs.readFileSync(f, 'utf8');
    if (/\bas never\b/.test(text)) problems.push(`${path.relative(SRC, f)}: as never`);
    const lines = text.split('\n').length;
    if (lines > 300) problems.push(`${path.relative(SRC, f)}: ${lines} lines`);
  }
  assert.deepEqual(problems, []);
});
