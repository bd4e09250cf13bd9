// Loading kubeconfigs as kubectl does, and recognising `kubectl vsphere login` sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkConnection, resolveTarget, loadKubeconfig } from '../../src/kube/config.js';
import { supervisorContextFor } from '../../src/kube/vsphere.js';
import { ConfigError } from '../../src/errors.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

const home = '/nonexistent-home';

test('KUBECONFIG with several files: missing ones skipped, the first definition wins, first current-context wins', () => {
  const dir = tempDir();
  const a = new KC().cluster('shared', 'https://first:6443').ctx('a', 'shared', 'ua').use('a').write(dir, 'a');
  const b = new KC()
    .cluster('shared', 'https://second:6443')
    .ctx('b', 'shared', 'ub')
    .ctx('a', 'other', 'ux')
    .use('b')
    .write(dir, 'b');
  const env = { KUBECONFIG: [path.join(dir, 'missing'), a, b].join(path.delimiter) };
  const t = resolveTarget({}, { env, homedir: home });
  assert.equal(t.contextName, 'a');
  assert.equal(t.cluster.server, 'https://first:6443');
  assert.deepEqual(t.files, [a, b]);
  const tb = resolveTarget({ context: 'b' }, { env, homedir: home });
  assert.equal(tb.cluster.server, 'https://first:6443', 'cluster "shared" comes from the first file');
});

test('~/.kube/config is the fallback', () => {
  const homedir = tempDir();
  fs.mkdirSync(path.join(homedir, '.kube'));
  new KC().ctx('h', 'hc', 'hu').use('h').write(path.join(homedir, '.kube'));
  assert.equal(resolveTarget({}, { env: {}, homedir }).contextName, 'h');
});

test('no kubeconfig anywhere is a clear error, not localhost:8080', () => {
  assert.throws(
    () => loadKubeconfig({}, { env: {}, homedir: home }),
    (e: unknown) => e instanceof ConfigError && /no kubeconfig found/.test(e.message),
  );
  assert.throws(
    () => loadKubeconfig({}, { env: { KUBECONFIG: '/nope/a:/nope/b' }, homedir: home }),
    /none of the files in KUBECONFIG/,
  );
  assert.throws(
    () => loadKubeconfig({ kubeconfig: '/nope/x' }, { env: {}, homedir: home }),
    /kubeconfig file \/nope\/x does not exist/,
  );
});

test('an unknown context is refused before any client exists, naming the ones there are', () => {
  const file = new KC().ctx('a', 'c', 'u').ctx('b', 'c', 'u').use('a').write(tempDir());
  assert.throws(
    () => resolveTarget({ kubeconfig: file, context: 'zzz' }, { env: {}, homedir: home }),
    /context "zzz" does not exist in the kubeconfig \(available: a, b\)/,
  );
});

test('no current-context and no --context', () => {
  const file = new KC().ctx('a', 'c', 'u').write(tempDir());
  assert.throws(
    () => resolveTarget({ kubeconfig: file }, { env: {}, homedir: home }),
    /no current context is set; pass --context \(available: a\)/,
  );
});

test('a kubeconfig that is not YAML is one clear line through the CLI', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bad');
  fs.writeFileSync(file, 'clusters: [unclosed\n');
  const r = await cli(['context', '--kubeconfig', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: cannot load kubeconfig ${file}: `));
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.doesNotMatch(r.stderr, /\bat /, 'no stack trace');
});

const vsphere = () =>
  new KC()
    .vsphere('10.0.0.10', 'devops@vsphere.local', ['team-a', 'team-b'], { 'tkc-1': '10.0.0.20' })
    .ctx('kind-dev', 'kind', 'kind-user');

test('recognises the Supervisor, namespace and TKC contexts of a vSphere session', () => {
  const file = vsphere().use('team-a').write(tempDir());
  const env = { env: {}, homedir: home };
  const sup = resolveTarget({ kubeconfig: file, context: '10.0.0.10' }, env).vsphere;
  assert.deepEqual(sup, {
    login: 'kubectl-vsphere',
    passwordEnv: 'KUBECTL_VSPHERE_PASSWORD',
    kind: 'supervisor',
    server: '10.0.0.10',
    username: 'devops@vsphere.local',
    supervisorContext: '10.0.0.10',
    supervisorServer: '10.0.0.10',
  });
  const ns = resolveTarget({ kubeconfig: file }, env);
  assert.equal(ns.vsphere?.kind, 'namespace');
  assert.equal(ns.vsphere?.supervisorContext, '10.0.0.10');
  assert.equal(ns.namespace, 'team-a');
  const tkc = resolveTarget({ kubeconfig: file, context: 'tkc-1' }, env).vsphere;
  assert.equal(tkc?.kind, 'tkc');
  assert.equal(tkc?.server, '10.0.0.20');
  assert.equal(tkc?.supervisorContext, '10.0.0.10');
  assert.equal(resolveTarget({ kubeconfig: file, context: 'kind-dev' }, env).vsphere, undefined);
});

test('the Supervisor context of a TKC context: same user, Supervisor server', () => {
  const kc = loadKubeconfig({ kubeconfig: vsphere().write(tempDir()) }, { env: {}, homedir: home }).kc;
  assert.equal(supervisorContextFor(kc, 'tkc-1'), '10.0.0.10');
  assert.equal(supervisorContextFor(kc, 'team-b'), 'team-b');
  assert.throws(
    () => supervisorContextFor(kc, 'kind-dev'),
    /is not from `kubectl vsphere login` or `vcf context create`/,
  );
});

test('a TKC context without its Supervisor, or with two candidates', () => {
  const alone = new KC()
    .cluster('10.0.0.20', 'https://10.0.0.20:6443')
    .ctx('tkc-1', '10.0.0.20', 'wcp:10.0.0.20:dev@vsphere.local');
  const kc1 = loadKubeconfig({ kubeconfig: alone.write(tempDir()) }, { env: {}, homedir: home }).kc;
  assert.throws(() => supervisorContextFor(kc1, 'tkc-1'), /no Supervisor context for user dev@vsphere.local/);
  const two = vsphere().vsphere('10.9.9.9', 'devops@vsphere.local', []);
  const kc2 = loadKubeconfig({ kubeconfig: two.write(tempDir()) }, { env: {}, homedir: home }).kc;
  assert.throws(() => supervisorContextFor(kc2, 'tkc-1'), /several Supervisors \(10.0.0.10, 10.9.9.9\)/);
});

test('a namespace context whose Supervisor context was removed is still a namespace context', () => {
  const kc = new KC()
    .cluster('10.0.0.10', 'https://10.0.0.10:443')
    .ctx('team-a', '10.0.0.10', 'wcp:10.0.0.10:dev@vsphere.local', 'team-a');
  const t = resolveTarget({ kubeconfig: kc.write(tempDir()), context: 'team-a' }, { env: {}, homedir: home });
  assert.equal(t.vsphere?.kind, 'namespace');
});

test('context shows whether KUBECTL_VSPHERE_PASSWORD is set, never its value', async () => {
  const file = vsphere().use('team-a').write(tempDir());
  const r = await cli(['context', '--kubeconfig', file], { KUBECTL_VSPHERE_PASSWORD: 's3cret-Pw' });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /vSphere:\s+vSphere Namespace context, user devops@vsphere.local/);
  assert.match(r.stdout, /Supervisor:\s+context 10.0.0.10/);
  assert.match(r.stdout, /KUBECTL_VSPHERE_PASSWORD is set/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
});

test('an empty kubeconfig is an empty config (as for kubectl), not a crash', () => {
  const file = path.join(tempDir(), 'empty');
  fs.writeFileSync(file, '\n');
  assert.throws(() => resolveTarget({ kubeconfig: file }, { env: {}, homedir: home }), /no current context is set/);
});

test('checkConnection: a server that is not an absolute URL, and certificate files, before any request', () => {
  const dir = tempDir();
  const target = (server: string) =>
    resolveTarget(
      { kubeconfig: new KC().cluster('c', server).ctx('x', 'c', 'u').use('x').write(dir) },
      { env: {}, homedir: home },
    );
  assert.throws(
    () => checkConnection(target('10.0.0.1:6443')),
    /has server "10.0.0.1:6443", which is not an absolute URL; set it to https:\/\/10.0.0.1:6443 in /,
  );
  assert.throws(() => checkConnection(target('ftp://h')), /not an absolute URL; set it to https:\/\/h in /);
  checkConnection(target('https://10.0.0.1:6443'));
  const t = target('https://10.0.0.1:6443');
  t.user = { ...t.user, certFile: path.join(dir, 'nope.crt') };
  assert.throws(
    () => checkConnection(t),
    /unable to read client-certificate .*nope\.crt of user "u": no such file or directory/,
  );
  t.user = { ...t.user, certFile: dir };
  assert.throws(
    () => checkConnection(t),
    /cannot read client-certificate .*: it is a directory; fix client-certificate of user "u"/,
  );
});
