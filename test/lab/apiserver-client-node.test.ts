// The requests kubectl-harbor makes through @kubernetes/client-node 1.4 (via its own
// KubeClient and its write path), against the emulator. The same kinds of
// request are made by the real kubectl in apiserver-kubectl.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi, Exec, type V1ServiceAccount } from '@kubernetes/client-node';
import { CliError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { readModifyWrite, update } from '../../src/kube/write.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from '../../lab/apiserver/supervisor.js';

describe('client-node (as kubectl-harbor uses it) against the emulator', () => {
  let lab: SupervisorLab;
  let dir: string;
  let client: KubeClient;
  let core: CoreV1Api;

  before(async () => {
    lab = await startSupervisor({ server: { kubelet: { startDelayMs: 20 } } });
    dir = tempDir('harbor-client-');
    const file = writeKubeconfig(dir, lab.kubeconfig('admin'));
    client = new KubeClient(resolveTarget({ kubeconfig: file, context: 'dev' }, { env: {}, homedir: dir }), {
      timeoutMs: 10_000,
    });
    // KubeClient sends plain JSON (rest()); the typed clients are client-node's own, on the same kubeconfig.
    core = client.target.kc.makeApiClient(CoreV1Api);
  });
  after(async () => {
    client.close();
    await lab.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the namespace context is a vSphere namespace context', () => {
    assert.equal(client.target.namespace, 'dev');
    assert.equal(client.target.vsphere?.kind, 'namespace');
    assert.equal(client.target.vsphere?.username, 'administrator@vsphere.local');
  });

  test('read, create and list secrets and ServiceAccounts', async () => {
    const pull = await core.readNamespacedSecret({ name: 'dev-default-image-pull-secret', namespace: 'dev' });
    assert.equal(pull.type, 'kubernetes.io/dockerconfigjson');
    const made = await core.createNamespacedSecret({
      namespace: 'dev',
      body: {
        metadata: { name: 'harbor-pull' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
      },
    });
    assert.ok(made.metadata?.resourceVersion);
    const sas = await core.listNamespacedServiceAccount({ namespace: 'dev' });
    assert.deepEqual(
      sas.items.map((s) => s.metadata?.name),
      ['default'],
    );
  });

  test('readModifyWrite keeps every entry through a 409 storm and retries until it lands', async () => {
    lab.supervisor.faults.conflicts(3, { resource: 'serviceaccounts', verb: 'update' });
    const seen: number[] = [];
    const r = await readModifyWrite<V1ServiceAccount>(
      () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'dev' }),
      (sa) => ({ ...sa, imagePullSecrets: [...(sa.imagePullSecrets ?? []), { name: 'harbor-pull' }] }),
      (next) => core.replaceNamespacedServiceAccount({ name: 'default', namespace: 'dev', body: next }),
      { backoffMs: 1, onConflict: (n) => seen.push(n) },
    );
    assert.deepEqual([r.changed, r.conflicts, seen], [true, 3, [1, 2, 3]]);
    assert.deepEqual(
      r.object.imagePullSecrets?.map((x) => x.name),
      ['dev-default-image-pull-secret', 'harbor-pull'],
    );
    const stale = { ...r.object, metadata: { ...r.object.metadata, resourceVersion: '1' } };
    await assert.rejects(
      core.replaceNamespacedServiceAccount({ name: 'default', namespace: 'dev', body: stale }),
      (e: any) => e.code === 409,
    );
  });

  test('update: the first read reused, client dry run writes nothing, server dry run sends dryRun=All and keeps the object', async () => {
    const read = () => core.readNamespacedConfigMap({ name: 'image-fetcher-ca-bundle', namespace: 'kube-system' });
    const before = await read();
    const modify = (cm: typeof before) => ({
      ...cm,
      metadata: { ...cm.metadata, labels: { ...(cm.metadata?.labels ?? {}), touched: 'yes' } },
    });
    const write = (next: typeof before, dryRun: 'All' | undefined) =>
      core.replaceNamespacedConfigMap({
        name: 'image-fetcher-ca-bundle',
        namespace: 'kube-system',
        body: next,
        dryRun,
      });
    for (const dryRun of ['client', 'server'] as const) {
      const r = await update(client, { doing: 'updating the bundle', initial: before, read, modify, write, dryRun });
      assert.equal(r.changed, true);
      assert.equal(r.object.metadata?.labels?.touched, 'yes');
      assert.equal((await read()).metadata?.resourceVersion, before.metadata?.resourceVersion);
    }
    const real = await update(client, { doing: 'updating the bundle', read, modify, write, dryRun: undefined });
    assert.notEqual(real.object.metadata?.resourceVersion, before.metadata?.resourceVersion);
    const again = await update(client, {
      doing: 'updating the bundle',
      read,
      modify: () => undefined,
      write,
      dryRun: undefined,
    });
    assert.equal(again.changed, false);
  });

  test('custom objects and selectors: TKCs, VirtualMachines by label, events by field', async () => {
    const custom = client.target.kc.makeApiClient(CustomObjectsApi);
    const tkc = (await custom.getNamespacedCustomObject({
      group: 'run.tanzu.vmware.com',
      version: 'v1alpha3',
      namespace: 'dev',
      plural: 'tanzukubernetesclusters',
      name: 'tkc-1',
    })) as any;
    assert.equal(tkc.spec.topology.controlPlane.replicas, 1);
    const vms = (await custom.listNamespacedCustomObject({
      group: 'vmoperator.vmware.com',
      version: 'v1alpha1',
      namespace: 'dev',
      plural: 'virtualmachines',
      labelSelector: 'capw.vmware.com/cluster.name=tkc-1',
    })) as any;
    assert.deepEqual(vms.items.map((v: any) => v.status.vmIp).sort(), ['10.10.0.11', '10.10.0.21', '10.10.0.22']);
    const ev = await core.listNamespacedEvent({ namespace: 'dev', fieldSelector: 'involvedObject.kind=Pod' });
    assert.ok(Array.isArray(ev.items));
  });

  test('pods: create, wait for Running, exec with stdin over the WebSocket (v5), status carries the exit code, delete', async () => {
    await core.createNamespacedPod({
      namespace: 'dev',
      body: { metadata: { name: 'relay' }, spec: { containers: [{ name: 'relay', image: 'photon:3.0' }] } },
    });
    let phase = '';
    for (let i = 0; i < 100 && phase !== 'Running'; i++) {
      phase = (await core.readNamespacedPod({ name: 'relay', namespace: 'dev' })).status?.phase ?? '';
      if (phase !== 'Running') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(phase, 'Running');
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
    const stdin = new PassThrough();
    const status = await new Promise<any>((resolve, reject) => {
      new Exec(client.target.kc)
        .exec('dev', 'relay', 'relay', ['sh', '-c', 'cat; exit 4'], stdout, process.stderr, stdin, false, resolve)
        .then((ws) => {
          stdin.end('relay me\n');
          return ws;
        }, reject);
    });
    assert.equal(out, 'relay me\n');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details.causes[0].message, '4');
    const ws = lab.supervisor.log.filter((r) => r.websocket).at(-1);
    assert.equal(ws?.websocket, 'v5.channel.k8s.io');
    await core.deleteNamespacedPod({ name: 'relay', namespace: 'dev' });
  });

  test('an expired vSphere session is one clear line that says how to log in again', async () => {
    lab.supervisor.faults.expireTokens();
    try {
      await assert.rejects(
        client.call('reading secrets', () => core.listNamespacedSecret({ namespace: 'dev' })),
        (e: unknown) => e instanceof CliError && /kubectl vsphere login/.test(e.message) && !e.message.includes('\n'),
      );
    } finally {
      lab.supervisor.faults.expireTokens(false);
    }
  });
});
