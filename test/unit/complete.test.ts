// Completion (Cobra's __complete protocol) as a pure function of the command definitions:
// subcommands, flags, enumerated values from ENUMS, contexts and namespaces from sources.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandDefs, complete, Directive } from '../../src/app/complete.js';
import { BINARY_NAME, getCli } from '../../src/cli.js';
import { ENUMS } from '../../src/commands/options.js';

const defs = commandDefs(getCli().definitions(), BINARY_NAME);
const sources = { contexts: async () => ['dev', 'tkc-1'], namespaces: async () => ['dev', 'prod'], enums: ENUMS };
const run = (...words: string[]) => complete(words, defs, sources);
const NOFILE = `:${Directive.NoFileComp}`;

test('command words: top level and subcommands', async () => {
  const top = await run('');
  for (const c of ['login', 'trust', 'jumpbox', 'push-ca'])
    assert.ok(
      top.some((l) => l.startsWith(`${c}\t`) || l === c),
      c,
    );
  assert.deepEqual(await run('jumpbox', 'e'), [
    'exec\tRun a command on cluster nodes over SSH through the jumpbox',
    NOFILE,
  ]);
  assert.deepEqual(
    (await run('trust', 'l')).map((l) => l.split('\t')[0]),
    ['list', NOFILE],
  );
});

test('enumerated values come from the typed option groups', async () => {
  assert.deepEqual(await run('push-ca', 'tkc-1', '--via', ''), ['jumpbox', 'direct', 'daemonset', NOFILE]);
  assert.deepEqual(await run('push-ca', 'tkc-1', '--restart=a'), ['--restart=auto', '--restart=always', NOFILE]);
  assert.deepEqual(await run('jumpbox', 'exec', 'tkc-1', '--role', 'c'), ['controlplane', NOFILE]);
  assert.deepEqual(await run('login', '--dry-run=s'), ['--dry-run=server', NOFILE]);
  assert.deepEqual(await run('version', '-o', 'y'), ['yaml', NOFILE]);
});

test('contexts, namespaces and files', async () => {
  assert.deepEqual(await run('trust', '--supervisor-context', 'd'), ['dev', NOFILE]);
  assert.deepEqual(await run('login', '-n', 'p'), ['prod', NOFILE]);
  assert.deepEqual(await run('trust', '--ca-file', ''), [`:${Directive.Default}`]);
});

test('flags of the command typed so far', async () => {
  const flags = (await run('push-ca', 'tkc-1', '--ro')).map((l) => l.split('\t')[0]);
  assert.deepEqual(flags, ['--role', NOFILE]);
});
