// A VCF CLI session (`vcf context create lab`) recognised by its context names and servers:
// `lab` (Supervisor), `lab:<ns>` (a vSphere Namespace, the Supervisor's server),
// `lab:<cluster>` (a workload cluster, its own server), `lab:<ns>:<project>` (VCF
// Automation); the user from the session token's `sub`; the Supervisor of a workload cluster.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sessionToken } from '../../lab/apiserver/supervisor.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let file: string;
let plain: string;

before(() => {
  const dir = tempDir();
  const token = sessionToken('devops@vsphere.local');
  const kc = new KC()
    .cluster('lab', 'https://10.0.0.10:443')
    .cluster('lab:tkc-1', 'https://10.0.0.20:6443')
    .user('lab', token)
    .user('lab:tkc-1', token)
    .ctx('lab', 'lab', 'lab')
    .ctx('lab:dev', 'lab', 'lab', 'dev')
    .ctx('lab:svc-harbor-domain-c8', 'lab', 'lab', 'svc-harbor-domain-c8')
    .ctx('lab:tkc-1', 'lab:tkc-1', 'lab:tkc-1')
    .ctx('lab:dev:project-1', 'lab', 'lab', 'dev')
    .use('lab:dev');
  file = kc.write(dir);
  plain = new KC().cluster('c', 'https://10.1.1.1:6443').ctx('x', 'c', 'u').use('x').write(dir, 'plain');
});

const context = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = await cli(['context', '--kubeconfig', file, '-o', 'json', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('the session kind, the role of each context, the user from the token, the Supervisor', async () => {
  const ns = await context([]);
  assert.equal(ns.session, 'vcf-cli');
  assert.deepEqual(
    [ns.vsphere.login, ns.vsphere.kind, ns.vsphere.username, ns.vsphere.supervisorContext, ns.vsphere.passwordEnv],
    ['vcf-cli', 'namespace', 'devops@vsphere.local', 'lab', 'VCF_CLI_VSPHERE_PASSWORD'],
  );
  assert.equal((await context(['--context', 'lab'])).vsphere.kind, 'supervisor');
  const tkc = await context(['--context', 'lab:tkc-1']);
  assert.deepEqual([tkc.vsphere.kind, tkc.vsphere.supervisorContext], ['tkc', 'lab']);
  assert.equal((await context(['--context', 'lab:dev:project-1'])).vsphere.kind, 'namespace');
  assert.equal((await context([], { VCF_CLI_VSPHERE_PASSWORD: 'x' })).vsphere.passwordFromEnv, true);
});

test('other sessions are named by what the user entry holds', async () => {
  const r = await cli(['context', '--kubeconfig', plain, '-o', 'json']);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.session, 'token');
  assert.equal(doc.vsphere, undefined);
});

test('the text form says which login tool made the session', async () => {
  const r = await cli(['context', '--kubeconfig', file]);
  assert.match(r.stdout, /Session:\s+the VCF CLI/);
  assert.match(r.stdout, /Password:\s+VCF_CLI_VSPHERE_PASSWORD is not set/);
});
