// The lab daemon's fleet: tkc-2 with nodes of its own beside tkc-1 (contexts, VMs, ssh
// secret, Node objects), the Cluster API `<cluster>-kubeconfig` secrets whose user is admin
// in the cluster, and add-node/remove-node on a running lab (a DaemonSet in the daemon's
// tkc-1 gets a pod on the new node; removing it takes the Node, its pods and the VM away).
// Uses the shared lab (LAB_SLOT=N), root.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { SHELL_IMAGE } from '../../lab/apiserver/nodes.js';
import { TKC2, type LabConfig } from '../../lab/config.js';
import { addNode, extraNodes, removeNode, setKubelet } from '../../lab/control.js';
import type { LabInfo } from '../../lab/lab.js';
import { status } from '../../lab/lab.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';

const ef = promisify(execFile);

describe('the lab fleet: tkc-2, kubeconfig secrets, add-node', { skip: !canRunLab && 'needs root (the lab)' }, () => {
  let cfg: LabConfig;
  let info: LabInfo;
  let dir: string;
  const kubectl = async (kubeconfig: string, ...args: string[]) => {
    try {
      const r = await ef('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: Number(x.code ?? 1), stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };

  before(async () => {
    ({ cfg, info } = await sharedLab());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-lab-'));
  });
  after(async () => {
    if (cfg) for (const n of extraNodes(cfg)) await removeNode(cfg, n.name).catch(() => undefined);
    if (info)
      await kubectl(
        info.adminKubeconfig,
        '--context',
        'tkc-1',
        '-n',
        'kube-system',
        'delete',
        'ds',
        'fleet-probe',
        '--ignore-not-found',
      );
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('tkc-2 has its own nodes, VMs, ssh secret and context', async () => {
    assert.ok(info.tkc2);
    assert.deepEqual(
      info.tkc2.nodes.map((n) => n.name),
      ['n4', 'n5'].slice(0, cfg.tkc2Nodes),
    );
    const nodes = await kubectl(info.adminKubeconfig, '--context', TKC2.name, 'get', 'nodes', '-o', 'name');
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.deepEqual(
      nodes.stdout.trim().split('\n'),
      info.tkc2.nodes.map((n) => `node/${n.name}`),
    );
    const tkc1 = await kubectl(info.adminKubeconfig, '--context', 'tkc-1', 'get', 'nodes', '-o', 'name');
    assert.deepEqual(
      tkc1.stdout.trim().split('\n'),
      info.nodes.map((n) => `node/${n.name}`),
    );
    const vms = await kubectl(
      info.adminKubeconfig,
      '-n',
      TKC2.namespace,
      'get',
      'vm',
      '-o',
      'jsonpath={.items[*].status.network.primaryIP4}',
    );
    for (const n of info.tkc2.nodes) assert.ok(vms.stdout.split(' ').includes(n.ip));
    const ssh = await kubectl(
      info.adminKubeconfig,
      '-n',
      TKC2.namespace,
      'get',
      'secret',
      `${TKC2.name}-ssh`,
      '-o',
      'jsonpath={.type}',
    );
    assert.equal(ssh.stdout, 'kubernetes.io/ssh-auth');
    const vcf = await kubectl(info.vcfKubeconfig, 'config', 'get-contexts', '-o', 'name');
    assert.match(vcf.stdout, /^lab:tkc-2$/m);
    const lines = (await status(cfg)).lines.filter((l) => l.includes(TKC2.name));
    assert.equal(lines.length, cfg.tkc2Nodes);
    assert.ok(lines.every((l) => l.endsWith(l.match(/up, pid \d+$/)?.[0] ?? '!')));
  });

  test('<cluster>-kubeconfig: Cluster API secret whose user is admin in the cluster', async () => {
    for (const cluster of ['tkc-1', TKC2.name]) {
      const s = await kubectl(info.kubeconfig, '-n', 'dev', 'get', 'secret', `${cluster}-kubeconfig`, '-o', 'json');
      assert.equal(s.code, 0, s.stderr);
      const secret = JSON.parse(s.stdout);
      assert.equal(secret.type, 'cluster.x-k8s.io/secret');
      assert.equal(secret.metadata.labels['cluster.x-k8s.io/cluster-name'], cluster);
      const file = path.join(dir, `${cluster}.kubeconfig`);
      fs.writeFileSync(file, Buffer.from(secret.data.value, 'base64'), { mode: 0o600 });
      assert.equal(parse(fs.readFileSync(file, 'utf8'))['current-context'], `${cluster}-admin@${cluster}`);
      const nodes = await kubectl(file, 'get', 'nodes', '-o', 'name');
      assert.equal(nodes.code, 0, nodes.stderr);
      const write = await kubectl(file, '-n', 'kube-system', 'create', 'configmap', 'admin-probe', '--dry-run=server');
      assert.equal(write.code, 0, write.stderr);
    }
  });

  test('kubelet down: the node is NotReady in every cluster that has it, then Ready again', async () => {
    const r = await setKubelet(cfg, 'n2', false);
    try {
      assert.deepEqual(r.clusters, ['tkc-1', 'vks-1']);
      const get = await kubectl(info.adminKubeconfig, '--context', 'tkc-1', 'get', 'node', 'n2', '--no-headers');
      assert.match(get.stdout, /^n2\s+NotReady\s/);
    } finally {
      await setKubelet(cfg, 'n2', true);
    }
    const back = await kubectl(info.adminKubeconfig, '--context', 'tkc-1', 'get', 'node', 'n2', '--no-headers');
    assert.match(back.stdout, /^n2\s+Ready\s/);
  });

  test('add-node: a DaemonSet gets a pod on the new node; remove-node takes it away', async () => {
    const kc = info.adminKubeconfig;
    const manifest = path.join(dir, 'ds.yaml');
    fs.writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fleet-probe, namespace: kube-system}
spec:
  selector: {matchLabels: {app: fleet-probe}}
  template:
    metadata: {labels: {app: fleet-probe}}
    spec:
      containers: [{name: c, image: ${SHELL_IMAGE}, imagePullPolicy: Never, command: [/bin/sh, -c, 'cat /etc/hostname; exec sleep 86398']}]
`,
    );
    assert.equal((await kubectl(kc, '--context', 'tkc-1', 'apply', '-f', manifest)).code, 0);
    const added = await addNode(cfg, 'tkc-1');
    assert.match(added.name, /^n\d+$/);
    assert.ok(fs.readFileSync(info.knownHosts, 'utf8').includes(`${added.ip} ${added.hostKey}`));
    const onNew = async (): Promise<string> =>
      (
        await kubectl(
          kc,
          '--context',
          'tkc-1',
          '-n',
          'kube-system',
          'get',
          'pods',
          '--field-selector',
          `spec.nodeName=${added.name}`,
          '-o',
          'jsonpath={.items[*].status.phase}',
        )
      ).stdout;
    const end = Date.now() + 30_000;
    while ((await onNew()) !== 'Running' && Date.now() < end) await new Promise((r) => setTimeout(r, 300));
    assert.equal(await onNew(), 'Running');
    const vm = await kubectl(kc, '-n', 'dev', 'get', 'vm', added.vm, '-o', 'jsonpath={.status.network.primaryIP4}');
    assert.equal(vm.stdout, added.ip);
    assert.ok((await status(cfg)).lines.some((l) => l.startsWith(`node ${added.name} `) && l.includes('added): up')));
    await removeNode(cfg, added.name);
    const gone = await kubectl(kc, '--context', 'tkc-1', 'get', 'node', added.name);
    assert.notEqual(gone.code, 0);
    assert.equal(await onNew(), '');
    assert.notEqual((await kubectl(kc, '-n', 'dev', 'get', 'vm', added.vm)).code, 0);
    await assert.rejects(removeNode(cfg, 'n1'), /n1 is not a node added with add-node/);
    await assert.rejects(setKubelet(cfg, 'n99', false), /no node n99 in any cluster/);
    await assert.rejects(addNode(cfg, 'nosuch'), /no cluster nosuch; clusters: tkc-1, vks-1, tkc-2/);
  });
});
