// push-ca --via daemonset on several clusters, in-process against the Supervisor emulator and
// its TKC emulators (DaemonSet pods run in a sandbox per node): --all-clusters over two
// namespaces reaches each cluster through its kubeconfig secret in the namespace it was found
// in; a cluster whose kube-system PodSecurity refuses the pods fails alone (exit 1), the others
// install; fixed, a re-run installs it and is unchanged elsewhere (-o json nests the nodes);
// --remove takes every file away; a named cluster that cannot be reached fails alone; bad
// combinations are usage errors before any I/O.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';
import { startSupervisor, type SupervisorLab, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { makeCa } from '../../lab/pki.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli, type Result } from '../helpers/run.js';

const HOST = 'h.example.com:8443';
const ENFORCE = 'pod-security.kubernetes.io/enforce';
const NODES: Record<string, string[]> = { 'tkc-1': ['a1', 'a2'], 'vks-1': ['b1'], 'old-1': ['c1'] };

describe('push-ca --via daemonset on several clusters (API emulators)', { timeout: 240_000 }, () => {
  let sup: SupervisorLab;
  let home: string;
  let caFile: string;
  const run = (args: string[]): Promise<Result> =>
    cli(['--kubeconfig', path.join(home, 'devops.kubeconfig'), '--context', 'dev', ...args], {}, home);
  const ds = ['push-ca', '--via', 'daemonset', '--registry', HOST, '--timeout', '60s'];
  const caPath = (cluster: string, node: string): string =>
    path.join(sup.tkcs.get(cluster)!.runtime.sandboxRoot!, node, 'etc/containerd/certs.d', HOST, 'ca.crt');
  const setEnforce = (cluster: string, level: string): void => {
    const api = sup.tkcs.get(cluster)!;
    api.registry.mutate(api.type('namespaces'), '', 'kube-system', (ns) => {
      ns.metadata.labels = { ...ns.metadata.labels, [ENFORCE]: level };
    });
  };

  before(async () => {
    const spec = (name: string, namespace: string, api?: 'cluster' | 'cluster-v1beta2') => ({
      name,
      namespace,
      ...(api ? { api } : {}),
      controlPlaneIps: ['10.99.0.1'],
      workerIps: [],
      nodes: NODES[name]!.map((n, i) => ({ name: n, ip: `10.99.0.${i + 1}`, controlPlane: i === 0 })),
    });
    sup = await startSupervisor({
      namespaces: ['dev', 'prod'],
      clusters: [spec('tkc-1', 'dev'), spec('vks-1', 'dev', 'cluster-v1beta2'), spec('old-1', 'prod', 'cluster')],
    });
    // Each node's containerd reads certs.d (config_path), as on TKr 1.26+.
    for (const [cluster, nodes] of Object.entries(NODES))
      for (const n of nodes) {
        const dir = path.join(sup.tkcs.get(cluster)!.runtime.sandboxRoot!, n, 'etc/containerd');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, 'config.toml'),
          'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
        );
      }
    home = tempDir('harbor-ds-clusters-');
    // No context for old-1: it is reached through its kubeconfig secret, in its own namespace (prod).
    const kc = YAML.parse(sup.kubeconfig('devops'));
    kc.contexts = kc.contexts.filter((c: { name: string }) => c.name !== 'old-1');
    writeKubeconfig(home, YAML.stringify(kc), 'devops.kubeconfig');
    caFile = path.join(home, 'ca.pem');
    fs.writeFileSync(caFile, makeCa('DS Clusters Test CA').certPem);
  });
  after(async () => {
    await sup?.close();
  });

  test('--all-clusters: a refusing cluster fails alone; fixed, a re-run; --remove takes every file away', async () => {
    setEnforce('vks-1', 'baseline');
    const all = [...ds, '--ca-file', caFile, '--all-clusters', '--namespaces', 'dev,prod'];
    const r = await run(all);
    assert.equal(r.code, 1, r.stderr);
    const summary = r.stdout.split('\n').slice(r.stdout.split('\n').findIndex((l) => /^CLUSTER\s+NAMESPACE/.test(l)));
    assert.match(summary[1]!, /^tkc-1\s+dev\s+done\s+2 nodes: 2 installed$/);
    assert.match(summary[2]!, /^vks-1\s+dev\s+failed\s+namespace kube-system of cluster "vks-1" refuses/);
    assert.match(summary[3]!, /^old-1\s+prod\s+done\s+1 node: 1 installed$/);
    assert.match(r.stdout, /^CLUSTER\s+NODE\s+ROLE\s+IP\s+RESULT/m);
    assert.match(r.stdout, /^dev\/tkc-1\s+a1\s+controlplane\s+10\.99\.0\.1\s+installed/m);
    // Each cluster's secret is read in the namespace it was found in; its lines are tagged.
    assert.match(
      r.stderr,
      /^push-ca \[prod\/old-1\]: cluster "old-1" reached through secret\/old-1-kubeconfig in namespace "prod"$/m,
    );
    assert.match(r.stderr, /^push-ca \[dev\/tkc-1\]: daemonset\/kubectl-harbor-ca-\S+ created in kube-system/m);
    assert.match(r.stderr, /^error: namespace kube-system of cluster "vks-1" refuses .*enforce=privileged/m);
    assert.match(r.stderr, /^push-ca: 3 clusters: 2 done, 1 failed \(dev\/vks-1\)$/m);
    for (const n of ['a1', 'a2']) assert.ok(fs.existsSync(caPath('tkc-1', n)), n);
    assert.ok(fs.existsSync(caPath('old-1', 'c1')));
    assert.ok(!fs.existsSync(caPath('vks-1', 'b1')));
    const vks = sup.tkcs.get('vks-1')!;
    assert.equal(vks.store.list(vks.type('daemonsets', 'apps')).length, 0);

    setEnforce('vks-1', 'privileged');
    const again = await run([...all, '-o', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const doc = JSON.parse(again.stdout);
    assert.equal(doc.via, 'daemonset');
    assert.deepEqual(
      doc.clusters.map((c: { cluster: string; result: string; nodes: Array<{ node: string; result: string }> }) => [
        c.cluster,
        c.result,
        c.nodes.map((n) => `${n.node}=${n.result}`).join(','),
      ]),
      [
        ['tkc-1', 'done', 'a1=unchanged,a2=unchanged'],
        ['vks-1', 'done', 'b1=installed'],
        ['old-1', 'done', 'c1=unchanged'],
      ],
    );

    const rm = await run([...ds, '--remove', '--all-clusters', '--namespaces', 'dev,prod']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stderr, /^push-ca --remove: 3 clusters: 3 done$/m);
    for (const [cluster, nodes] of Object.entries(NODES))
      for (const n of nodes) assert.ok(!fs.existsSync(caPath(cluster, n)), `${cluster}/${n}`);
  });

  test('named clusters: one that cannot be reached fails alone; --keep names each cluster', async () => {
    const r = await run([...ds, '--ca-file', caFile, 'tkc-1', 'nope', '--keep', '-n', 'dev']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: cannot reach the API of cluster "nope": .*secret\/nope-kubeconfig in namespace "dev"/m,
    );
    assert.match(
      r.stderr,
      /^push-ca \[tkc-1\]: daemonset\/kubectl-harbor-ca-\S+ stays in kube-system \(--keep\).* push-ca tkc-1 -n dev --via daemonset --registry h\.example\.com:8443 --remove$/m,
    );
    assert.match(r.stderr, /^push-ca: 2 clusters: 1 done, 1 failed \(nope\)$/m);
    const rm = await run([...ds, '--remove', 'tkc-1,nope', '-n', 'dev', '-o', 'json']);
    assert.equal(rm.code, 1, rm.stderr);
    const doc = JSON.parse(rm.stdout);
    assert.deepEqual(
      doc.clusters.map((c: { cluster: string; result: string; error?: string }) => [c.cluster, c.result, !!c.error]),
      [
        ['tkc-1', 'done', false],
        ['nope', 'failed', true],
      ],
    );
    assert.ok(!fs.existsSync(caPath('tkc-1', 'a1')));
  });

  test('a node without config_path: needs-restart, exit 1, the exact command for its cluster, tagged', async () => {
    const config = path.join(sup.tkcs.get('vks-1')!.runtime.sandboxRoot!, 'b1', 'etc/containerd/config.toml');
    const saved = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, 'version = 2\n');
    try {
      const r = await run([...ds, '--ca-file', caFile, 'tkc-1', 'vks-1']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /^vks-1\s+dev\s+needs-restart\s+1 node: 1 needs-restart$/m);
      assert.match(
        r.stderr,
        new RegExp(
          `^push-ca \\[vks-1\\]: containerd on b1 has no config_path.* Run: kubectl harbor push-ca vks-1 --via daemonset --ca-file ${caFile} --registry ${HOST} --context dev -n dev --allow-restart$`,
          'm',
        ),
      );
      assert.doesNotMatch(r.stderr, /push-ca \[tkc-1\]: containerd on/);
      assert.match(r.stderr, /^push-ca: 2 clusters: 1 done, 1 needs-restart$/m);
    } finally {
      fs.writeFileSync(config, saved);
    }
    assert.equal((await run([...ds, '--remove', 'tkc-1', 'vks-1'])).code, 0);
  });

  test('bad combinations are usage errors, exit 2, before any I/O', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[...ds, '--ca-file', caFile, 'tkc-1', 'vks-1', '--dry-run'], /--dry-run with --via daemonset prints one/],
      [[...ds, '--ca-file', caFile, '--all-clusters', '--dry-run'], /--dry-run with --via daemonset prints one/],
      [[...ds, '--ca-file', caFile, '--all-clusters', 'tkc-1'], /name clusters \(CLUSTER\) or use --all-clusters/],
      [[...ds, '--ca-file', caFile], /name the cluster: CLUSTER/],
      [[...ds, '--ca-file', caFile, 'tkc-1', '-A'], /--namespaces and -A say where --all-clusters looks/],
      [[...ds, '--ca-file', caFile, '--all-clusters', '--parallel-clusters', '0'], /--parallel-clusters/],
    ];
    for (const [argv, want] of cases) {
      const r = await cli(['--kubeconfig', '/nonexistent/kubeconfig', ...argv]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);
    }
  });
});
