// src/kube/wire.ts: the paths rest() is given, and the typed clients' shape of a Secret and a
// ConfigMap (what -o json|yaml printed before the use cases and trust stores went to rest()),
// held against client-node's own ObjectSerializer; then the converted callers against the
// in-process Supervisor emulator: same objects, same actions, re-runs unchanged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { type SupervisorLab, startSupervisor, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { makeCa } from '../../lab/pki.js';
import { readNamespace } from '../../src/app/doctor-evidence.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import {
  corePath,
  customPath,
  eventTime,
  typedConfigMap,
  typedSecret,
  typedServiceAccount,
} from '../../src/kube/wire.js';
import { certificatesIn } from '../../src/tls/pem.js';
import { listClusters } from '../../src/trust/cluster-list.js';
import { BUNDLE, SupervisorStore } from '../../src/trust/supervisor.js';
import { TkgsStore } from '../../src/trust/tkgs.js';
import { tempDir } from '../helpers/kubeconfig.js';

test('paths: every segment encoded; a cluster-scoped custom object has no namespaces segment', () => {
  assert.equal(corePath('dev', 'secrets'), '/api/v1/namespaces/dev/secrets');
  assert.equal(corePath('dev', 'secrets', 'a/b c'), '/api/v1/namespaces/dev/secrets/a%2Fb%20c');
  const tkc = { group: 'run.tanzu.vmware.com', version: 'v1alpha3', plural: 'tanzukubernetesclusters' };
  assert.equal(
    customPath({ ...tkc, namespace: 'dev', name: 'tkc-1' }),
    '/apis/run.tanzu.vmware.com/v1alpha3/namespaces/dev/tanzukubernetesclusters/tkc-1',
  );
  assert.equal(
    customPath({ ...tkc, namespace: 'dev' }),
    '/apis/run.tanzu.vmware.com/v1alpha3/namespaces/dev/tanzukubernetesclusters',
  );
  assert.equal(
    customPath({ ...tkc, plural: 'tkgserviceconfigurations', name: 'tkg-service-configuration' }),
    '/apis/run.tanzu.vmware.com/v1alpha3/tkgserviceconfigurations/tkg-service-configuration',
  );
});

const META = {
  uid: 'u-1',
  name: 'x',
  namespace: 'dev',
  resourceVersion: '12',
  creationTimestamp: '2026-01-02T03:04:05Z',
  labels: { a: '1' },
  annotations: { b: '2' },
  finalizers: ['f'],
  ownerReferences: [{ uid: 'o', name: 'owner', kind: 'Thing', apiVersion: 'v1', controller: true, extra: 1 }],
  managedFields: [
    { time: '2026-01-02T03:04:05Z', manager: 'm', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { f: {} } },
  ],
  unknownMeta: 'dropped',
};

test('typedSecret, typedConfigMap, typedServiceAccount: the shape ObjectSerializer.deserialize gave (order, Dates, known fields only)', () => {
  const secret = { type: 'Opaque', metadata: META, kind: 'Secret', data: { k: 'dg==' }, apiVersion: 'v1', extra: 1 };
  const cm = { metadata: META, data: { 'ca-bundle': 'PEM' }, kind: 'ConfigMap', apiVersion: 'v1', binaryData: {} };
  const sa = {
    secrets: [{ name: 't', extra: 1 }],
    imagePullSecrets: [{ name: 'b', extra: 1 }, { name: 'a' }],
    metadata: META,
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    automountServiceAccountToken: false,
  };
  for (const [mine, theirs] of [
    [typedSecret(structuredClone(secret)), ObjectSerializer.deserialize(structuredClone(secret), 'V1Secret')],
    [typedConfigMap(structuredClone(cm)), ObjectSerializer.deserialize(structuredClone(cm), 'V1ConfigMap')],
    [typedServiceAccount(structuredClone(sa)), ObjectSerializer.deserialize(structuredClone(sa), 'V1ServiceAccount')],
  ] as const) {
    assert.equal(JSON.stringify(mine), JSON.stringify(theirs));
    assert.deepEqual(Object.keys(mine), Object.keys(theirs));
    assert.deepEqual(Object.keys(mine.metadata ?? {}), Object.keys(theirs.metadata ?? {}));
    assert.ok(mine.metadata?.creationTimestamp instanceof Date);
    assert.ok(mine.metadata?.managedFields?.[0]?.time instanceof Date);
  }
  assert.deepEqual(typedSecret({}), {});
});

test('eventTime: lastTimestamp, else eventTime (MicroTime), firstTimestamp, creationTimestamp; none sorts first', () => {
  const at = (s: string) => Date.parse(s);
  assert.equal(eventTime({ lastTimestamp: '2026-01-02T03:04:05Z' }), at('2026-01-02T03:04:05Z'));
  assert.equal(eventTime({ eventTime: '2026-01-02T03:04:05.123456Z' }), at('2026-01-02T03:04:05.123Z'));
  assert.equal(eventTime({ firstTimestamp: '2026-01-02T03:04:06Z' }), at('2026-01-02T03:04:06Z'));
  assert.equal(eventTime({ metadata: { creationTimestamp: '2026-01-02T03:04:07Z' } }), at('2026-01-02T03:04:07Z'));
  assert.ok(eventTime({}) < at('2026-01-02T03:04:05Z'));
});

let sup: SupervisorLab;
let file: string;
const make = () =>
  new KubeClient(resolveTarget({ kubeconfig: file }, { env: {}, homedir: '/nonexistent' }), { timeoutMs: 5000 });

before(async () => {
  sup = await startSupervisor({ namespaces: ['dev', 'qa'] });
  file = writeKubeconfig(tempDir(), sup.kubeconfig('admin'));
});
after(async () => {
  await sup?.close();
});

test('supervisor bundle through rest: configured, printed in the typed shape, then unchanged; conflicts retried', async () => {
  const c = make();
  try {
    const ca = certificatesIn(makeCa('Wire CA').certPem.replace(/\r\n/g, '\n'))[0]!;
    const entries = [{ name: 'wire', fingerprint: ca.fingerprint, pem: ca.pem }];
    const store = new SupervisorStore(c);
    sup.supervisor.faults.conflicts(1);
    const [first] = await store.apply(entries, { remove: false, dryRun: undefined });
    assert.equal(first?.action, 'configured');
    const obj = first?.object as { kind: string; metadata?: { creationTimestamp?: unknown } };
    assert.equal(obj.kind, 'ConfigMap');
    assert.ok(obj.metadata?.creationTimestamp instanceof Date, 'as the typed client returned it');
    const [again] = await store.apply(entries, { remove: false, dryRun: undefined });
    assert.equal(again?.action, 'unchanged');
    assert.ok((await store.list()).some((x) => x.cert.fingerprint === ca.fingerprint));
    const raw = await c.rest<{ data: Record<string, string> }>(
      'GET',
      corePath(BUNDLE.namespace, 'configmaps', BUNDLE.name),
    );
    assert.ok(raw.data[BUNDLE.key]?.includes(ca.pem.trim().split('\n')[1]!));
  } finally {
    sup.supervisor.faults.clear();
    c.close();
  }
});

test('TkgServiceConfiguration (cluster-scoped) through rest: configured, then unchanged', async () => {
  const c = make();
  try {
    const ca = certificatesIn(makeCa('Wire TKGS').certPem.replace(/\r\n/g, '\n'))[0]!;
    const entries = [{ name: 'wire', fingerprint: ca.fingerprint, pem: ca.pem }];
    const store = new TkgsStore(c);
    const [first] = await store.apply(entries, { remove: false, dryRun: undefined });
    assert.equal(first?.action, 'configured');
    const [again] = await store.apply(entries, { remove: false, dryRun: undefined });
    assert.equal(again?.action, 'unchanged');
    assert.ok((await store.list()).some((x) => x.name === 'wire'));
  } finally {
    c.close();
  }
});

test('listClusters and doctor evidence through rest', async () => {
  const c = make();
  try {
    assert.deepEqual(await listClusters(c, 'dev'), ['tkc-1']);
    assert.deepEqual(await listClusters(c, 'qa'), []);
    const ev = await readNamespace(c, 'dev');
    assert.equal(ev.namespace, 'dev');
    assert.ok(ev.serviceAccounts.has('default'));
    assert.ok([...ev.secrets.keys()].includes('dev-default-image-pull-secret'));
  } finally {
    c.close();
  }
});

test('the typed shape of what the emulator really sends equals ObjectSerializer.deserialize of it', async () => {
  const c = make();
  try {
    const cases = [
      [corePath('dev', 'secrets', 'dev-default-image-pull-secret'), typedSecret, 'V1Secret'],
      [corePath(BUNDLE.namespace, 'configmaps', BUNDLE.name), typedConfigMap, 'V1ConfigMap'],
      [corePath('dev', 'serviceaccounts', 'default'), typedServiceAccount, 'V1ServiceAccount'],
    ] as const;
    for (const [path, mine, type] of cases) {
      const raw = await c.rest<Record<string, unknown>>('GET', path);
      assert.equal(JSON.stringify(mine(structuredClone(raw))), JSON.stringify(ObjectSerializer.deserialize(raw, type)));
    }
  } finally {
    c.close();
  }
});
