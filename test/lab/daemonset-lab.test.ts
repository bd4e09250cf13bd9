// DaemonSet pods on the real lab nodes, through the real kubectl: a TKC emulator (started
// here, in-process, over the shared lab's tkc-1 nodes) runs each pod's container inside its
// node; a hostPath write lands in the node's own /etc/containerd/certs.d, a privileged
// container's `nsenter -t 1 -m` reaches the node, `kubectl get nodes,ds,pods -o wide` and
// `kubectl logs` work, the containerd images a node holds show in status.images, and
// deleting the DaemonSet stops its processes. Needs root (the lab); run with LAB_SLOT=N.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { labNodeSpec, tkcServerOn } from '../../lab/tkcserver.js';
import { nodeExec } from '../../lab/nodes/nodes.js';
import { SHELL_IMAGE } from '../../lab/apiserver/nodes.js';
import { ApiServer } from '../../lab/apiserver/server.js';
import type { LabConfig } from '../../lab/config.js';
import type { LabInfo } from '../../lab/lab.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';

const ef = promisify(execFile);
const HOST = 'fleetlab-e2e.invalid';

describe('DaemonSet pods on the lab nodes', { skip: !canRunLab && 'needs root (the lab)' }, () => {
  let cfg: LabConfig;
  let info: LabInfo;
  let api: ApiServer;
  let dir: string;
  let kubeconfig: string;
  const kubectl = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await ef('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: Number(x.code ?? 1), stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
    }
  };
  const clean = async (): Promise<void> => {
    for (let i = 1; i <= cfg.nodes; i++)
      await nodeExec(cfg, i, ['rm', '-rf', `/etc/containerd/certs.d/${HOST}`]).catch(() => undefined);
  };

  before(async () => {
    ({ cfg, info } = await sharedLab());
    const indexes = info.nodes.map((_, k) => k + 1);
    api = await ApiServer.start({
      ...tkcServerOn(cfg, indexes),
      nodes: indexes.map((i, k) => labNodeSpec(cfg, i, k === 0)),
    });
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetlab-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(kubeconfig, api.kubeconfig(), { mode: 0o600 });
    await clean();
  });
  after(async () => {
    await api?.close();
    if (cfg) await clean();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a hostPath write lands in each node; kubectl get -o wide and logs work', async () => {
    const manifest = path.join(dir, 'ds.yaml');
    fs.writeFileSync(
      manifest,
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: trust, namespace: kube-system}
spec:
  selector: {matchLabels: {app: trust}}
  template:
    metadata: {labels: {app: trust}}
    spec:
      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]
      containers:
      - name: writer
        image: ${SHELL_IMAGE}
        imagePullPolicy: Never
        securityContext: {privileged: true}
        env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
        command: [/bin/sh, -c, 'mkdir -p /host/${HOST} && echo "ca of $NODE" > /host/${HOST}/ca.crt && echo "written on $NODE" && nsenter -t 1 -m -- cat /etc/hostname && exec sleep 86399']
        volumeMounts: [{name: certs, mountPath: /host}]
      volumes: [{name: certs, hostPath: {path: /etc/containerd/certs.d, type: DirectoryOrCreate}}]
`,
    );
    const applied = await kubectl('apply', '-f', manifest);
    assert.equal(applied.code, 0, applied.stderr);
    const end = Date.now() + 30_000;
    let ready = '';
    while (Date.now() < end) {
      ready = (await kubectl('-n', 'kube-system', 'get', 'ds', 'trust', '-o', 'jsonpath={.status.numberReady}')).stdout;
      if (ready === String(cfg.nodes)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(ready, String(cfg.nodes));
    // Ready says the container runs; the file comes a moment later.
    for (let i = 1; i <= cfg.nodes; i++) {
      let text = '';
      for (let t = 0; t < 100 && text !== `ca of n${i}\n`; t++) {
        text = (await nodeExec(cfg, i, ['cat', `/etc/containerd/certs.d/${HOST}/ca.crt`])).stdout;
        if (text !== `ca of n${i}\n`) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(text, `ca of n${i}\n`);
    }
    const wide = await kubectl('get', 'nodes,ds,pods', '-n', 'kube-system', '-o', 'wide');
    assert.equal(wide.code, 0, wide.stderr);
    assert.match(wide.stdout, /node\/n1\s+Ready\s+control-plane\s+\S+\s+\S+\s+\S+\s+<none>/);
    assert.match(wide.stdout, /daemonset\.apps\/trust\s+3\s+3\s+3\s+3\s+3\s+<none>/);
    assert.equal(wide.stdout.match(/pod\/trust-\w{5}\s+1\/1\s+Running\s+0/g)?.length, cfg.nodes);
    const pod = (
      await kubectl('-n', 'kube-system', 'get', 'pods', '--field-selector', 'spec.nodeName=n2', '-o', 'name')
    ).stdout.trim();
    const logs = await kubectl('-n', 'kube-system', 'logs', pod);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'written on n2\nn2\n');
  });

  test('deleting the DaemonSet deletes its pods and stops their processes', async () => {
    // The containers' commands: `sleep 86399`, marked for this test.
    const sleepers = async (): Promise<number> =>
      Number((await ef('sh', ['-c', "pgrep -fx 'sleep 86399' | wc -l"])).stdout.trim());
    assert.equal(await sleepers(), cfg.nodes);
    const del = await kubectl('-n', 'kube-system', 'delete', 'ds', 'trust');
    assert.equal(del.code, 0, del.stderr);
    const end = Date.now() + 15_000;
    let left = '';
    while (Date.now() < end) {
      left = (await kubectl('-n', 'kube-system', 'get', 'pods', '-o', 'name')).stdout.trim();
      if (!left) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(left, '');
    const stopped = Date.now() + 10_000;
    while ((await sleepers()) > 0 && Date.now() < stopped) await new Promise((r) => setTimeout(r, 200));
    assert.equal(await sleepers(), 0);
  });

  test('an image pulled into a node shows in its status.images', async () => {
    const r = await ef('ctr', ['--address', info.nodes[1]!.containerdSocket, '-n', 'k8s.io', 'images', 'ls', '-q']);
    await api.refreshNodeImages();
    const names = (api.get('v1', 'nodes', undefined, 'n2')!.status.images as Array<{ names: string[] }>).flatMap(
      (i) => i.names,
    );
    for (const ref of r.stdout.split('\n').filter((x) => x && !x.startsWith('sha256:')))
      assert.ok(names.includes(ref), `${ref} in ${names.join(', ')}`);
    assert.ok(names.includes(SHELL_IMAGE));
  });
});
