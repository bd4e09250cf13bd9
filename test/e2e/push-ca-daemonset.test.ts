// `kubectl harbor push-ca --via daemonset`: the built plugin, through the lab's TKC API
// (Nodes, a DaemonSet controller whose pods run in the nodes' own namespaces), onto the real
// nodes' containerd; kubelet-style CRI pulls are the judge, sha256 of certs.d the witness
// that --remove puts back exactly what was there.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { criPull } from '../../lab/cri.js';
import { nodeName, paths } from '../../lab/config.js';
import { addNode, extraNodes, removeNode } from '../../lab/control.js';
import { nodeExec } from '../../lab/nodes/nodes.js';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import { UNTRUST_NODE } from '../helpers/lab.js';
import type { Result } from '../helpers/run.js';

describe('kubectl harbor push-ca --via daemonset', needsLab, () => {
  const h = e2e('pushcads');
  const lab = labFixture(h, { admin: true, clusterContext: true });
  const push = (args: string[]): Promise<Result> =>
    h.harbor([
      'push-ca',
      'tkc-1',
      '--via',
      'daemonset',
      '--ca-file',
      lab.info.ca,
      '--registry',
      lab.info.harbor,
      ...args,
    ]);
  const tkc = (args: string[], o: { input?: string } = {}): Promise<Result> =>
    h.kubectl(['--context', 'tkc-1', ...args], o);
  const socket = (i: number) => path.join(paths(lab.cfg).nodes, nodeName(i), 'run/containerd/containerd.sock');
  const pull = (i: number) =>
    criPull(socket(i), lab.info.image, { username: 'admin', password: lab.info.users.admin! });
  const indexes = () => lab.info.nodes.map((_, i) => i + 1);
  /** Every path under certs.d with the sha256 of each file. */
  const certsD = async (i: number): Promise<string> =>
    (
      await nodeExec(lab.cfg, i, [
        'sh',
        '-c',
        'cd /etc/containerd/certs.d && find . | sort && find . -type f | sort | xargs -r sha256sum',
      ])
    ).stdout;
  const dsLeft = async () =>
    (await tkc(['-n', 'kube-system', 'get', 'ds', '-l', 'app.kubernetes.io/managed-by=kubectl-harbor', '-o', 'name']))
      .stdout;
  const rows = (r: Result) =>
    (JSON.parse(r.stdout).nodes as Array<{ node: string; result: string; error?: string }>).map((x) => x.result);
  const before1: string[] = [];
  const previous = 'a CA someone put there before\n';

  before(async () => {
    for (const i of indexes()) {
      assert.equal((await nodeExec(lab.cfg, i, ['sh', '-c', UNTRUST_NODE])).code, 0);
    }
    // Node 2 already has a (wrong) ca.crt for the registry: --remove must put these bytes back.
    const host = lab.info.harbor;
    await nodeExec(lab.cfg, 2, [
      'sh',
      '-c',
      `mkdir -p "/etc/containerd/certs.d/${host}" && printf '${previous}' > "/etc/containerd/certs.d/${host}/ca.crt"`,
    ]);
    for (const i of indexes()) before1.push(await certsD(i));
    for (const i of indexes()) assert.equal((await pull(i)).ok, false, 'untrusted to begin with');
  });
  after(async () => {
    if (lab.cfg) for (const n of extraNodes(lab.cfg)) await removeNode(lab.cfg, n.name).catch(() => undefined);
    await tkc(['label', 'namespace', 'kube-system', 'pod-security.kubernetes.io/enforce=privileged', '--overwrite']);
  });

  test('every node gets the CA through the DaemonSet and pulls; the DaemonSet is gone afterwards', async () => {
    const r = await push(['-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cluster "tkc-1" reached through context "tkc-1"/);
    assert.deepEqual(
      rows(r),
      lab.info.nodes.map(() => 'installed'),
    );
    for (const i of indexes()) assert.equal((await pull(i)).ok, true, `node ${i} pulls`);
    assert.equal(await dsLeft(), '');
  });

  test('a re-run is unchanged everywhere (table output)', async () => {
    const r = await push([]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NODE\s+ROLE\s+IP\s+RESULT\s+RESTARTED\s+VERIFIED/);
    assert.equal((r.stdout.match(/ unchanged /g) ?? []).length, lab.info.nodes.length, r.stdout);
  });

  test('--keep: a node added afterwards gets the CA without a new command', async () => {
    const r = await push(['--keep']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /stays in kube-system \(--keep\): nodes added later get the CA/);
    assert.match(await dsLeft(), /daemonset.apps\/kubectl-harbor-ca-/);
    const added = await addNode(lab.cfg, 'tkc-1');
    let ok = false;
    for (let t = 0; t < 120 && !ok; t++) {
      ok = (await pull(added.index).catch(() => ({ ok: false }))).ok;
      if (!ok) await new Promise((res) => setTimeout(res, 1000));
    }
    assert.equal(ok, true, 'the new node pulls');
    // A re-run against the kept DaemonSet rolls its pods (a new run label) and reads fresh results.
    const again = await push(['--keep', '-o', 'json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(rows(again), [...lab.info.nodes.map(() => 'unchanged'), 'unchanged']);
  });

  test('--remove restores every node byte for byte and removes the DaemonSet; again: unchanged', async () => {
    const r = await h.harbor([
      'push-ca',
      'tkc-1',
      '--via',
      'daemonset',
      '--registry',
      lab.info.harbor,
      '--remove',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      rows(r).every((x) => x === 'removed'),
      r.stdout,
    );
    for (const i of indexes()) assert.equal(await certsD(i), before1[i - 1], `node ${i}: certs.d as before`);
    assert.match(await certsD(2), /ca\.crt/, 'the previous file is back');
    assert.equal(await dsLeft(), '');
    const again = await h.harbor([
      'push-ca',
      'tkc-1',
      '--via',
      'daemonset',
      '--registry',
      lab.info.harbor,
      '--remove',
      '-o',
      'json',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(
      rows(again).every((x) => x === 'unchanged'),
      again.stdout,
    );
  });

  test('an image without a shell: every node failed with StartError, exit 1, nothing left', async () => {
    const r = await push(['--image', 'localhost:5000/vmware.io/pause:3.9', '--timeout', '60s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /StartError/);
    assert.equal(await dsLeft(), '');
  });

  test('an image the nodes cannot pull: every node failed with the pull error, exit 1', async () => {
    const r = await push(['--image', `${lab.info.harbor}/nowhere/none:1`, '--timeout', '30s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: n1: pod\/\S+: (ErrImagePull|ImagePullBackOff)/);
    assert.equal(await dsLeft(), '');
  });

  test('containerd without config_path: needs-restart and the command; --allow-restart fixes it, one node', async () => {
    const sed = (expr: string) =>
      nodeExec(lab.cfg, 1, [
        'sh',
        '-c',
        `sed -i '${expr}' /etc/containerd/config.toml && systemctl restart containerd`,
      ]);
    assert.equal((await sed('s/^\\([[:space:]]*\\)config_path/\\1#config_path/')).code, 0);
    try {
      const r = await push(['-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(rows(r)[0], 'needs-restart');
      assert.match(
        r.stderr,
        /n1 has no config_path.*Run: kubectl harbor push-ca tkc-1 --via daemonset --ca-file \S+ --registry \S+ .*--allow-restart/,
      );
      const fixed = await push(['--allow-restart', '-o', 'json']);
      assert.equal(fixed.code, 0, fixed.stderr);
      const n1 = JSON.parse(fixed.stdout).nodes[0];
      assert.equal(n1.result, 'installed', fixed.stdout);
      assert.equal(n1.restarted, true);
      assert.equal((await pull(1)).ok, true);
      assert.equal(await dsLeft(), '');
    } finally {
      await sed('s/#config_path/config_path/');
      const reset =
        'find /etc/ssl/certs -maxdepth 1 -type f -name "*.pem" -delete; if [ -f /etc/pki/tls/certs/.distribution-bundle.crt ]; then cp /etc/pki/tls/certs/.distribution-bundle.crt /etc/pki/tls/certs/ca-bundle.crt; fi; systemctl restart containerd';
      await nodeExec(lab.cfg, 1, ['sh', '-c', reset]);
    }
  });

  test('--dry-run -o yaml prints a DaemonSet that kubectl apply accepts (server dry run); nothing is applied', async () => {
    const r = await push(['--dry-run', '-o', 'yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imagePullPolicy: Never/);
    const applied = await tkc(['apply', '--dry-run=server', '-f', '-'], { input: r.stdout });
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /daemonset.apps\/kubectl-harbor-ca-\S+ created \(server dry run\)/);
    assert.equal(await dsLeft(), '');
  });

  test('PodSecurity refusing kube-system pods: exit 1, the label named, nothing left behind', async () => {
    await tkc(['label', 'namespace', 'kube-system', 'pod-security.kubernetes.io/enforce=baseline', '--overwrite']);
    const r = await push(['--timeout', '60s']);
    await tkc(['label', 'namespace', 'kube-system', 'pod-security.kubernetes.io/enforce=privileged', '--overwrite']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /violates PodSecurity/);
    assert.match(r.stderr, /pod-security.kubernetes.io\/enforce=privileged/);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, r.stderr);
    assert.equal(await dsLeft(), '');
  });

  test('no context for the cluster: the Cluster API kubeconfig secret is used, and said', async () => {
    const file = path.join(h.home, 'no-tkc.kubeconfig');
    const k = await h.kubectl(['config', 'view', '--raw', '--minify=false', '-o', 'json']);
    const cfg = JSON.parse(k.stdout) as { contexts: Array<{ name: string }> };
    cfg.contexts = cfg.contexts.filter((c) => c.name !== 'tkc-1');
    fs.writeFileSync(file, JSON.stringify(cfg));
    const r = await h.harbor([
      'push-ca',
      'tkc-1',
      '--via',
      'daemonset',
      '--registry',
      lab.info.harbor,
      '--remove',
      '--kubeconfig',
      file,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /reached through secret\/tkc-1-kubeconfig in namespace "dev"/);
  });
});
