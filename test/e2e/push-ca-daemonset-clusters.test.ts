// `push-ca --via daemonset --all-clusters -n dev`, the built plugin against the shared lab: tkc-1,
// vks-1 (a v1beta2 Cluster on tkc-1's nodes) and tkc-2 (nodes of its own), each reached through
// its own context. tkc-2's kube-system made to enforce PodSecurity baseline refuses the pods:
// it fails alone (exit 1), the others are done and every node of theirs pulls through its real
// containerd (CRI). Fixed, a re-run installs tkc-2 and is unchanged elsewhere; --remove
// --all-clusters puts every node's certs.d back as it was (sha256 of every file).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tkc2NodeIndexes } from '../../lab/config.js';
import { criPull } from '../../lab/cri.js';
import { nodeExec } from '../../lab/nodes/nodes.js';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

type Doc = {
  via: string;
  clusters: Array<{
    cluster: string;
    namespace: string;
    result: string;
    error?: string;
    nodes: Array<{ result: string }>;
  }>;
};
const ENFORCE = 'pod-security.kubernetes.io/enforce';

describe('kubectl harbor push-ca --via daemonset over several clusters', needsLab, () => {
  const h = e2e('pushcads-clusters');
  const lab = labFixture(h, { admin: true, clusterContext: true });
  const tkc2 = () => lab.info.tkc2!;
  const all = () => [...Array.from({ length: lab.cfg.nodes }, (_, i) => i + 1), ...tkc2NodeIndexes(lab.cfg)];
  const pulls = async (nodes: Array<{ containerdSocket: string }>) =>
    (
      await Promise.all(
        nodes.map((n) =>
          criPull(n.containerdSocket, lab.info.image, { username: 'admin', password: lab.info.users.admin! }),
        ),
      )
    ).map((p) => p.ok);
  const certsD = async (i: number): Promise<string> =>
    (
      await nodeExec(lab.cfg, i, [
        'sh',
        '-c',
        'cd /etc/containerd/certs.d && find . | sort && find . -type f | sort | xargs -r sha256sum',
      ])
    ).stdout;
  const enforce = (level: string): Promise<Result> =>
    h.kubectl(['--context', tkc2().name, 'label', 'namespace', 'kube-system', `${ENFORCE}=${level}`, '--overwrite']);
  const push = (extra: string[]): Promise<Result> =>
    h.harbor([
      'push-ca',
      '--via',
      'daemonset',
      '--all-clusters',
      '-n',
      lab.info.cluster.namespace,
      '--registry',
      lab.info.harbor,
      ...extra,
    ]);
  const initial = new Map<number, string>();

  before(async () => {
    assert.ok(lab.info.tkc2, 'the lab has tkc-2 (LAB_TKC2_NODES)');
    for (const i of all()) {
      // Untrusted, whatever an earlier run (SSH mode's OS trust store too) left behind.
      const reset = [
        'find /etc/ssl/certs -maxdepth 1 -type f -name "*.pem" -delete',
        'rm -rf /etc/containerd/certs.d/* /usr/local/share/ca-certificates/*.crt /var/backups/kubectl-harbor',
        'if [ -f /etc/pki/tls/certs/.distribution-bundle.crt ]; then cp /etc/pki/tls/certs/.distribution-bundle.crt /etc/pki/tls/certs/ca-bundle.crt; else update-ca-certificates --fresh >/dev/null 2>&1; fi',
        'systemctl restart containerd',
      ].join('; ');
      const r = await nodeExec(lab.cfg, i, ['sh', '-c', reset]);
      assert.equal(r.code, 0, r.stderr);
      initial.set(i, await certsD(i));
    }
  });
  after(async () => {
    if (lab.info?.tkc2) await enforce('privileged');
  });

  test('tkc-2 refusing the pods fails alone; tkc-1 and vks-1 done, every node of theirs pulls', async () => {
    assert.deepEqual(await pulls([...lab.info.nodes, ...tkc2().nodes]), [
      ...lab.info.nodes.map(() => false),
      ...tkc2().nodes.map(() => false),
    ]);
    assert.equal((await enforce('baseline')).code, 0);
    // One cluster at a time: the lab puts tkc-1 and vks-1 on the same nodes.
    const r = await push(['--ca-file', lab.info.ca, '--parallel-clusters', '1', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.via, 'daemonset');
    const by = Object.fromEntries(doc.clusters.map((c) => [c.cluster, c]));
    assert.deepEqual(Object.keys(by).sort(), [lab.info.cluster.name, tkc2().name, lab.info.vksCluster.name].sort());
    const results = (c: string) => by[c]!.nodes.map((n) => n.result);
    assert.equal(by[lab.info.cluster.name]!.result, 'done');
    assert.deepEqual(
      results(lab.info.cluster.name),
      lab.info.nodes.map(() => 'installed'),
    );
    assert.equal(by[lab.info.vksCluster.name]!.result, 'done');
    assert.deepEqual(
      results(lab.info.vksCluster.name),
      lab.info.nodes.map(() => 'unchanged'),
    );
    assert.equal(by[tkc2().name]!.result, 'failed');
    assert.match(by[tkc2().name]!.error!, /kube-system of cluster "tkc-2" refuses the DaemonSet's pods/);
    assert.deepEqual(by[tkc2().name]!.nodes, []);
    assert.match(r.stderr, /^push-ca \[tkc-2\]: cluster "tkc-2" reached through context "tkc-2"$/m);
    assert.match(r.stderr, /^push-ca: 3 clusters: 2 done, 1 failed \(tkc-2\)$/m);
    assert.deepEqual(
      await pulls(lab.info.nodes),
      lab.info.nodes.map(() => true),
      'tkc-1 nodes pull',
    );
    assert.deepEqual(
      await pulls(tkc2().nodes),
      tkc2().nodes.map(() => false),
      'tkc-2 untouched',
    );
  });

  test('fixed, the re-run (clusters at once): tkc-2 installed, the others unchanged; every node pulls', async () => {
    assert.equal((await enforce('privileged')).code, 0);
    const r = await push(['--ca-file', lab.info.ca]);
    assert.equal(r.code, 0, r.stderr);
    const ns = lab.info.cluster.namespace;
    const m = tkc2().nodes.length;
    const n = lab.info.nodes.length;
    assert.match(r.stdout, /^CLUSTER\s+NODE\s+ROLE\s+IP\s+RESULT\s+RESTARTED\s+VERIFIED$/m);
    assert.match(r.stdout, new RegExp(`^tkc-2\\s+${ns}\\s+done\\s+${m} nodes: ${m} installed$`, 'm'));
    assert.match(r.stdout, new RegExp(`^tkc-1\\s+${ns}\\s+done\\s+${n} nodes: ${n} unchanged$`, 'm'));
    assert.match(r.stdout, new RegExp(`^vks-1\\s+${ns}\\s+done\\s+${n} nodes: ${n} unchanged$`, 'm'));
    assert.match(r.stderr, /^push-ca: 3 clusters: 3 done$/m);
    assert.deepEqual(await pulls([...lab.info.nodes, ...tkc2().nodes]), [
      ...lab.info.nodes.map(() => true),
      ...tkc2().nodes.map(() => true),
    ]);
  });

  test('--remove --all-clusters puts every node back as it was; no DaemonSet is left', async () => {
    const r = await push(['--remove', '--parallel-clusters', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^push-ca --remove: 3 clusters: 3 done$/m);
    for (const i of all()) assert.equal(await certsD(i), initial.get(i), `node ${i}`);
    for (const c of [lab.info.cluster.name, tkc2().name]) {
      const ds = await h.kubectl([
        '--context',
        c,
        '-n',
        'kube-system',
        'get',
        'ds',
        '-l',
        'app.kubernetes.io/managed-by=kubectl-harbor',
        '-o',
        'name',
      ]);
      assert.equal(ds.stdout, '', c);
    }
  });
});
