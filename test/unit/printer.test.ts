// kubectl-style result lines and -o json|yaml|name of the objects written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parse } from 'yaml';
import { Printer, resourceRef, type OutputFormat } from '../../src/output/printer.js';

function printer(output?: OutputFormat, dryRun?: 'client' | 'server') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const p = new Printer(stdout, stderr, { output, dryRun, verbose: 0, colorStdout: false, colorStderr: false });
  return { p, out: () => out, err: () => err };
}

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'harbor-pull', namespace: 'team-a' } };
const tkc = {
  apiVersion: 'run.tanzu.vmware.com/v1alpha3',
  kind: 'TanzuKubernetesCluster',
  metadata: { name: 'tkc-1' },
};

test('resource references as kubectl prints them', () => {
  assert.equal(resourceRef(secret), 'secret/harbor-pull');
  assert.equal(resourceRef(tkc), 'tanzukubernetescluster.run.tanzu.vmware.com/tkc-1');
});

test('default: one result line per object on stdout, dry runs marked', async () => {
  const a = printer();
  a.p.result(secret, 'created');
  a.p.result(secret, 'unchanged');
  a.p.status('2 namespaces');
  await a.p.flush();
  assert.equal(a.out(), 'secret/harbor-pull created\nsecret/harbor-pull unchanged\n');
  assert.equal(a.err(), '2 namespaces\n');
  const d = printer(undefined, 'client');
  d.p.result(secret, 'configured');
  assert.equal(d.out(), 'secret/harbor-pull configured (dry run)\n');
});

test('-o name, -o yaml (one object, or a v1 List) and -o json', async () => {
  const n = printer('name');
  n.p.result(secret, 'created');
  assert.equal(n.out(), 'secret/harbor-pull\n');
  const one = printer('yaml');
  one.p.result(secret, 'created');
  assert.equal(one.out(), '', 'printed once, at the end');
  await one.p.flush();
  assert.deepEqual(parse(one.out()), secret);
  const two = printer('json');
  two.p.result(secret, 'created');
  two.p.result(tkc, 'configured');
  await two.p.flush();
  const list = JSON.parse(two.out());
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items, [secret, tkc]);
});

test('warnings once each, on stderr', () => {
  const w = printer();
  w.p.warn('the password is visible to other users');
  w.p.warn('the password is visible to other users');
  assert.equal(w.err(), 'Warning: the password is visible to other users\n');
  assert.equal(w.out(), '');
});

/** Start, update and stop a spinner on `stream`; what it wrote. */
async function spinOn(stream: PassThrough): Promise<string> {
  const { startProgress } = await import('../../src/output/spinner.js');
  let written = '';
  stream.on('data', (c) => (written += c));
  const p = await startProgress('working', stream, true);
  p.update('still working');
  p.stop();
  return written;
}

test('progress is silent off a TTY: nothing written, ora not needed', async () => {
  assert.equal(await spinOn(new PassThrough()), '');
});

test('progress is silent on a terminal that reports no width (ora would redraw without end)', async () => {
  assert.equal(await spinOn(Object.assign(new PassThrough(), { isTTY: true, columns: 0 })), '');
});

test('the tally: n/N done, the item in flight longest once it is slow, elapsed time', async () => {
  const { Tally } = await import('../../src/output/spinner.js');
  let now = 0;
  const shown: string[] = [];
  const t = new Tally('push-ca', 3, 'nodes', { update: (s) => shown.push(s), stop() {} }, () => now);
  t.begin('n1');
  t.begin('n2');
  now = 1000;
  t.end('n2');
  assert.equal(shown.at(-1), 'push-ca: 1/3 nodes done, 1s');
  now = 5000;
  t.begin('n3');
  assert.equal(shown.at(-1), 'push-ca: 1/3 nodes done, waiting on n1 (5s), 5s');
  t.stop();
});

test('lines written while a spinner is drawn clear it first and draw it again after', () => {
  const w = printer();
  const calls: string[] = [];
  w.p.overlay = { clear: () => calls.push('clear'), render: () => calls.push('render') };
  w.p.status('one');
  w.p.line('two');
  assert.deepEqual(calls, ['clear', 'render', 'clear', 'render']);
  assert.equal(w.out(), 'two\n');
});
