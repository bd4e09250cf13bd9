// cluster.x-k8s.io on the emulator, request by request: one Cluster seen through v1beta1
// and v1beta2 (classRef <-> class/classNamespace, one resourceVersion), the v1beta2 CRD
// rule on empty variables, the CAPI webhook that checks topology variables against the
// ClusterClass's published schema (422 with causes), and the VKS fixtures.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { ApiServer } from '../../lab/apiserver/server.js';
import { startSupervisor, type SupervisorLab } from '../../lab/apiserver/supervisor.js';

interface Reply {
  status: number;
  body: any;
}

function call(api: ApiServer, method: string, path: string, body?: unknown, o: { token?: string; ct?: string } = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      `${api.url}${path}`,
      {
        method,
        ca: api.ca.certPem,
        headers: {
          Authorization: `Bearer ${o.token ?? api.users[0]!.token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': o.ct ?? 'application/json', 'Content-Length': payload.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const CAPI = '/apis/cluster.x-k8s.io';
const clusters = (v: string, ns: string, name = ''): string =>
  `${CAPI}/${v}/namespaces/${ns}/clusters${name ? `/${name}` : ''}`;
const MERGE = 'application/merge-patch+json';
const WEBHOOK = 'admission webhook "validation.cluster.cluster.x-k8s.io" denied the request: ';

const v2Cluster = (name: string, variables?: unknown[]): any => ({
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  kind: 'Cluster',
  metadata: { name, namespace: 'dev' },
  spec: {
    topology: {
      classRef: { name: 'builtin-generic-v3.4.0', namespace: 'vmware-system-vks-public' },
      version: 'v1.33.1---vmware.1-vkr.1',
      ...(variables ? { variables } : {}),
    },
  },
});
const osConfig = (caCert: unknown): any => ({
  name: 'osConfiguration',
  value: { trust: { additionalTrustedCAs: [{ caCert }] } },
});
const CA_PATH = 'spec.topology.variables[osConfiguration].value.trust.additionalTrustedCAs[0].caCert';

describe('cluster.x-k8s.io on the emulator', () => {
  let lab: SupervisorLab;
  let api: ApiServer;

  before(async () => {
    lab = await startSupervisor({
      harborService: true,
      clusters: [
        { name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['10.10.0.11'], workerIps: ['10.10.0.21', '10.10.0.22'] },
        {
          name: 'vks-1',
          namespace: 'dev',
          api: 'cluster-v1beta2',
          controlPlaneIps: ['10.10.0.11'],
          workerIps: ['10.10.0.21', '10.10.0.22'],
        },
        { name: 'cc-1', namespace: 'dev', api: 'cluster', controlPlaneIps: ['10.10.0.31'], workerIps: [] },
      ],
    });
    api = lab.supervisor;
  });
  after(() => lab.close());

  test('discovery: clusters and clusterclasses at v1beta2 (preferred) and v1beta1', async () => {
    const g = (await call(api, 'GET', CAPI)).body;
    assert.deepEqual(
      g.versions.map((v: any) => v.version),
      ['v1beta2', 'v1beta1'],
    );
    assert.equal(g.preferredVersion.version, 'v1beta2');
    for (const v of ['v1beta1', 'v1beta2']) {
      const names = (await call(api, 'GET', `${CAPI}/${v}`)).body.resources.map((r: any) => r.name);
      for (const r of ['clusters', 'clusters/status', 'clusterclasses', 'clusterclasses/status'])
        assert.ok(names.includes(r), `${v} ${r}`);
    }
  });

  test('one object, two views: create via v1beta1, read via v1beta2 and back; PUT via v1beta2 keeps the v1beta1 view; one resourceVersion', async () => {
    const made = await call(api, 'POST', clusters('v1beta1', 'dev'), {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'conv-1' },
      spec: {
        topology: {
          class: 'builtin-generic-v3.4.0',
          classNamespace: 'vmware-system-vks-public',
          version: 'v1.33.1---vmware.1-vkr.1',
          variables: [{ name: 'vmClass', value: 'best-effort-small' }],
        },
      },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const v2 = (await call(api, 'GET', clusters('v1beta2', 'dev', 'conv-1'))).body;
    assert.equal(v2.apiVersion, 'cluster.x-k8s.io/v1beta2');
    assert.deepEqual(v2.spec.topology.classRef, {
      name: 'builtin-generic-v3.4.0',
      namespace: 'vmware-system-vks-public',
    });
    assert.equal(v2.spec.topology.class, undefined);
    assert.equal(v2.spec.topology.classNamespace, undefined);
    assert.equal(v2.metadata.resourceVersion, made.body.metadata.resourceVersion);
    const v1 = (await call(api, 'GET', clusters('v1beta1', 'dev', 'conv-1'))).body;
    assert.equal(v1.spec.topology.class, 'builtin-generic-v3.4.0');
    assert.equal(v1.spec.topology.classNamespace, 'vmware-system-vks-public');
    assert.equal(v1.spec.topology.classRef, undefined);

    v2.spec.topology.variables.push(
      osConfig({ secretRef: { name: 'conv-1-user-trusted-ca-secret', key: 'harbor-ca' } }),
    );
    const put = await call(api, 'PUT', clusters('v1beta2', 'dev', 'conv-1'), v2);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.notEqual(put.body.metadata.resourceVersion, v2.metadata.resourceVersion);
    const after1 = (await call(api, 'GET', clusters('v1beta1', 'dev', 'conv-1'))).body;
    assert.equal(after1.metadata.resourceVersion, put.body.metadata.resourceVersion);
    assert.equal(after1.spec.topology.class, 'builtin-generic-v3.4.0');
    assert.equal(after1.spec.topology.classNamespace, 'vmware-system-vks-public');
    assert.deepEqual(after1.spec.topology.variables, v2.spec.topology.variables);
    assert.equal(after1.metadata.generation, 2);

    // A stale resourceVersion from the other version's view is a conflict: it is the same object.
    const stale = await call(api, 'PUT', clusters('v1beta1', 'dev', 'conv-1'), v1);
    assert.equal(stale.status, 409);
    // A merge patch through v1beta1 is seen through v1beta2.
    const p = await call(
      api,
      'PATCH',
      clusters('v1beta1', 'dev', 'conv-1'),
      { spec: { topology: { version: 'v1.33.2' } } },
      { ct: MERGE },
    );
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal((await call(api, 'GET', clusters('v1beta2', 'dev', 'conv-1'))).body.spec.topology.version, 'v1.33.2');
    const names = (v: string) =>
      call(api, 'GET', clusters(v, 'dev')).then((r) => r.body.items.map((i: any) => i.metadata.name));
    assert.deepEqual(await names('v1beta1'), await names('v1beta2'));
  });

  test('the existing v1beta1 fixture (class tanzukubernetescluster) reads as before and as classRef in v1beta2', async () => {
    const v1 = lab.supervisor.get('cluster.x-k8s.io/v1beta1', 'clusters', 'dev', 'cc-1')!;
    assert.equal(v1.spec.topology.class, 'tanzukubernetescluster');
    assert.equal(v1.spec.topology.classNamespace, undefined);
    assert.equal(v1.status.controlPlaneReady, true);
    assert.equal(v1.status.infrastructureReady, true);
    const v2 = lab.supervisor.get('cluster.x-k8s.io/v1beta2', 'clusters', 'dev', 'cc-1')!;
    assert.deepEqual(v2.spec.topology.classRef, { name: 'tanzukubernetescluster' });
    assert.deepEqual(v2.status.initialization, { infrastructureProvisioned: true, controlPlaneInitialized: true });
  });

  test('variables: [] is refused by v1beta2 (MinItems=1, CRD schema, not the webhook) and accepted by v1beta1', async () => {
    const bad = await call(api, 'POST', clusters('v1beta2', 'dev'), v2Cluster('empty-2', []));
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body.message,
      'Cluster.cluster.x-k8s.io "empty-2" is invalid: spec.topology.variables: Invalid value: 0: spec.topology.variables in body should have at least 1 items',
    );
    assert.deepEqual(bad.body.details, {
      name: 'empty-2',
      group: 'cluster.x-k8s.io',
      kind: 'Cluster',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0: spec.topology.variables in body should have at least 1 items',
          field: 'spec.topology.variables',
        },
      ],
    });
    const ok = await call(api, 'POST', clusters('v1beta1', 'dev'), {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'empty-1' },
      spec: { topology: { class: 'tanzukubernetescluster', version: 'v1.28.8', variables: [] } },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const v2 = (await call(api, 'GET', clusters('v1beta2', 'dev', 'empty-1'))).body;
    assert.equal(v2.spec.topology.variables, undefined, 'the empty list does not survive conversion');
    // Patching it through v1beta2 works: nothing sends the empty list back.
    const p = await call(
      api,
      'PATCH',
      clusters('v1beta2', 'dev', 'empty-1'),
      { metadata: { labels: { a: 'b' } } },
      { ct: MERGE },
    );
    assert.equal(p.status, 200, JSON.stringify(p.body));
  });

  test('webhook: a valid osConfiguration (secretRef or content) is accepted, on create and by merge patch', async () => {
    const made = await call(
      api,
      'POST',
      clusters('v1beta2', 'dev'),
      v2Cluster('good-1', [
        osConfig({ secretRef: { name: 's', key: 'k' } }),
        { name: 'vmClass', value: 'best-effort-small' },
      ]),
    );
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const patched = await call(
      api,
      'PATCH',
      clusters('v1beta2', 'dev', 'vks-1'),
      {
        spec: {
          topology: {
            variables: [
              { name: 'vmClass', value: 'best-effort-small' },
              { name: 'storageClass', value: 'lab-storage' },
              osConfig({ content: 'LS0tLS1CRUdJTi...' }),
            ],
          },
        },
      },
      { ct: MERGE },
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(
      patched.body.spec.topology.variables[2].value.trust.additionalTrustedCAs[0].caCert.content,
      'LS0tLS1CRUdJTi...',
    );
  });

  const refused = async (name: string, variables: unknown[], classRef?: unknown): Promise<any> => {
    const body = v2Cluster(name, variables);
    if (classRef) body.spec.topology.classRef = classRef;
    const r = await call(api, 'POST', clusters('v1beta2', 'dev'), body);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.reason, 'Invalid');
    assert.ok(r.body.message.startsWith(`${WEBHOOK}Cluster.cluster.x-k8s.io "${name}" is invalid: `), r.body.message);
    assert.equal((await call(api, 'GET', clusters('v1beta2', 'dev', name))).status, 404, 'nothing was written');
    return r.body;
  };

  test('webhook: unknown class, undefined variable, wrong type, missing secretRef.key, both or neither of content/secretRef, unknown field: 422 with causes', async () => {
    let b = await refused('bad-class', [{ name: 'vmClass', value: 'x' }], { name: 'nope' });
    assert.deepEqual(b.details.causes, [
      {
        reason: 'InternalError',
        message: 'Internal error: ClusterClass dev/nope not found',
        field: 'spec.topology.class',
      },
    ]);
    b = await refused('bad-undefined', [{ name: 'trust', value: { additionalTrustedCAs: [{ name: 'x' }] } }]);
    assert.deepEqual(b.details.causes, [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "{\\"additionalTrustedCAs\\":[{\\"name\\":\\"x\\"}]}": variable is not defined',
        field: 'spec.topology.variables[trust]',
      },
    ]);
    b = await refused('bad-type', [osConfig({ content: 5 })]);
    assert.equal(b.details.causes[0].reason, 'FieldValueTypeInvalid');
    assert.equal(b.details.causes[0].field, `${CA_PATH}.content`);
    assert.match(b.details.causes[0].message, /must be of type string: "integer"$/);
    b = await refused('bad-key', [osConfig({ secretRef: { name: 's' } })]);
    assert.deepEqual(b.details.causes, [
      { reason: 'FieldValueRequired', message: 'Required value', field: `${CA_PATH}.secretRef.key` },
    ]);
    assert.match(b.message, /caCert\.secretRef\.key: Required value$/);
    b = await refused('bad-both', [osConfig({ content: 'x', secretRef: { name: 's', key: 'k' } })]);
    assert.equal(b.details.causes[0].field, CA_PATH);
    assert.match(
      b.details.causes[0].message,
      /must validate one and only one schema \(oneOf\)\. Found 2 valid alternatives/,
    );
    b = await refused('bad-neither', [osConfig({})]);
    assert.match(b.details.causes[0].message, /Found none valid/);
    b = await refused('bad-field', [osConfig({ secretRef: { name: 's', key: 'k', namespace: 'x' } })]);
    assert.deepEqual(
      b.details.causes.map((c: any) => c.field),
      ['spec.topology.variables[osConfiguration]'],
    );
    assert.match(
      b.details.causes[0].message,
      /failed validation: "trust\.additionalTrustedCAs\[0\]\.caCert\.secretRef\.namespace" field\(s\) are not specified in the variable schema of variable "osConfiguration"$/,
    );
    b = await refused('bad-twice', [
      { name: 'vmClass', value: 'a' },
      { name: 'vmClass', value: 'b' },
    ]);
    assert.match(b.details.causes[0].message, /variable "vmClass" is set more than once/);
    b = await refused('bad-many', [
      { name: 'vmClass', value: 1 },
      { name: 'nope', value: 'x' },
    ]);
    assert.equal(b.details.causes.length, 2);
    assert.match(
      b.message,
      /is invalid: \[spec\.topology\.variables\[vmClass\]\.value: Invalid value: .*, spec\.topology\.variables\[nope\]: Invalid value: .*variable is not defined\]$/,
    );
  });

  test('webhook on update: a bad patch or PUT is refused and changes nothing; dry run is checked too; status writes are not', async () => {
    const cur = (await call(api, 'GET', clusters('v1beta2', 'dev', 'vks-1'))).body;
    const bad = await call(
      api,
      'PATCH',
      clusters('v1beta2', 'dev', 'vks-1'),
      { spec: { topology: { variables: [osConfig({ secretRef: { name: 'only-name' } })] } } },
      { ct: MERGE },
    );
    assert.equal(bad.status, 422);
    assert.match(bad.body.message, /caCert\.secretRef\.key: Required value/);
    const dry = await call(api, 'PUT', `${clusters('v1beta1', 'dev', 'vks-1')}?dryRun=All`, {
      ...lab.supervisor.get('cluster.x-k8s.io/v1beta1', 'clusters', 'dev', 'vks-1'),
      spec: {
        topology: {
          class: 'builtin-generic-v3.4.0',
          classNamespace: 'vmware-system-vks-public',
          version: 'x',
          variables: [{ name: 'nope' }],
        },
      },
    });
    assert.equal(dry.status, 422);
    assert.equal(
      (await call(api, 'GET', clusters('v1beta2', 'dev', 'vks-1'))).body.metadata.resourceVersion,
      cur.metadata.resourceVersion,
    );
    const st = await call(
      api,
      'PATCH',
      `${clusters('v1beta2', 'dev', 'vks-1')}/status`,
      { status: { phase: 'Provisioning' } },
      { ct: MERGE },
    );
    assert.equal(st.status, 200, JSON.stringify(st.body));
  });

  test('webhook with the legacy class: trust [{name}] is accepted on a v1beta1 Cluster; an entry without name is refused', async () => {
    const v1 = lab.supervisor.get('cluster.x-k8s.io/v1beta1', 'clusters', 'dev', 'cc-1')!;
    const vars = [
      ...v1.spec.topology.variables,
      { name: 'trust', value: { additionalTrustedCAs: [{ name: 'harbor-ca' }] } },
    ];
    const ok = await call(
      api,
      'PATCH',
      clusters('v1beta1', 'dev', 'cc-1'),
      { spec: { topology: { variables: vars } } },
      { ct: MERGE },
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    vars[vars.length - 1] = { name: 'trust', value: { additionalTrustedCAs: [{ data: 'LS0t' }] } };
    const bad = await call(
      api,
      'PATCH',
      clusters('v1beta1', 'dev', 'cc-1'),
      { spec: { topology: { variables: vars } } },
      { ct: MERGE },
    );
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.details.causes, [
      {
        reason: 'FieldValueRequired',
        message: 'Required value',
        field: 'spec.topology.variables[trust].value.additionalTrustedCAs[0].name',
      },
    ]);
  });

  test('fixtures: the ClusterClasses and their published schemas', () => {
    const cc = lab.supervisor.get(
      'cluster.x-k8s.io/v1beta2',
      'clusterclasses',
      'vmware-system-vks-public',
      'builtin-generic-v3.4.0',
    )!;
    assert.equal(cc.spec.variables, undefined, 'spec.variables is empty: a runtime extension publishes them');
    assert.deepEqual(
      cc.status.variables.map((v: any) => v.name),
      ['osConfiguration', 'vmClass', 'storageClass'],
    );
    const os = cc.status.variables[0];
    assert.equal(os.definitionsConflict, false);
    assert.equal(os.definitions[0].from, 'vmware-system-vks-runtime-extension');
    const caCert =
      os.definitions[0].schema.openAPIV3Schema.properties.trust.properties.additionalTrustedCAs.items.properties.caCert;
    assert.deepEqual(Object.keys(caCert.properties), ['content', 'secretRef']);
    assert.deepEqual(caCert.properties.secretRef.required, ['name', 'key']);
    assert.equal(cc.status.conditions[0].type, 'VariablesReady');
    const v1 = lab.supervisor.get(
      'cluster.x-k8s.io/v1beta1',
      'clusterclasses',
      'vmware-system-vks-public',
      'builtin-generic-v3.4.0',
    )!;
    assert.equal(v1.status.conditions[0].type, 'VariablesReconciled');
    assert.equal(v1.status.v1beta2.conditions[0].type, 'VariablesReady');
    for (const ns of ['dev', 'prod']) {
      const legacy = lab.supervisor.get('cluster.x-k8s.io/v1beta2', 'clusterclasses', ns, 'tanzukubernetescluster')!;
      const trust = legacy.spec.variables.find((v: any) => v.name === 'trust');
      assert.deepEqual(trust.schema.openAPIV3Schema.properties.additionalTrustedCAs.items.required, ['name']);
      assert.equal(legacy.status.variables.find((v: any) => v.name === 'trust').definitions[0].from, 'inline');
    }
  });

  test('fixtures: vks-1 (v1beta2) with labelled VirtualMachines on the nodes of tkc-1 and its ssh secret', async () => {
    const vks = lab.supervisor.get('cluster.x-k8s.io/v1beta2', 'clusters', 'dev', 'vks-1')!;
    assert.deepEqual(vks.spec.topology.classRef, {
      name: 'builtin-generic-v3.4.0',
      namespace: 'vmware-system-vks-public',
    });
    assert.equal(vks.spec.topology.version, 'v1.33.1---vmware.1-vkr.1');
    const ips = async (selector: string): Promise<string[]> => {
      const r = await call(
        api,
        'GET',
        `/apis/vmoperator.vmware.com/v1alpha2/namespaces/dev/virtualmachines?labelSelector=${encodeURIComponent(selector)}`,
      );
      return r.body.items.map((v: any) => v.status.network.primaryIP4).sort();
    };
    assert.deepEqual(await ips('cluster.x-k8s.io/cluster-name=vks-1'), await ips('capw.vmware.com/cluster.name=tkc-1'));
    assert.deepEqual(await ips('cluster.x-k8s.io/cluster-name=vks-1,capv.vmware.com/cluster.role=controlplane'), [
      '10.10.0.11',
    ]);
    assert.deepEqual(await ips('cluster.x-k8s.io/cluster-name=vks-1,capv.vmware.com/cluster.role=node'), [
      '10.10.0.21',
      '10.10.0.22',
    ]);
    const key = (name: string): string => lab.supervisor.get('v1', 'secrets', 'dev', name)!.data['ssh-privatekey'];
    assert.equal(key('vks-1-ssh'), key('tkc-1-ssh'));
    assert.equal(lab.supervisor.get('v1', 'secrets', 'dev', 'vks-1-ssh')!.type, 'kubernetes.io/ssh-auth');
  });

  test('fixtures: Harbor as a Supervisor Service, readable by admin only; the public classes readable by namespace users', async () => {
    const ns = lab.supervisor.get('v1', 'namespaces', undefined, 'svc-harbor-domain-c8')!;
    assert.equal(ns.metadata.labels['appplatform.vmware.com/serviceId'], 'harbor');
    const s = lab.supervisor.get('v1', 'secrets', 'svc-harbor-domain-c8', 'harbor-tls')!;
    assert.equal(s.type, 'kubernetes.io/tls');
    assert.deepEqual(s.metadata.labels, { 'managed-by': 'vmware-vRegistry' });
    const pem = (k: string): string => Buffer.from(s.data[k], 'base64').toString();
    assert.equal(pem('ca.crt'), lab.harborService!.caPem);
    const leaf = new crypto.X509Certificate(pem('tls.crt'));
    assert.ok(leaf.verify(new crypto.X509Certificate(pem('ca.crt')).publicKey), 'the leaf is signed by the CA');
    assert.equal(leaf.checkPrivateKey(crypto.createPrivateKey(pem('tls.key'))), false, 'tls.key is a dummy');
    const devops = lab.users.devops.token;
    assert.equal(
      (
        await call(api, 'GET', '/api/v1/namespaces/svc-harbor-domain-c8/secrets/harbor-tls', undefined, {
          token: devops,
        })
      ).status,
      403,
    );
    const listed = await call(
      api,
      'GET',
      `/api/v1/namespaces?labelSelector=${encodeURIComponent('appplatform.vmware.com/serviceId')}`,
      undefined,
      { token: devops },
    );
    assert.deepEqual(
      listed.body.items.map((n: any) => n.metadata.name),
      ['svc-harbor-domain-c8'],
    );
    const cc = `${CAPI}/v1beta2/namespaces/vmware-system-vks-public/clusterclasses/builtin-generic-v3.4.0`;
    assert.equal((await call(api, 'GET', cc, undefined, { token: devops })).status, 200);
    assert.equal((await call(api, 'DELETE', cc, undefined, { token: devops })).status, 403);
  });

  test('the VCF-CLI kubeconfig: lab, lab:<ns>, lab:svc-harbor-domain-c8, lab:tkc-1; users lab and lab:tkc-1; current lab:dev', () => {
    const cfg = parse(lab.vcfKubeconfig('devops'));
    assert.equal(cfg['current-context'], 'lab:dev');
    assert.deepEqual(
      cfg.contexts.map((c: any) => c.name),
      ['lab', 'lab:dev', 'lab:prod', 'lab:svc-harbor-domain-c8', 'lab:tkc-1'],
    );
    assert.deepEqual(
      cfg.users.map((u: any) => u.name),
      ['lab', 'lab:tkc-1'],
    );
    assert.deepEqual(
      cfg.clusters.map((c: any) => c.name),
      ['lab', 'lab:tkc-1'],
    );
    const ctx = (n: string): any => cfg.contexts.find((c: any) => c.name === n).context;
    assert.deepEqual(ctx('lab:dev'), { cluster: 'lab', namespace: 'dev', user: 'lab' });
    assert.deepEqual(ctx('lab'), { cluster: 'lab', user: 'lab' });
    assert.deepEqual(ctx('lab:tkc-1'), { cluster: 'lab:tkc-1', user: 'lab:tkc-1' });
    assert.equal(cfg.clusters[0].cluster.server, lab.supervisor.url);
    assert.equal(cfg.clusters[1].cluster.server, lab.tkcs.get('tkc-1')!.url);
    assert.equal(cfg.users[0].user.token, lab.users.devops.token);
    assert.ok(!cfg.users.some((u: any) => u.name.startsWith('wcp:')));
  });
});
