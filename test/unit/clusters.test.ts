// Many clusters at once, in-process against the Supervisor emulator (no nodes): --all-clusters
// finds every TanzuKubernetesCluster and Cluster (v1beta1 and v1beta2) once, a TKC and its
// backing Cluster counting once; a failing cluster (a missing `<cluster>-ssh` secret, nodes
// nothing answers on, a name that is not there, a namespace that cannot be listed; under -A one
// the user may not list in is skipped) fails alone
// and is one line of the summary; -o json nests each cluster's rows; exactly one CLUSTER keeps
// the single-cluster output.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSupervisor, type SupervisorLab, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { capiCluster } from '../../lab/apiserver/vks.js';
import { makeCa } from '../../lab/pki.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli, type Result } from '../helpers/run.js';

describe('several clusters in one command (API emulator)', () => {
  let sup: SupervisorLab;
  let home: string;
  let caFile: string;
  const run = (args: string[]): Promise<Result> =>
    cli(['--kubeconfig', path.join(home, 'devops.kubeconfig'), '--context', 'dev', ...args], {}, home);

  before(async () => {
    // Nodes on loopback addresses where nothing listens: an SSH connection is refused at once.
    sup = await startSupervisor({
      namespaces: ['dev', 'prod', 'empty'],
      clusters: [
        { name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['127.0.0.201'], workerIps: ['127.0.0.202'] },
        { name: 'vks-1', namespace: 'dev', api: 'cluster-v1beta2', controlPlaneIps: ['127.0.0.203'], workerIps: [] },
        { name: 'old-1', namespace: 'prod', api: 'cluster', controlPlaneIps: ['127.0.0.204'], workerIps: [] },
      ],
    });
    // tkc-1's backing Cluster: the same name, counted once.
    sup.supervisor.seed(
      capiCluster({ name: 'tkc-1', namespace: 'dev', api: 'cluster', controlPlaneIps: [], workerIps: [] }),
    );
    // A namespace devops may not list in: -A skips it, --namespaces fails it.
    sup.supervisor.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const s of ['vks-1-ssh', 'vks-1-ssh-password'])
      sup.supervisor.store.remove(sup.supervisor.type('secrets'), 'dev', s);
    home = tempDir('harbor-clusters-');
    writeKubeconfig(home, sup.kubeconfig('devops'), 'devops.kubeconfig');
    caFile = path.join(home, 'ca.pem');
    fs.writeFileSync(caFile, makeCa('Clusters Test CA').certPem);
  });
  after(async () => {
    await sup?.close();
  });

  test('trust --all-clusters: each cluster once, configured, then unchanged; the summary per cluster', async () => {
    const args = ['trust', '--ca-file', caFile, '--name', 'lab-ca', '--all-clusters', '--yes', '-n', 'dev'];
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout.split('\n').filter((l) => /^(CLUSTER|tkc-1|vks-1) /.test(l));
    assert.match(summary[0]!, /^CLUSTER\s+NAMESPACE\s+RESULT\s+DETAIL$/);
    assert.match(summary[1]!, /^tkc-1\s+dev\s+configured\s+cluster\/tkc-1$/);
    assert.match(summary[2]!, /^vks-1\s+dev\s+created\s+cluster\/vks-1$/);
    assert.equal(summary.length, 3, r.stdout);
    assert.match(r.stderr, /^trust: 2 clusters: 1 configured, 1 created$/m);
    const again = await run([...args, '-o', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout);
    assert.deepEqual(
      doc.clusters.map((c: { namespace: string; cluster: string; result: string }) => [
        c.namespace,
        c.cluster,
        c.result,
      ]),
      [
        ['dev', 'tkc-1', 'unchanged'],
        ['dev', 'vks-1', 'unchanged'],
      ],
    );
    assert.ok(Array.isArray(doc.clusters[0].objects));
  });

  test('trust --cluster a,b: a name that is not there fails alone, exit 1', async () => {
    const r = await run(['trust', '--ca-file', caFile, '--cluster', 'tkc-1,nope', '--yes', '-n', 'dev']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^tkc-1\s+dev\s+unchanged/m);
    assert.match(r.stdout, /^nope\s+dev\s+failed\s+no TanzuKubernetesCluster or Cluster "nope" in namespace "dev"$/m);
    assert.match(r.stderr, /^trust: 2 clusters: 1 unchanged, 1 failed \(nope\)$/m);
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l.startsWith('error:')),
      ['error: no TanzuKubernetesCluster or Cluster "nope" in namespace "dev"'],
    );
  });

  test('trust --all-clusters without --yes and no terminal: refused before any write, naming every cluster', async () => {
    const r = await run(['trust', '--ca-file', caFile, '--name', 'other', '--all-clusters', '-n', 'dev']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /changing the trust of clusters tkc-1, vks-1 rolls all their nodes: pass --yes/);
  });

  test('push-ca --all-clusters -A -o json: every cluster fails alone, nested rows, exit 1', async () => {
    const r = await run([
      'push-ca',
      '--all-clusters',
      '-A',
      '--ca-file',
      caFile,
      '--registry',
      'h',
      '--direct',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.registry, 'h');
    assert.equal(doc.ca.length, 1);
    const by = Object.fromEntries(doc.clusters.map((c: { cluster: string }) => [c.cluster, c]));
    assert.deepEqual(Object.keys(by).sort(), ['old-1', 'tkc-1', 'vks-1']);
    assert.equal(by['tkc-1'].namespace, 'dev');
    assert.equal(by['old-1'].namespace, 'prod');
    assert.equal(by['tkc-1'].result, 'failed');
    assert.equal(by['tkc-1'].error, '2 nodes failed');
    assert.deepEqual(
      by['tkc-1'].nodes.map((n: { ip: string; result: string }) => [n.ip, n.result]),
      [
        ['127.0.0.201', 'failed'],
        ['127.0.0.202', 'failed'],
      ],
    );
    assert.equal(by['vks-1'].result, 'failed');
    assert.match(by['vks-1'].error, /vks-1-ssh/);
    assert.deepEqual(by['vks-1'].nodes, []);
    assert.match(r.stderr, /^push-ca: 3 clusters: 3 failed \(dev\/tkc-1, dev\/vks-1, prod\/old-1\)$/m);
    assert.match(r.stderr, /^-A: skipped 1 namespace this user may not list clusters in: other$/m);
  });

  test('push-ca two CLUSTERs, text: node rows with a CLUSTER column, then the summary', async () => {
    const r = await run(['push-ca', 'tkc-1', 'vks-1', '--ca-file', caFile, '--registry', 'h', '--direct', '-n', 'dev']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^CLUSTER\s+NODE\s+ROLE\s+IP\s+RESULT\s+RESTARTED\s+VERIFIED$/);
    assert.match(lines[1]!, /^tkc-1\s+\S+\s+controlplane\s+127\.0\.0\.201\s+failed/);
    assert.match(r.stdout, /^CLUSTER\s+NAMESPACE\s+RESULT\s+DETAIL$/m);
    assert.match(r.stdout, /^tkc-1\s+dev\s+failed\s+2 nodes: 2 failed$/m);
    assert.match(r.stdout, /^vks-1\s+dev\s+failed\s+.*vks-1-ssh/m);
  });

  test('exactly one CLUSTER: the single-cluster document, no clusters key', async () => {
    const r = await run(['push-ca', 'tkc-1', '--ca-file', caFile, '--registry', 'h', '--direct', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['cluster', 'registry', 'ca', 'nodes']);
    assert.equal(doc.cluster, 'tkc-1');
  });

  test('jumpbox exec a,b: each cluster in the summary, exit 1', async () => {
    const r = await run(['jumpbox', 'exec', 'tkc-1,vks-1', '--direct', '--all', '--', 'true']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^tkc-1\s+dev\s+failed\s+2 nodes: 2 failed$/m, r.stderr);
    assert.match(r.stdout, /^vks-1\s+dev\s+failed\s+.*vks-1-ssh/m);
    assert.match(r.stderr, /^jumpbox exec: 2 clusters: 2 failed \(tkc-1, vks-1\)$/m);
  });

  test('a namespace whose clusters cannot be listed is one failed row; the others go on', async () => {
    const r = await run(['trust', '--ca-file', caFile, '--all-clusters', '--namespaces', 'dev,kube-system', '--yes']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^tkc-1\s+dev\s+unchanged/m);
    assert.match(r.stdout, /^-\s+kube-system\s+failed\s+.*forbidden/im);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /kube-system/);
  });

  test('no cluster in the chosen namespaces: one error line, exit 1', async () => {
    const r = await run(['push-ca', '--all-clusters', '--namespaces', 'empty', '--ca-file', caFile, '--registry', 'h']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'error: no TanzuKubernetesCluster or Cluster in namespace "empty"\n',
      'before the CA is loaded',
    );
    assert.equal(r.stdout, '');
  });
});
