// Several clusters in one command, the built plugin against the shared lab: `--all-clusters -n dev`
// covers the TanzuKubernetesClusters tkc-1 and tkc-2 (nodes of its own), the v1beta2 Cluster vks-1
// (the lab puts it on tkc-1's nodes) and a TanzuKubernetesCluster added here that has no nodes.
// A cluster whose nodes refuse the key, and the one without nodes, fail alone and are one line
// each of the summary; the others are done. Real containerd pulls (CRI) on every node are the judge.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { tkc2NodeIndexes } from '../../lab/config.js';
import { criPull } from '../../lab/cri.js';
import { nodeExec, setFault } from '../../lab/nodes/nodes.js';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import { UNTRUST_NODE } from '../helpers/lab.js';
import { PLUGIN, runAndActWhen } from '../helpers/run.js';

const BROKEN = 'tkc-nonodes';

type Row = { ip: string; result: string };
type Doc = {
  registry: string;
  clusters: Array<{ cluster: string; namespace: string; result: string; error?: string; nodes: Row[] }>;
};

describe('kubectl harbor push-ca and jumpbox exec over several clusters', needsLab, () => {
  const h = e2e('pushca-clusters');
  const lab = labFixture(h, { admin: true, clusterContext: true, clearFaults: true });
  let fp: string;
  const tkc2 = () => lab.info.tkc2!;
  const pull = (nodes: Array<{ containerdSocket: string }>) =>
    Promise.all(
      nodes.map((n) =>
        criPull(n.containerdSocket, lab.info.image, { username: 'admin', password: lab.info.users.admin! }),
      ),
    );

  before(async () => {
    assert.ok(lab.info.tkc2, 'the lab has tkc-2 (LAB_TKC2_NODES)');
    fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.info.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;
    // Untrusted nodes, whatever an earlier run left behind.
    const all = [...Array.from({ length: lab.cfg.nodes }, (_, i) => i + 1), ...tkc2NodeIndexes(lab.cfg)];
    for (const i of all) {
      const r = await nodeExec(lab.cfg, i, ['sh', '-c', UNTRUST_NODE]);
      assert.equal(r.code, 0, r.stderr);
    }
    const tkc = {
      apiVersion: 'run.tanzu.vmware.com/v1alpha3',
      kind: 'TanzuKubernetesCluster',
      metadata: { name: BROKEN, namespace: lab.info.cluster.namespace },
      spec: { topology: { controlPlane: { replicas: 1, vmClass: 'best-effort-small', storageClass: 'lab' } } },
    };
    const r = await h.kubectl(['apply', '-f', '-'], { input: JSON.stringify(tkc) });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await h.kubectl([
      'delete',
      'tanzukubernetescluster',
      BROKEN,
      '-n',
      lab.info.cluster.namespace,
      '--ignore-not-found',
    ]);
  });

  const pushAll = (extra: string[]) =>
    h.harbor([
      'push-ca',
      '--all-clusters',
      '-n',
      lab.info.cluster.namespace,
      '--from-registry',
      lab.info.harbor,
      '--fingerprint',
      fp,
      ...extra,
    ]);

  test('push-ca --all-clusters: tkc-2 refusing the key and the cluster without nodes fail alone; tkc-1 and vks-1 done', async () => {
    for (const p of await pull([...lab.info.nodes, ...tkc2().nodes])) assert.equal(p.ok, false, 'untrusted before');
    for (const i of tkc2NodeIndexes(lab.cfg)) await setFault(lab.cfg, i, 'refuse-key');
    // One cluster at a time, so that which of tkc-1 and vks-1 (same nodes in the lab) installs is known.
    const r = await pushAll(['--parallel-clusters', '1', '-o', 'json']);
    for (const i of tkc2NodeIndexes(lab.cfg)) await setFault(lab.cfg, i, 'clear');
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.registry, lab.info.harbor);
    const by = Object.fromEntries(doc.clusters.map((c) => [c.cluster, c]));
    const names = [lab.info.cluster.name, tkc2().name, BROKEN, lab.info.vksCluster.name];
    assert.deepEqual(
      doc.clusters.map((c) => c.cluster),
      names.sort(),
      'every TKC and Cluster of dev, once each, by name',
    );
    const first = by[lab.info.cluster.name]!;
    assert.equal(first.result, 'done', JSON.stringify(first));
    assert.equal(first.namespace, lab.info.cluster.namespace);
    assert.deepEqual(
      lab.info.nodes.map((n) => first.nodes.find((x) => x.ip === n.ip)?.result),
      lab.info.nodes.map(() => 'installed'),
    );
    const vks = by[lab.info.vksCluster.name]!;
    assert.equal(vks.result, 'done', JSON.stringify(vks));
    assert.ok(
      vks.nodes.every((n) => n.result === 'unchanged'),
      JSON.stringify(vks.nodes),
    );
    const second = by[tkc2().name]!;
    assert.equal(second.result, 'failed');
    assert.equal(second.error, `${tkc2().nodes.length} nodes failed`);
    assert.deepEqual(
      second.nodes.map((n) => n.result),
      tkc2().nodes.map(() => 'failed'),
    );
    assert.equal(by[BROKEN]!.result, 'failed');
    assert.match(by[BROKEN]!.error!, new RegExp(`no VirtualMachines of cluster "${BROKEN}"`));
    assert.deepEqual(by[BROKEN]!.nodes, []);
    assert.match(r.stderr, new RegExp(`^push-ca: 4 clusters: 2 done, 2 failed \\(tkc-2, ${BROKEN}\\)$`, 'm'));
    for (const p of await pull(lab.info.nodes)) assert.equal(p.ok, true, JSON.stringify(p));
    for (const p of await pull(tkc2().nodes)) assert.equal(p.ok, false, 'tkc-2 untouched');
  });

  test('the re-run, clusters at once: tkc-2 done, the others unchanged; every node of both TKCs pulls', async () => {
    const ns = lab.info.cluster.namespace;
    const r = await pushAll([]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^CLUSTER\s+NODE\s+ROLE\s+IP\s+RESULT\s+RESTARTED\s+VERIFIED$/m);
    assert.equal((r.stdout.match(/unchanged\s+no\s+yes/g) ?? []).length, 2 * lab.info.nodes.length, r.stdout);
    assert.match(r.stdout, /^CLUSTER\s+NAMESPACE\s+RESULT\s+DETAIL$/m);
    const n = lab.info.nodes.length;
    assert.match(
      r.stdout,
      new RegExp(`^${lab.info.cluster.name}\\s+${ns}\\s+done\\s+${n} nodes: ${n} unchanged$`, 'm'),
    );
    const m = tkc2().nodes.length;
    assert.match(r.stdout, new RegExp(`^tkc-2\\s+${ns}\\s+done\\s+${m} nodes: ${m} installed$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${BROKEN}\\s+${ns}\\s+failed\\s+no VirtualMachines`, 'm'));
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l.startsWith('error:')),
      [
        `error: no VirtualMachines of cluster "${BROKEN}" in namespace "${ns}"; is the name right, and is this its vSphere Namespace?`,
      ],
      'the failed cluster: one error line',
    );
    for (const p of await pull([...lab.info.nodes, ...tkc2().nodes])) assert.equal(p.ok, true, JSON.stringify(p));
  });

  test('clusters that share nodes at once (tkc-1 and vks-1 in the lab): the runs on a node take turns, none fails', async () => {
    for (let i = 1; i <= lab.cfg.nodes; i++) {
      const r = await nodeExec(lab.cfg, i, ['sh', '-c', UNTRUST_NODE]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await h.harbor([
      'push-ca',
      lab.info.cluster.name,
      lab.info.vksCluster.name,
      '-n',
      lab.info.cluster.namespace,
      '--from-registry',
      lab.info.harbor,
      '--fingerprint',
      fp,
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.deepEqual(
      doc.clusters.map((c) => c.result),
      ['done', 'done'],
    );
    // Each node was installed by exactly one of the two runs; the other found it done.
    for (const n of lab.info.nodes) {
      const results = doc.clusters.map((c) => c.nodes.find((x) => x.ip === n.ip)?.result).sort();
      assert.deepEqual(results, ['installed', 'unchanged'], `${n.ip}: ${results}`);
    }
    for (const p of await pull(lab.info.nodes)) assert.ok(p.ok, p.ok ? '' : p.error);
  });

  test('jumpbox exec a,b: lines prefixed by cluster/node, a summary per cluster', async () => {
    const two = `${lab.info.cluster.name},${lab.info.vksCluster.name}`;
    const r = await h.harbor(['jumpbox', 'exec', two, '-n', lab.info.cluster.namespace, '--all', '--', 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    for (const c of [lab.info.cluster.name, lab.info.vksCluster.name])
      assert.equal(
        (r.stdout.match(new RegExp(`^\\[${c}/\\S+\\] hi$`, 'gm')) ?? []).length,
        lab.info.nodes.length,
        r.stdout,
      );
    assert.match(
      r.stdout,
      new RegExp(
        `^${lab.info.vksCluster.name}\\s+\\S+\\s+done\\s+${lab.info.nodes.length} nodes: ${lab.info.nodes.length} succeeded$`,
        'm',
      ),
    );
    assert.match(r.stderr, /^jumpbox exec: 2 clusters: 2 done$/m);
  });

  test('SIGINT: the cluster in flight stops, no other cluster starts, its pod is deleted, exit 130', async () => {
    const mark = '/tmp/harbor-clusters-mark';
    const marked = async () => {
      let n = 0;
      for (let i = 1; i <= lab.cfg.nodes; i++) if ((await nodeExec(lab.cfg, i, ['test', '-e', mark])).code === 0) n++;
      return n;
    };
    for (let i = 1; i <= lab.cfg.nodes; i++) await nodeExec(lab.cfg, i, ['rm', '-f', mark]);
    const ns = lab.info.cluster.namespace;
    const args = ['--context', ns, 'jumpbox', 'exec', '--all-clusters', '-n', ns, '--parallel-clusters', '1'];
    const r = await runAndActWhen(
      PLUGIN,
      [...args, '--parallel', '1', '--all', '--', 'sh', '-c', `touch ${mark}; sleep 60`],
      h.env(),
      async () => (await marked()) >= 1,
      (child) => child.kill('SIGINT'),
    );
    assert.equal(r.code, 130, r.stderr);
    assert.equal(await marked(), 1, 'no other node or cluster started');
    assert.match(r.stderr, /interrupted: starting no more clusters or nodes; stopping those in flight/);
    assert.match(
      r.stdout,
      new RegExp(`^${lab.info.vksCluster.name}\\s+${ns}\\s+skipped \\(interrupted\\)\\s+not started$`, 'm'),
    );
    assert.match(r.stderr, /^jumpbox exec: 4 clusters: 3 skipped \(interrupted\), 1 failed \(tkc-1\)$/m);
    for (const c of [lab.info.cluster.name, lab.info.vksCluster.name])
      assert.equal((await h.kubectl(['get', 'pod', `harbor-jumpbox-${c}`, '-n', ns])).code, 1, `no pod for ${c}`);
    for (let i = 1; i <= lab.cfg.nodes; i++) await nodeExec(lab.cfg, i, ['rm', '-f', mark]);
  });
});
