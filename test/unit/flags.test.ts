// The flags every command shares, in both `--flag value` and `--flag=value` forms,
// resolved the way kubectl resolves them. Runs the CLI in-process.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let dir: string;
let file: string;

before(() => {
  dir = tempDir();
  file = new KC().ctx('alpha', 'c1', 'u1', 'ns-alpha').ctx('beta', 'c2', 'u2').use('alpha').write(dir);
});

async function contextJson(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await cli(['context', ...argv, '-o', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as {
    context: string;
    namespace: string;
    namespaceFrom: string;
    server: string;
    kubeconfig: string[];
  };
}

for (const form of ['space', 'equals'] as const) {
  const f = (flag: string, value: string) => (form === 'space' ? [flag, value] : [`${flag}=${value}`]);

  test(`--kubeconfig (${form})`, async () => {
    const doc = await contextJson(f('--kubeconfig', file));
    assert.equal(doc.context, 'alpha');
    assert.deepEqual(doc.kubeconfig, [file]);
  });

  test(`--context (${form})`, async () => {
    const doc = await contextJson([...f('--kubeconfig', file), ...f('--context', 'beta')]);
    assert.equal(doc.context, 'beta');
    assert.equal(doc.server, 'https://c2:6443');
  });

  test(`-n and --namespace (${form})`, async () => {
    assert.equal((await contextJson([...f('--kubeconfig', file), ...f('-n', 'team-a')])).namespace, 'team-a');
    const doc = await contextJson([...f('--kubeconfig', file), ...f('--namespace', 'team-b')]);
    assert.equal(doc.namespace, 'team-b');
    assert.equal(doc.namespaceFrom, 'flag');
  });

  test(`-o and --output (${form})`, async () => {
    const r = await cli(['version', ...f('--output', 'yaml')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^version: v/m);
    const j = await cli(['version', ...f('-o', 'json')]);
    assert.match(JSON.parse(j.stdout).version, /^v\d/);
  });

  test(`--request-timeout (${form})`, async () => {
    const r = await cli(['context', ...f('--kubeconfig', file), ...f('--request-timeout', '5s')]);
    assert.equal(r.code, 0, r.stderr);
  });
}

test('namespace comes from the context, else default', async () => {
  assert.deepEqual((await contextJson(['--kubeconfig', file])).namespaceFrom, 'context');
  const doc = await contextJson(['--kubeconfig', file, '--context', 'beta']);
  assert.equal(doc.namespace, 'default');
  assert.equal(doc.namespaceFrom, 'default');
});

test('flags may come before or after each other in any order', async () => {
  const doc = await contextJson(['-n', 'x', '--context=beta', '--kubeconfig', file]);
  assert.equal(doc.context, 'beta');
  assert.equal(doc.namespace, 'x');
});

test('an unsupported -o value is a usage error (exit 2) on stderr', async () => {
  const r = await cli(['version', '-o', 'xml']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: .*-o.*xml/);
  assert.match(r.stderr, /See 'kubectl harbor version --help'/);
});

test('a format the command does not support is refused', async () => {
  const r = await cli(['version', '-o', 'name']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does not support -o name/);
});

test('unknown flag and unknown command: one error line, exit 2, nothing on stdout', async () => {
  for (const argv of [['version', '--bogus'], ['nope']]) {
    const r = await cli(argv);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 2, r.stderr);
    assert.match(r.stderr, /^error: (unknown flag: --bogus|unknown command "nope")/);
  }
});

test('an invalid --request-timeout is a usage error', async () => {
  const r = await cli(['context', '--kubeconfig', file, '--request-timeout', 'soon']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: invalid --request-timeout "soon"/);
});

test('-h and --help on a command print its usage to stdout', async () => {
  for (const flag of ['-h', '--help']) {
    const r = await cli(['context', flag]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\$ kubectl harbor context/);
    assert.match(r.stdout, /--kubeconfig <kubeconfig>/);
  }
});

test('help lists every command grouped by category, and the common flags', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Other Commands:\n\s+completion\s+.+\n\s+context\s+.+\n\s+version/);
  assert.match(r.stdout, /--request-timeout <request-timeout>/);
  assert.doesNotMatch(r.stdout, /__complete/);
  assert.deepEqual(await cli([]), r);
  assert.deepEqual(await cli(['help']), r);
});

test('short flags with the value attached, as kubectl takes them: -nprod, -oyaml', async () => {
  const doc = JSON.parse((await cli(['context', '--kubeconfig', file, '-nteam-c', '-ojson'])).stdout);
  assert.equal(doc.namespace, 'team-c');
  const y = await cli(['version', '-oyaml']);
  assert.match(y.stdout, /^version: v/m);
  // -vv stays a counter; nothing after -- is touched.
  const { splitAttachedShortFlags } = await import('../../src/cli.js');
  assert.deepEqual(splitAttachedShortFlags(['-vv', '-nx', '--', '-nkeep']), ['-vv', '-n', 'x', '--', '-nkeep']);
});

test('the attached-value short flags are exactly the short flags that take a value', async () => {
  const { getCli, SHORT_VALUE_FLAGS } = await import('../../src/cli.js');
  const shorts = new Set<string>();
  for (const d of getCli().definitions())
    for (const o of d.options) {
      if (!/#0/.test(o.definition)) continue;
      for (const n of o.definition.split(/[\s=]/)[0]!.split(',')) if (/^-[A-Za-z]$/.test(n)) shorts.add(n.slice(1));
    }
  assert.deepEqual([...shorts].sort(), [...SHORT_VALUE_FLAGS].sort());
});
