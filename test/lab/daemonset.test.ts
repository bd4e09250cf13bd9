// The TKC emulator's DaemonSet controller and pod runtime, in-process (no root, no lab):
// one pod per selected and tolerating Node, real processes whose output is pods/log, the
// kubelet's statuses (Running, Completed/Error with restarts and CrashLoopBackOff,
// ErrImageNeverPull, StartError for an image without a shell), PodSecurity refusing the
// pods with a FailedCreate event and warning on the DaemonSet, garbage collection, and a
// node added later getting its pod.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NO_SHELL_IMAGE, SHELL_IMAGE } from '../../lab/apiserver/nodes.js';
import { ApiServer } from '../../lab/apiserver/server.js';
import type { Obj } from '../../lab/apiserver/types.js';

interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function call(api: ApiServer, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      `${api.url}${path}`,
      {
        method,
        ca: api.ca.certPem,
        headers: {
          Authorization: `Bearer ${api.users[0]!.token}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function until<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    let v: T | undefined | false;
    try {
      v = fn();
    } catch {
      v = undefined;
    }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const DS = '/apis/apps/v1/namespaces/kube-system/daemonsets';

function daemonSet(name: string, container: Obj, spec: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', ...container }], ...spec } },
    },
  };
}

describe('DaemonSet controller and pod runtime', () => {
  let api: ApiServer;
  const podsOf = (ds: string, ns = 'kube-system'): Obj[] =>
    api.store.list(api.type('pods'), ns).filter((p) => p.metadata.ownerReferences?.[0]?.name === ds);
  const status = (p: Obj): Obj => api.store.get(api.type('pods'), p.metadata.namespace, p.metadata.name)?.status ?? {};

  before(async () => {
    api = await ApiServer.start({
      nodes: [
        { name: 'n1', ip: '10.9.0.11', controlPlane: true },
        { name: 'n2', ip: '10.9.0.12' },
        { name: 'n3', ip: '10.9.0.13' },
      ],
      runtime: { backoffMs: 200 },
    });
    api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
    api.seed({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'restricted-ns', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    });
  });
  after(() => api.close());

  test('Nodes: control plane labelled and tainted, addresses, runtime, preloaded images', () => {
    const n1 = api.get('v1', 'nodes', undefined, 'n1')!;
    const n2 = api.get('v1', 'nodes', undefined, 'n2')!;
    assert.equal(n1.metadata.labels['node-role.kubernetes.io/control-plane'], '');
    assert.deepEqual(n1.spec.taints, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    assert.equal(n2.spec.taints, undefined);
    assert.equal(n2.metadata.labels['kubernetes.io/hostname'], 'n2');
    assert.equal(n2.metadata.labels['kubernetes.io/os'], 'linux');
    assert.deepEqual(n2.status.addresses, [
      { type: 'Hostname', address: 'n2' },
      { type: 'InternalIP', address: '10.9.0.12' },
    ]);
    assert.match(n2.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    assert.equal(n2.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'True');
    const names = n2.status.images.flatMap((i: Obj) => i.names);
    assert.ok(names.includes(SHELL_IMAGE) && names.includes(NO_SHELL_IMAGE));
  });

  test('a pod per untainted node, running the command; logs; status counts; env from fieldRef', async () => {
    const ds = daemonSet('echo', {
      image: SHELL_IMAGE,
      imagePullPolicy: 'Never',
      command: ['sh', '-c', 'echo "on $NODE as $POD in $NS at $HOSTIP"; exec sleep 60'],
      env: [
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'HOSTIP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      ],
    });
    const r = await call(api, 'POST', DS, ds);
    assert.equal(r.status, 201, r.text);
    const pods = await until('two pods Ready', () => {
      const ps = podsOf('echo');
      return ps.length === 2 && ps.every((p) => status(p).phase === 'Running') && ps;
    });
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['n2', 'n3']);
    const p = pods[0]!;
    assert.match(p.metadata.name, /^echo-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(p.metadata.ownerReferences[0].controller, true);
    assert.equal(p.metadata.labels.app, 'echo');
    assert.ok(p.metadata.labels['controller-revision-hash']);
    assert.equal(p.metadata.labels['pod-template-generation'], '1');
    const text = await until(
      'log text',
      () => api.logs.read(api.store.get(api.type('pods'), 'kube-system', p.metadata.name)!, {}) || undefined,
    );
    assert.equal(
      text,
      `on ${p.spec.nodeName} as ${p.metadata.name} in kube-system at 10.9.0.1${p.spec.nodeName.slice(1)}\n`,
    );
    const viaApi = await call(api, 'GET', `/api/v1/namespaces/kube-system/pods/${p.metadata.name}/log?container=c`);
    assert.equal(viaApi.status, 200);
    assert.equal(viaApi.text, text);
    const st = await until('DS status', () => {
      const s = api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!.status;
      return s?.numberReady === 2 && s;
    });
    assert.deepEqual(
      [
        st.desiredNumberScheduled,
        st.currentNumberScheduled,
        st.numberReady,
        st.numberAvailable,
        st.updatedNumberScheduled,
        st.observedGeneration,
      ],
      [2, 2, 2, 2, 2, 1],
    );
  });

  test('a node added later gets its pod; a removed node loses it', async () => {
    api.addNode({ name: 'n4', ip: '10.9.0.14' });
    await until('a pod on n4', () =>
      podsOf('echo').find((p) => p.spec.nodeName === 'n4' && status(p).phase === 'Running'),
    );
    api.removeNode('n4');
    await until('no pod on n4', () => !podsOf('echo').some((p) => p.spec.nodeName === 'n4'));
    await until(
      'desired back to 2',
      () => api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!.status.desiredNumberScheduled === 2,
    );
  });

  test('a node whose kubelet stops: Unknown, unreachable taints, not desired, its pod unready; back again', async () => {
    api.setKubelet('n3', false);
    const n3 = api.get('v1', 'nodes', undefined, 'n3')!;
    assert.equal(n3.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'Unknown');
    assert.deepEqual(
      n3.spec.taints.map((t: Obj) => `${t.key}:${t.effect}`),
      ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'],
    );
    await until(
      'desired 1',
      () => api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!.status.desiredNumberScheduled === 1,
    );
    api.setKubelet('n3', true);
    assert.equal(api.get('v1', 'nodes', undefined, 'n3')!.spec.taints, undefined);
    await until('two ready again', () => {
      const s = api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!.status;
      return s.desiredNumberScheduled === 2 && s.numberReady === 2;
    });
  });

  test('tolerating the control-plane taint schedules onto n1 too', async () => {
    const ds = daemonSet(
      'everywhere',
      { image: SHELL_IMAGE, command: ['sleep', '60'] },
      {
        tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      },
    );
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    await until('three pods', () => podsOf('everywhere').length === 3);
  });

  test('a template change replaces the pods (new revision hash, generation 2)', async () => {
    const old = podsOf('echo').map((p) => p.metadata.labels['controller-revision-hash']);
    const ds = api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!;
    ds.spec.template.metadata.annotations = { restartedAt: 'now' };
    const put = await call(api, 'PUT', `${DS}/echo`, ds);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.metadata.generation, 2);
    const st = await until('all updated and ready', () => {
      const s = api.get('apps/v1', 'daemonsets', 'kube-system', 'echo')!.status;
      return s.observedGeneration === 2 && s.updatedNumberScheduled === 2 && s.numberReady === 2 && s;
    });
    assert.equal(st.desiredNumberScheduled, 2);
    const now = await until('two new pods', () => {
      const ps = podsOf('echo');
      return ps.length === 2 && ps;
    });
    for (const p of now) {
      assert.ok(!old.includes(p.metadata.labels['controller-revision-hash']));
      assert.equal(p.metadata.labels['pod-template-generation'], '2');
    }
  });

  test('deleting the DaemonSet deletes its pods and kills their processes', async () => {
    const before = podsOf('echo');
    assert.equal(before.length, 2);
    const r = await call(api, 'DELETE', `${DS}/echo`);
    assert.equal(r.status, 200);
    await until('pods gone', () => podsOf('echo').length === 0);
  });

  test("in-process, hostPath volumes are each node's directory under the sandbox root; nsenter -t 1 is refused", async () => {
    const ds = daemonSet(
      'writer',
      {
        image: SHELL_IMAGE,
        command: ['sh', '-c', 'echo "ca of $NODE" > /host/ca.crt; nsenter -t 1 -m true || echo refused; exec sleep 60'],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        securityContext: { privileged: true },
        volumeMounts: [{ name: 'certs', mountPath: '/host' }],
      },
      { volumes: [{ name: 'certs', hostPath: { path: '/etc/containerd/certs.d/h.lab' } }] },
    );
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const pods = await until('two pods running', () => {
      const ps = podsOf('writer');
      return ps.length === 2 && ps.every((p) => status(p).phase === 'Running') && ps;
    });
    const root = api.runtime.sandboxRoot!;
    for (const node of ['n2', 'n3']) {
      const file = path.join(root, node, 'etc/containerd/certs.d/h.lab/ca.crt');
      await until(file, () => fs.existsSync(file) && fs.readFileSync(file, 'utf8') === `ca of ${node}\n`);
    }
    const log = await until('refused', () => {
      const t = api.logs.read(api.store.get(api.type('pods'), 'kube-system', pods[0]!.metadata.name)!, {});
      return t.includes('refused') && t;
    });
    assert.match(log, /nsenter: reassociate to namespace 'ns\/mnt' failed: Operation not permitted\nrefused\n/);
    await call(api, 'DELETE', `${DS}/writer`);
  });

  test('readOnlyRootFilesystem, a read-only File hostPath, a Directory that must exist', async () => {
    const root = api.runtime.sandboxRoot!;
    fs.mkdirSync(path.join(root, 'n2/etc/containerd'), { recursive: true });
    fs.writeFileSync(path.join(root, 'n2/etc/containerd/config.toml'), 'version = 2\n');
    const ds = daemonSet(
      'rofs',
      {
        image: SHELL_IMAGE,
        command: [
          'sh',
          '-c',
          'cat /etc/containerd/config.toml; touch /tmp/x 2>/dev/null || echo rootfs-ro; { echo x >> /etc/containerd/config.toml; } 2>/dev/null || echo config-ro; touch /d/ok && echo dir-rw; exec sleep 60',
        ],
        securityContext: { readOnlyRootFilesystem: true },
        volumeMounts: [
          { name: 'cfg', mountPath: '/etc/containerd/config.toml', readOnly: true },
          { name: 'd', mountPath: '/d' },
        ],
      },
      {
        nodeSelector: { 'kubernetes.io/hostname': 'n2' },
        volumes: [
          { name: 'cfg', hostPath: { path: '/etc/containerd/config.toml', type: 'File' } },
          { name: 'd', hostPath: { path: '/var/lib/d', type: 'DirectoryOrCreate' } },
        ],
      },
    );
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const p = await until('one pod', () => podsOf('rofs')[0]);
    const log = await until('log', () => {
      const t = api.logs.read(api.store.get(api.type('pods'), 'kube-system', p.metadata.name)!, {});
      return t.includes('dir-rw') && t;
    });
    assert.equal(log, 'version = 2\nrootfs-ro\nconfig-ro\ndir-rw\n');
    assert.ok(fs.existsSync(path.join(root, 'n2/var/lib/d/ok')));
    await call(api, 'DELETE', `${DS}/rofs`);
  });

  test('a command that exits is restarted with back-off: Completed, then CrashLoopBackOff', async () => {
    const ds = daemonSet(
      'oneshot',
      { image: SHELL_IMAGE, command: ['sh', '-c', 'echo done; exit 3'] },
      {
        nodeSelector: { 'kubernetes.io/hostname': 'n2' },
      },
    );
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const p = await until('one pod', () => podsOf('oneshot')[0]);
    const cs = await until('CrashLoopBackOff', () => {
      const c = status(p).containerStatuses?.[0];
      return c?.state?.waiting?.reason === 'CrashLoopBackOff' && c;
    });
    assert.ok(cs.restartCount >= 1);
    assert.equal(cs.lastState.terminated.exitCode, 3);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    const prev = await call(api, 'GET', `/api/v1/namespaces/kube-system/pods/${p.metadata.name}/log?previous=true`);
    assert.equal(prev.text, 'done\n');
    await call(api, 'DELETE', `${DS}/oneshot`);
  });

  test('imagePullPolicy Never with an image the node lacks: ErrImageNeverPull with the kubelet event', async () => {
    const image = 'harbor.lab/lab/absent:1';
    const ds = daemonSet('never', { image, imagePullPolicy: 'Never', command: ['sleep', '60'] });
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const p = await until('one pod', () => podsOf('never')[0]);
    const w = await until(
      'waiting',
      () =>
        status(p).containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull' &&
        status(p).containerStatuses[0].state.waiting,
    );
    assert.equal(w.message, `Container image "${image}" is not present with pull policy of Never`);
    const events = api.store
      .list(api.type('events'), 'kube-system')
      .filter((e) => e.involvedObject.name === p.metadata.name);
    assert.ok(events.some((e) => e.reason === 'ErrImageNeverPull' && e.type === 'Warning' && e.message === w.message));
    const log = await call(api, 'GET', `/api/v1/namespaces/kube-system/pods/${p.metadata.name}/log`);
    assert.equal(log.status, 400);
    assert.match(log.body.message, /is waiting to start: ErrImageNeverPull/);
    await call(api, 'DELETE', `${DS}/never`);
  });

  test('an image without a shell cannot run /bin/sh: StartError', async () => {
    const ds = daemonSet('noshell', {
      image: NO_SHELL_IMAGE,
      imagePullPolicy: 'Never',
      command: ['/bin/sh', '-c', 'true'],
    });
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const p = await until('one pod', () => podsOf('noshell')[0]);
    const c = await until('StartError', () => {
      const s = status(p).containerStatuses?.[0];
      const t = s?.state?.terminated ?? s?.lastState?.terminated;
      return t?.reason === 'StartError' && t;
    });
    assert.equal(c.exitCode, 128);
    assert.match(c.message, /exec: "\/bin\/sh": stat \/bin\/sh: no such file or directory/);
    await call(api, 'DELETE', `${DS}/noshell`);
  });

  test('logs ?follow=true streams until the container ends', async () => {
    const ds = daemonSet(
      'ticker',
      { image: SHELL_IMAGE, command: ['sh', '-c', 'echo one; sleep 0.3; echo two; sleep 0.3; echo three; sleep 60'] },
      { nodeSelector: { 'kubernetes.io/hostname': 'n3' } },
    );
    assert.equal((await call(api, 'POST', DS, ds)).status, 201);
    const p = await until('running', () => podsOf('ticker').find((x) => status(x).phase === 'Running'));
    const got = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        `${api.url}/api/v1/namespaces/kube-system/pods/${p.metadata.name}/log?follow=true`,
        { ca: api.ca.certPem, headers: { Authorization: `Bearer ${api.users[0]!.token}` } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
            if (text.includes('three\n')) void call(api, 'DELETE', `${DS}/ticker`);
          });
          res.on('end', () => resolve(text));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(got, 'one\ntwo\nthree\n');
  });

  test('PodSecurity baseline: the DaemonSet is created with a warning, its pods are refused (FailedCreate)', async () => {
    const ds = daemonSet(
      'hostpath',
      {
        image: SHELL_IMAGE,
        command: ['sleep', '60'],
        securityContext: { privileged: true },
        volumeMounts: [{ name: 'certs', mountPath: '/host' }],
      },
      {
        volumes: [{ name: 'certs', hostPath: { path: '/etc/containerd/certs.d' } }],
      },
    );
    ds.metadata.namespace = 'restricted-ns';
    const r = await call(api, 'POST', '/apis/apps/v1/namespaces/restricted-ns/daemonsets', ds);
    assert.equal(r.status, 201, r.text);
    assert.equal(
      r.headers.warning,
      '299 - "would violate PodSecurity \\"baseline:latest\\": hostPath volumes (volume \\"certs\\"), privileged (container \\"c\\" must not set securityContext.privileged=true)"',
    );
    const ev = await until('FailedCreate', () =>
      api.store.list(api.type('events'), 'restricted-ns').find((e) => e.reason === 'FailedCreate'),
    );
    assert.equal(ev.involvedObject.kind, 'DaemonSet');
    assert.equal(ev.type, 'Warning');
    assert.equal(
      ev.message,
      'Error creating: pods "hostpath-" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "certs"), privileged (container "c" must not set securityContext.privileged=true)',
    );
    assert.equal(podsOf('hostpath', 'restricted-ns').length, 0);
  });
});
