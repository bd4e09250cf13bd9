// The emulator's object semantics, checked request by request: resourceVersion
// preconditions, no-op writes, Status bodies, authorization, watch, exec protocols,
// version conversion, the kubelet stand-in and fault injection.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ApiServer } from '../../lab/apiserver/server.js';
import { startSupervisor, type SupervisorLab } from '../../lab/apiserver/supervisor.js';

interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

function call(
  api: ApiServer,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; contentType?: string; accept?: string; raw?: Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.raw ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
    const req = https.request(
      `${api.url}${path}`,
      {
        method,
        ca: api.ca.certPem,
        headers: {
          ...(opts.token !== '' ? { Authorization: `Bearer ${opts.token ?? api.users[0]!.token}` } : {}),
          ...(payload
            ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': payload.length }
            : {}),
          Accept: opts.accept ?? 'application/json',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* text */
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const SA = '/api/v1/namespaces/dev/serviceaccounts';
const CM = '/api/v1/namespaces/kube-system/configmaps/image-fetcher-ca-bundle';

describe('API server emulator semantics', () => {
  let lab: SupervisorLab;
  let api: ApiServer;

  before(async () => {
    lab = await startSupervisor({
      server: {
        kubelet: {
          startDelayMs: 20,
          pullError: (img) => (img.includes('untrusted') ? 'x509: certificate signed by unknown authority' : undefined),
        },
      },
    });
    api = lab.supervisor;
  });
  after(() => lab.close());

  test('a stale resourceVersion gets 409 Conflict on PUT and on patch; the current one succeeds', async () => {
    const cur = (await call(api, 'GET', CM)).body;
    const rv = cur.metadata.resourceVersion;
    const put = await call(api, 'PUT', CM, { body: { ...cur, data: { 'ca-bundle': cur.data['ca-bundle'] + 'x' } } });
    assert.equal(put.status, 200);
    assert.notEqual(put.body.metadata.resourceVersion, rv);
    const stale = await call(api, 'PUT', CM, { body: { ...cur, data: { 'ca-bundle': 'lost' } } });
    assert.equal(stale.status, 409);
    assert.deepEqual(stale.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on configmaps "image-fetcher-ca-bundle": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'image-fetcher-ca-bundle', kind: 'configmaps' },
      code: 409,
    });
    const patch = await call(api, 'PATCH', CM, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: rv }, data: { 'ca-bundle': 'lost' } },
    });
    assert.equal(patch.status, 409);
    assert.equal((await call(api, 'GET', CM)).body.data['ca-bundle'], cur.data['ca-bundle'] + 'x');
  });

  test('a no-op patch or PUT leaves resourceVersion unchanged and writes no watch event', async () => {
    const cur = (await call(api, 'GET', `${SA}/default`)).body;
    const before = api.store.revision;
    const smp = await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/strategic-merge-patch+json',
      body: { imagePullSecrets: cur.imagePullSecrets },
    });
    const put = await call(api, 'PUT', `${SA}/default`, { body: cur });
    assert.equal(smp.body.metadata.resourceVersion, cur.metadata.resourceVersion);
    assert.equal(put.body.metadata.resourceVersion, cur.metadata.resourceVersion);
    assert.equal(api.store.revision, before);
  });

  test('custom resources need a resourceVersion on PUT and bump generation when spec changes', async () => {
    const path = '/apis/run.tanzu.vmware.com/v1alpha1/tkgserviceconfigurations/tkg-service-configuration';
    const cur = (await call(api, 'GET', path)).body;
    const { resourceVersion: _, ...meta } = cur.metadata;
    const noRv = await call(api, 'PUT', path, { body: { ...cur, metadata: meta } });
    assert.equal(noRv.status, 422);
    assert.match(noRv.body.message, /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/);
    const ok = await call(api, 'PUT', path, {
      body: { ...cur, spec: { ...cur.spec, trust: { additionalTrustedCAs: [{ name: 'a', data: 'YQ==' }] } } },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.metadata.generation, cur.metadata.generation + 1);
  });

  test('Status bodies: 404 NotFound, 409 AlreadyExists, 422 Invalid, 400 BadRequest, 401, 403, 415', async () => {
    const nf = await call(api, 'GET', '/api/v1/namespaces/dev/secrets/nope');
    assert.deepEqual(
      [nf.status, nf.body.reason, nf.body.message, nf.body.details],
      [404, 'NotFound', 'secrets "nope" not found', { name: 'nope', kind: 'secrets' }],
    );
    const crNf = await call(
      api,
      'GET',
      '/apis/run.tanzu.vmware.com/v1alpha3/namespaces/dev/tanzukubernetesclusters/nope',
    );
    assert.equal(crNf.body.message, 'tanzukubernetesclusters.run.tanzu.vmware.com "nope" not found');
    const exists = await call(api, 'POST', SA, { body: { metadata: { name: 'default' } } });
    assert.deepEqual(
      [exists.status, exists.body.reason, exists.body.message],
      [409, 'AlreadyExists', 'serviceaccounts "default" already exists'],
    );
    const badSecret = await call(api, 'POST', '/api/v1/namespaces/dev/secrets', {
      body: { metadata: { name: 'bad' }, type: 'kubernetes.io/dockerconfigjson', data: {} },
    });
    assert.deepEqual(
      [badSecret.status, badSecret.body.reason, badSecret.body.message],
      [422, 'Invalid', 'Secret "bad" is invalid: data[.dockerconfigjson]: Required value'],
    );
    assert.deepEqual(badSecret.body.details.causes, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'data[.dockerconfigjson]' },
    ]);
    const wrongNs = await call(api, 'POST', SA, { body: { metadata: { name: 'x', namespace: 'prod' } } });
    assert.deepEqual([wrongNs.status, wrongNs.body.reason], [400, 'BadRequest']);
    const anon = await call(api, 'GET', SA, { token: '' });
    assert.deepEqual([anon.status, anon.body.reason, anon.body.message], [401, 'Unauthorized', 'Unauthorized']);
    const version = await call(api, 'GET', '/version', { token: '' });
    assert.deepEqual([version.status, version.body.minor], [200, '32']);
    const patchType = await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/apply-patch+yaml',
      body: {},
    });
    assert.deepEqual([patchType.status, patchType.body.reason], [415, 'UnsupportedMediaType']);
    const tooBig = await call(api, 'PATCH', CM, {
      contentType: 'application/merge-patch+json',
      body: { data: { 'ca-bundle': 'x'.repeat(1024 * 1024 + 1) } },
    });
    assert.equal(tooBig.status, 422);
    assert.match(tooBig.body.message, /Too long: must have at most 1048576 bytes/);
  });

  test('403 for a token without the rule, worded as RBAC words it, for each scope', async () => {
    const devops = lab.users.devops.token;
    const cm = await call(api, 'PATCH', CM, { token: devops, contentType: 'application/merge-patch+json', body: {} });
    assert.deepEqual(
      [cm.status, cm.body.reason, cm.body.details],
      [403, 'Forbidden', { name: 'image-fetcher-ca-bundle', kind: 'configmaps' }],
    );
    assert.equal(
      cm.body.message,
      'configmaps "image-fetcher-ca-bundle" is forbidden: User "devops@vsphere.local" cannot patch resource "configmaps" in API group "" in the namespace "kube-system"',
    );
    const tsc = await call(
      api,
      'PATCH',
      '/apis/run.tanzu.vmware.com/v1alpha1/tkgserviceconfigurations/tkg-service-configuration',
      { token: devops, contentType: 'application/merge-patch+json', body: {} },
    );
    assert.equal(
      tsc.body.message,
      'tkgserviceconfigurations.run.tanzu.vmware.com "tkg-service-configuration" is forbidden: User "devops@vsphere.local" cannot patch resource "tkgserviceconfigurations" in API group "run.tanzu.vmware.com" at the cluster scope',
    );
    assert.equal(
      (await call(api, 'GET', '/apis/run.tanzu.vmware.com/v1alpha1/tkgserviceconfigurations', { token: devops }))
        .status,
      200,
    );
    const exec = await call(api, 'POST', '/api/v1/namespaces/dev/pods/x/exec?command=ls', {
      token: lab.users.viewer.token,
    });
    assert.match(exec.body.message, /cannot create resource "pods\/exec"/);
  });

  test('strategic merge patch: merge keys for pod containers and env, $patch delete, lists without a key replaced', async () => {
    const pods = '/api/v1/namespaces/prod/pods';
    await call(api, 'POST', pods, {
      body: {
        metadata: { name: 'smp' },
        spec: {
          containers: [
            { name: 'a', image: 'i:1', env: [{ name: 'X', value: '1' }] },
            { name: 'b', image: 'i:1' },
          ],
          imagePullSecrets: [{ name: 'p1' }],
        },
      },
    });
    const r = await call(api, 'PATCH', `${pods}/smp`, {
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          containers: [
            { name: 'a', image: 'i:2', env: [{ name: 'Y', value: '2' }] },
            { name: 'b', $patch: 'delete' },
          ],
          imagePullSecrets: [{ name: 'p2' }],
        },
      },
    });
    // Containers cannot be removed from a real pod: the update is refused, nothing is written.
    assert.equal(r.status, 422);
    const ok = await call(api, 'PATCH', `${pods}/smp`, {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { containers: [{ name: 'a', image: 'i:2' }] } },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(
      ok.body.spec.containers.map((c: any) => [c.name, c.image, c.env?.length ?? 0]),
      [
        ['a', 'i:2', 1],
        ['b', 'i:1', 0],
      ],
    );
    const sa = await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/strategic-merge-patch+json',
      body: { imagePullSecrets: [{ name: 'only' }] },
    });
    assert.deepEqual(sa.body.imagePullSecrets, [{ name: 'only' }], 'kubernetes#72475');
    await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/merge-patch+json',
      body: { imagePullSecrets: [{ name: 'dev-default-image-pull-secret' }] },
    });
  });

  test('JSON patch: test guards a read-modify-write; add to an absent list fails with 422', async () => {
    const cur = (await call(api, 'GET', `${SA}/default`)).body;
    const guarded = await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
        { op: 'add', path: '/imagePullSecrets/-', value: { name: 'added' } },
      ],
    });
    assert.equal(guarded.status, 200);
    assert.deepEqual(guarded.body.imagePullSecrets, [...cur.imagePullSecrets, { name: 'added' }]);
    const again = await call(api, 'PATCH', `${SA}/default`, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
        { op: 'add', path: '/imagePullSecrets/-', value: { name: 'twice' } },
      ],
    });
    assert.equal(again.status, 422);
    await call(api, 'POST', SA, { body: { metadata: { name: 'empty' } } });
    const absent = await call(api, 'PATCH', `${SA}/empty`, {
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/imagePullSecrets/-', value: { name: 'x' } }],
    });
    assert.deepEqual([absent.status, absent.body.reason], [422, 'Invalid']);
  });

  test('protobuf bodies are decoded, and a field the decoder does not know is refused, not dropped', async () => {
    const str = (no: number, s: string): Buffer =>
      Buffer.concat([Buffer.from([(no << 3) | 2, Buffer.byteLength(s)]), Buffer.from(s)]);
    const msg = (no: number, b: Buffer): Buffer => Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
    const envelope = (kind: string, raw: Buffer): Buffer =>
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, Buffer.concat([str(1, 'v1'), str(2, kind)])), msg(2, raw)]);
    const cm = Buffer.concat([msg(1, str(1, 'from-proto')), msg(2, Buffer.concat([str(1, 'k'), str(2, 'v')]))]);
    const ok = await call(api, 'POST', '/api/v1/namespaces/dev/configmaps', {
      raw: envelope('ConfigMap', cm),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.data, { k: 'v' });
    const odd = Buffer.concat([cm, str(9, 'unknown')]);
    const refused = await call(api, 'POST', '/api/v1/namespaces/dev/configmaps', {
      raw: envelope('ConfigMap', odd),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    assert.equal(refused.status, 415);
    assert.match(refused.body.message, /field 9 of ConfigMap/);
  });

  test('list: label and field selectors, limit and continue', async () => {
    const vms = '/apis/vmoperator.vmware.com/v1alpha2/namespaces/dev/virtualmachines';
    const sel = encodeURIComponent('capw.vmware.com/cluster.name=tkc-1,capw.vmware.com/cluster.role=node');
    assert.equal((await call(api, 'GET', `${vms}?labelSelector=${sel}`)).body.items.length, 2);
    const first = (await call(api, 'GET', `${vms}?limit=2`)).body;
    assert.equal(first.items.length, 2);
    assert.equal(first.metadata.remainingItemCount, 1);
    const rest = (await call(api, 'GET', `${vms}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`))
      .body;
    assert.equal(rest.items.length, 1);
    assert.equal(rest.metadata.continue, undefined);
    const bad = await call(api, 'GET', `${vms}?labelSelector=${encodeURIComponent('a in (b')}`);
    assert.equal(bad.status, 400);
  });

  test('VirtualMachine v1alpha1 shows status.vmIp, v1alpha2 status.network.primaryIP4; restricting served versions hides the others', async () => {
    const [vm] = (await call(api, 'GET', '/apis/vmoperator.vmware.com/v1alpha2/namespaces/dev/virtualmachines')).body
      .items;
    const v1 = (
      await call(api, 'GET', `/apis/vmoperator.vmware.com/v1alpha1/namespaces/dev/virtualmachines/${vm.metadata.name}`)
    ).body;
    assert.equal(v1.status.vmIp, vm.status.network.primaryIP4);
    assert.equal(v1.status.network, undefined);
    const old = await ApiServer.start({ served: { 'run.tanzu.vmware.com': ['v1alpha1'] } });
    try {
      assert.equal(
        (await call(old, 'GET', '/apis/run.tanzu.vmware.com/v1alpha3/tkgserviceconfigurations')).status,
        404,
      );
      assert.equal(
        (await call(old, 'GET', '/apis/run.tanzu.vmware.com/v1alpha1/tkgserviceconfigurations')).status,
        200,
      );
      assert.deepEqual(
        (await call(old, 'GET', '/apis/run.tanzu.vmware.com')).body.versions.map((v: any) => v.version),
        ['v1alpha1'],
      );
    } finally {
      await old.close();
    }
  });

  test('watch: replays from a resourceVersion, streams changes, 410 Expired for a version no longer kept', async () => {
    const rv = (await call(api, 'GET', '/api/v1/namespaces/prod/configmaps')).body.metadata.resourceVersion;
    await call(api, 'POST', '/api/v1/namespaces/prod/configmaps', { body: { metadata: { name: 'w1' } } });
    const events: any[] = [];
    const req = https.request(`${api.url}/api/v1/namespaces/prod/configmaps?watch=true&resourceVersion=${rv}`, {
      ca: api.ca.certPem,
      headers: { Authorization: `Bearer ${api.users[0]!.token}` },
    });
    const done = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) events.push(JSON.parse(l));
          if (events.length >= 3) resolve();
        });
      });
    });
    req.end();
    await new Promise((r) => setTimeout(r, 100));
    await call(api, 'PATCH', '/api/v1/namespaces/prod/configmaps/w1', {
      contentType: 'application/merge-patch+json',
      body: { data: { a: 'b' } },
    });
    await call(api, 'DELETE', '/api/v1/namespaces/prod/configmaps/w1');
    await done;
    req.destroy();
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [
        ['ADDED', 'w1'],
        ['MODIFIED', 'w1'],
        ['DELETED', 'w1'],
      ],
    );
    const gone = await call(
      api,
      'GET',
      '/api/v1/namespaces/prod/configmaps?watch=1&resourceVersion=1&timeoutSeconds=1',
    );
    assert.equal(gone.body.type, 'ERROR');
    assert.equal(gone.body.object.code, 410);
  });

  test('pods: Running after the delay; an untrusted registry gives ErrImagePull, then ImagePullBackOff, with kubelet events; deadlines end pods', async () => {
    const pods = '/api/v1/namespaces/dev/pods';
    await call(api, 'POST', pods, {
      body: { metadata: { name: 'ok' }, spec: { containers: [{ name: 'c', image: 'photon:3.0' }] } },
    });
    await call(api, 'POST', pods, {
      body: { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'harbor/untrusted:1' }] } },
    });
    await call(api, 'POST', pods, {
      body: {
        metadata: { name: 'short' },
        spec: { activeDeadlineSeconds: 1, containers: [{ name: 'c', image: 'photon:3.0' }] },
      },
    });
    const until = async (name: string, pred: (p: any) => boolean): Promise<any> => {
      for (let i = 0; i < 200; i++) {
        const p = (await call(api, 'GET', `${pods}/${name}`)).body;
        if (pred(p)) return p;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`pod ${name} never got there`);
    };
    const ok = await until('ok', (p) => p.status.phase === 'Running');
    assert.equal(ok.status.containerStatuses[0].ready, true);
    const bad = await until(
      'bad',
      (p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    assert.equal(bad.status.phase, 'Pending');
    const ev = (
      await call(
        api,
        'GET',
        `/api/v1/namespaces/dev/events?fieldSelector=${encodeURIComponent('involvedObject.name=bad,type=Warning')}`,
      )
    ).body.items;
    assert.deepEqual(
      ev.map((e: any) => e.message),
      [
        'Failed to pull image "harbor/untrusted:1": x509: certificate signed by unknown authority',
        'Error: ErrImagePull',
        'Error: ImagePullBackOff',
      ],
    );
    assert.equal(ev[0].source.component, 'kubelet');
    const short = await until('short', (p) => p.status.phase === 'Failed');
    assert.equal(short.status.reason, 'DeadlineExceeded');
    const del = await call(api, 'DELETE', `${pods}/ok`);
    assert.ok(del.body.metadata.deletionTimestamp, 'pod deletion answers with the object');
    const sec = await call(api, 'DELETE', '/api/v1/namespaces/dev/secrets/tkc-1-ssh-password?dryRun=All');
    assert.deepEqual([sec.body.kind, sec.body.status], ['Status', 'Success']);
    assert.equal(
      (await call(api, 'GET', '/api/v1/namespaces/dev/secrets/tkc-1-ssh-password')).status,
      200,
      'dry run deleted nothing',
    );
  });

  const execWs = (
    path: string,
    protocol: string,
    onOpen?: (ws: WebSocket) => void,
  ): Promise<{ out: string; err: string; status: any; protocol: string }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`${api.url.replace('https', 'wss')}${path}`, [protocol], {
        ca: api.ca.certPem,
        headers: { Authorization: `Bearer ${api.users[0]!.token}` },
      });
      let out = '';
      let err = '';
      let status: any;
      ws.on('open', () => onOpen?.(ws));
      ws.on('message', (m: Buffer) => {
        if (m[0] === 1) out += m.subarray(1).toString();
        if (m[0] === 2) err += m.subarray(1).toString();
        if (m[0] === 3) status = JSON.parse(m.subarray(1).toString());
      });
      ws.on('close', () => resolve({ out, err, status, protocol: ws.protocol }));
      ws.on('error', reject);
    });

  test('exec over v4.channel.k8s.io and v5.channel.k8s.io runs a real process; v5 can close stdin', async () => {
    const pods = '/api/v1/namespaces/prod/pods';
    await call(api, 'POST', pods, {
      body: { metadata: { name: 'jump' }, spec: { containers: [{ name: 'c', image: 'photon:3.0' }] } },
    });
    for (let i = 0; i < 100 && (await call(api, 'GET', `${pods}/jump`)).body.status.phase !== 'Running'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const v4 = await execWs(
      `${pods}/jump/exec?command=sh&command=-c&command=echo%20four%3B%20exit%207&stdout=true&stderr=true`,
      'v4.channel.k8s.io',
    );
    assert.deepEqual(
      [v4.protocol, v4.out, v4.status.reason, v4.status.details.causes[0].message],
      ['v4.channel.k8s.io', 'four\n', 'NonZeroExitCode', '7'],
    );
    const v5 = await execWs(
      `${pods}/jump/exec?command=wc&command=-c&stdin=true&stdout=true&stderr=true`,
      'v5.channel.k8s.io',
      (ws) => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('12345')]));
        ws.send(Buffer.from([255, 0]));
      },
    );
    assert.deepEqual([v5.out.trim(), v5.status.status], ['5', 'Success']);
    const pending = await call(api, 'POST', pods, {
      body: { metadata: { name: 'gone' }, spec: { containers: [{ name: 'c', image: 'photon:3.0' }] } },
    });
    assert.equal(pending.status, 201);
    await call(api, 'DELETE', `${pods}/gone`);
    const noPod = await execWs(`${pods}/gone/exec?command=true`, 'v5.channel.k8s.io').catch((e: Error) => e);
    assert.match(String(noPod), /404/);
  });

  test('deleting the pod ends its exec sessions', async () => {
    const pods = '/api/v1/namespaces/prod/pods';
    await call(api, 'POST', pods, {
      body: { metadata: { name: 'victim' }, spec: { containers: [{ name: 'c', image: 'photon:3.0' }] } },
    });
    for (let i = 0; i < 100 && (await call(api, 'GET', `${pods}/victim`)).body.status.phase !== 'Running'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const session = execWs(`${pods}/victim/exec?command=sleep&command=30&stdout=true`, 'v5.channel.k8s.io', () => {
      setTimeout(() => void call(api, 'DELETE', `${pods}/victim`), 100);
    });
    const r = await session;
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.equal(r.status.details.causes[0].message, '137');
  });

  test('faults: latency, 503 then success, 409 storms, dropped responses, expired tokens', async () => {
    const path = `${SA}/default`;
    api.faults.fail(2, 503, { path: '/serviceaccounts/default' });
    assert.equal((await call(api, 'GET', path)).status, 503);
    assert.equal((await call(api, 'GET', path)).status, 503);
    assert.equal((await call(api, 'GET', path)).status, 200);
    api.faults.conflicts(3, { resource: 'serviceaccounts' });
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await call(api, 'PATCH', path, { contentType: 'application/merge-patch+json', body: {} })).status,
        409,
      );
    assert.equal(
      (await call(api, 'PATCH', path, { contentType: 'application/merge-patch+json', body: {} })).status,
      200,
    );
    api.faults.drop(1, { resource: 'serviceaccounts' });
    await assert.rejects(call(api, 'GET', path));
    api.faults.latency(150, { resource: 'serviceaccounts' });
    const t0 = Date.now();
    await call(api, 'GET', path);
    assert.ok(Date.now() - t0 >= 140);
    api.faults.clear();
    api.faults.expireTokens();
    assert.equal((await call(api, 'GET', path)).status, 401);
    api.faults.expireTokens(false);
    assert.equal((await call(api, 'GET', path)).status, 200);
  });

  test('namespace fixtures: pull and push secrets, default ServiceAccount with the pull secret, image-fetcher-ca-bundle, TKC secrets', async () => {
    for (const ns of lab.namespaces) {
      for (const kind of ['pull', 'push']) {
        const s = (await call(api, 'GET', `/api/v1/namespaces/${ns}/secrets/${ns}-default-image-${kind}-secret`)).body;
        assert.equal(s.type, 'kubernetes.io/dockerconfigjson');
      }
    }
    assert.deepEqual(
      (await call(api, 'GET', '/api/v1/namespaces/prod/serviceaccounts/default')).body.imagePullSecrets,
      [{ name: 'prod-default-image-pull-secret' }],
    );
    const bundle = (await call(api, 'GET', CM)).body.data['ca-bundle'];
    assert.ok(bundle.startsWith(lab.existingCa.certPem));
    const ssh = (await call(api, 'GET', '/api/v1/namespaces/dev/secrets/tkc-1-ssh')).body;
    assert.equal(ssh.type, 'kubernetes.io/ssh-auth');
    assert.equal(Buffer.from(ssh.data['ssh-privatekey'], 'base64').toString(), lab.sshKey.privatePem);
  });
});
