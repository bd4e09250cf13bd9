// The shared flags act the same before the command words as after them
// (`kubectl harbor -n ns1 login …` = `kubectl harbor login … -n ns1`), for every command:
// same namespace, same context, same output, never half-applied.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { makeCa } from '../../lab/pki.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let dir: string;
let kubeconfig: string;
let caFile: string;

before(() => {
  dir = tempDir();
  kubeconfig = new KC()
    .cluster('dead', 'https://127.0.0.1:1')
    .ctx('dead', 'dead', 'u', 'dev')
    .ctx('other', 'dead', 'u', 'ops')
    .use('dead')
    .write(dir);
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, makeCa('global flags CA').certPem);
});

const COMMANDS: string[][] = [
  ['login', 'h.example', '-u', 'u', '-p', 'pw'],
  ['logout', 'h.example'],
  ['bind-sa', 'pull'],
  ['trust', '--tkgs', '--remove', '--name', 'harbor-ca'],
  ['trust', 'list'],
  ['push-ca', 'tkc-1', '--ca-file', 'CA', '--registry', 'h.example'],
  ['jumpbox', 'create', 'tkc-1'],
  ['jumpbox', 'status', 'tkc-1'],
  ['jumpbox', 'list'],
  ['jumpbox', 'delete', 'tkc-1'],
  ['jumpbox', 'exec', 'tkc-1', '--all', '--', 'true'],
  ['jumpbox', 'ssh', 'tkc-1', 'n1'],
  ['context'],
];

const run = (argv: string[]) =>
  cli(
    argv.map((a) => (a === 'CA' ? caFile : a)),
    {},
    dir,
  );

for (const words of COMMANDS) {
  const name = words.slice(0, words[0] === 'jumpbox' || words[1] === 'list' ? 2 : 1).join(' ');
  test(`${name}: --kubeconfig, --context, -n before the command = after it`, async () => {
    const cut = words.indexOf('--');
    const [head, tail] = cut < 0 ? [words, []] : [words.slice(0, cut), words.slice(cut)];
    for (const flags of [
      ['--kubeconfig', kubeconfig, '--context', 'nosuch'],
      ['--kubeconfig', kubeconfig, '-n', 'Bad_NS'],
      ['--kubeconfig', kubeconfig, '--request-timeout', 'soon'],
    ]) {
      const before = await run([...flags, ...words]);
      const after = await run([...head, ...flags, ...tail]);
      assert.deepEqual(before, after, `${flags.join(' ')}`);
      assert.notEqual(before.code, 0);
      assert.match(
        before.stderr,
        /context "nosuch" does not exist|"Bad_NS" is not a valid|invalid --request-timeout "soon"/,
      );
    }
  });
}

test('context: -n, --context and -o before the command words act as after them', async () => {
  const before = await run(['--kubeconfig', kubeconfig, '--context', 'other', '-n', 'team-z', '-o', 'json', 'context']);
  const after = await run(['context', '--kubeconfig', kubeconfig, '--context', 'other', '-n', 'team-z', '-o', 'json']);
  assert.deepEqual(before, after);
  const doc = JSON.parse(before.stdout);
  assert.deepEqual([doc.context, doc.namespace, doc.namespaceFrom], ['other', 'team-z', 'flag']);
});
