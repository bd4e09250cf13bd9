// The kube client wiring (KubeClient.rest and its text and headers variants) against a real
// (small) HTTP server on loopback: read-modify-write on 409, request timeouts, -vv request
// logs that never show a token, one keep-alive connection, exec credentials, pod logs as
// text, Warning headers, and one-line errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import type { V1ServiceAccount } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import { warningsOf } from '../../src/kube/daemonset.js';
import { eventTime } from '../../src/kube/wire.js';
import { resolveTarget } from '../../src/kube/config.js';
import { readModifyWrite } from '../../src/kube/write.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  auth: string | undefined;
  accept: string | undefined;
  port: number | undefined;
  body: string;
}

let server: http.Server;
let seen: Seen[] = [];
let rv = 1;
let conflictsLeft = 0;
let file: string;
const TOKEN = 'sekret-bearer-token-123';

const sa = () => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'default', namespace: 'ns', resourceVersion: String(rv) },
  imagePullSecrets: [{ name: 'ns-default-image-pull-secret' }],
});

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        contentType: req.headers['content-type'],
        auth: req.headers.authorization,
        accept: req.headers.accept,
        port: req.socket.remotePort,
        body,
      });
      const json = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (req.url?.startsWith('/api/v1/namespaces/hang')) return; // never answers
      if (req.url?.startsWith('/api/v1/namespaces/ns/pods/p/log')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('RESULT {"ok":true}\nnot json\n');
      }
      if (req.url?.startsWith('/apis/apps/v1/namespaces/kube-system/daemonsets') && req.method === 'POST') {
        res.writeHead(201, [
          ['content-type', 'application/json'],
          ['warning', '299 - "would violate PodSecurity \\"restricted:latest\\""'],
          ['warning', '299 - "second"'],
        ]);
        return res.end(body);
      }
      if (req.url === '/api/v1') {
        return json(200, {
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [
            { name: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount', verbs: ['get', 'patch', 'update'] },
          ],
        });
      }
      if (req.url?.startsWith('/api/v1/namespaces/ns/serviceaccounts/default')) {
        if (req.method === 'GET') return json(200, sa());
        if (req.method === 'PATCH') return json(200, sa());
        if (req.method === 'PUT') {
          const sent = JSON.parse(body);
          if (conflictsLeft > 0 || sent.metadata.resourceVersion !== String(rv)) {
            conflictsLeft--;
            rv++;
            return json(409, {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Conflict',
              code: 409,
              message:
                'Operation cannot be fulfilled on serviceaccounts "default": the object has been modified; please apply your changes to the latest version and try again',
            });
          }
          rv++;
          return json(200, { ...sent, metadata: { ...sent.metadata, resourceVersion: String(rv) } });
        }
      }
      if (req.url?.startsWith('/api/v1/namespaces/forbidden/')) {
        return json(403, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message:
            'serviceaccounts "default" is forbidden: User "dev" cannot get resource "serviceaccounts" in the namespace "forbidden"',
        });
      }
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `${req.url} not found`,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const kc = new KC()
    .cluster('lab', `http://127.0.0.1:${port}`)
    .user('dev', TOKEN)
    .ctx('lab', 'lab', 'dev', 'ns')
    .use('lab');
  file = kc.write(tempDir());
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function client(opts: { timeoutMs?: number; log?: (l: string) => void; kubeconfig?: string } = {}) {
  return new KubeClient(resolveTarget({ kubeconfig: opts.kubeconfig ?? file }, { env: {}, homedir: '/nonexistent' }), {
    timeoutMs: opts.timeoutMs ?? 5000,
    log: opts.log,
  });
}

const SA = '/api/v1/namespaces/ns/serviceaccounts/default';
const readSa = (c: KubeClient, namespace = 'ns') =>
  c.rest<V1ServiceAccount>('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/default`);
const writeSa = (c: KubeClient, body: V1ServiceAccount) => c.rest<V1ServiceAccount>('PUT', SA, { body });

test('readModifyWrite: PUT with the resourceVersion read, retried on 409, keeps existing entries', async () => {
  const c = client();
  try {
    seen = [];
    conflictsLeft = 2;
    let conflictsSeen = 0;
    const res = await readModifyWrite<V1ServiceAccount>(
      () => c.call('reading', () => readSa(c)),
      (cur) => {
        const list = cur.imagePullSecrets ?? [];
        if (list.some((s) => s.name === 'harbor')) return undefined;
        return { ...cur, imagePullSecrets: [...list, { name: 'harbor' }] };
      },
      (next) => c.call('writing', () => writeSa(c, next)),
      { backoffMs: 1, onConflict: () => conflictsSeen++ },
    );
    assert.equal(res.changed, true);
    assert.equal(res.conflicts, 2);
    assert.equal(conflictsSeen, 2);
    assert.deepEqual(JSON.parse(JSON.stringify(res.object.imagePullSecrets)), [
      { name: 'ns-default-image-pull-secret' },
      { name: 'harbor' },
    ]);
    const puts = seen.filter((s) => s.method === 'PUT').map((s) => JSON.parse(s.body).metadata.resourceVersion);
    const gets = seen.filter((s) => s.method === 'GET').length;
    assert.equal(puts.length, 3);
    assert.equal(gets, 3, 'each retry reads again');
    const put = seen.find((s) => s.method === 'PUT')!;
    assert.equal(put.contentType, 'application/json');
    assert.equal(put.accept, 'application/json');
  } finally {
    c.close();
  }
});

test('readModifyWrite: nothing to change, nothing written', async () => {
  const c = client();
  try {
    seen = [];
    const res = await readModifyWrite<V1ServiceAccount>(
      () => readSa(c),
      () => undefined,
      () => assert.fail('must not write'),
    );
    assert.equal(res.changed, false);
    assert.deepEqual(
      seen.map((s) => s.method),
      ['GET'],
    );
  } finally {
    c.close();
  }
});

test('readModifyWrite gives up after its retries with the Conflict error', async () => {
  const c = client();
  try {
    conflictsLeft = 100;
    await assert.rejects(
      readModifyWrite<V1ServiceAccount>(
        () => readSa(c),
        (cur) => ({ ...cur, imagePullSecrets: [] }),
        (next) => c.call('updating serviceaccount/default', () => writeSa(c, next)),
        { retries: 3, backoffMs: 1 },
      ),
      /updating serviceaccount\/default: Conflict: Operation cannot be fulfilled/,
    );
  } finally {
    conflictsLeft = 0;
    c.close();
  }
});

test('a request that gets no answer ends at --request-timeout with one line', async () => {
  const c = client({ timeoutMs: 200 });
  try {
    await assert.rejects(
      c.call('reading the hanging thing', () => c.rest('GET', '/api/v1/namespaces/hang')),
      (e: Error) =>
        e.name === 'NetworkError' &&
        /^reading the hanging thing: timed out talking to http:\/\/127.0.0.1:\d+$/.test(e.message),
    );
  } finally {
    c.close();
  }
});

test('-vv logs method, URL, status and time of every request, and never the token', async () => {
  const lines: string[] = [];
  const c = client({ log: (l) => lines.push(l) });
  try {
    await readSa(c);
    await c.call('reading', () => readSa(c, 'forbidden')).catch(() => undefined);
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^GET http:\/\/127.0.0.1:\d+\/api\/v1\/namespaces\/ns\/serviceaccounts\/default 200 in \d+ms$/,
    );
    assert.match(lines[1]!, / 403 in \d+ms$/);
    assert.ok(!lines.join('\n').includes(TOKEN));
  } finally {
    c.close();
  }
});

test('a 403 becomes one line naming what was being done', async () => {
  const c = client();
  try {
    await assert.rejects(
      c.call('reading serviceaccount/default in namespace "forbidden"', () => readSa(c, 'forbidden')),
      /^ApiError: reading serviceaccount\/default in namespace "forbidden": Forbidden: serviceaccounts "default" is forbidden: User "dev" cannot get/,
    );
  } finally {
    c.close();
  }
});

test('every request of a client goes over one keep-alive connection, with the bearer token', async () => {
  const c = client();
  try {
    seen = [];
    await readSa(c);
    await readSa(c);
    await c.restText('GET', '/api/v1/namespaces/ns/pods/p/log');
    assert.equal(seen.length, 3);
    assert.equal(new Set(seen.map((s) => s.port)).size, 1, 'one connection');
    assert.ok(seen.every((s) => s.auth === `Bearer ${TOKEN}`));
  } finally {
    c.close();
  }
});

test('an exec plugin is run once for concurrent requests; its token is sent', async () => {
  const dir = tempDir();
  const count = path.join(dir, 'count');
  const plugin = path.join(dir, 'cred');
  const token = 'exec-token-456';
  fs.writeFileSync(
    plugin,
    `#!/bin/sh\necho x >> ${count}\necho '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"${token}"}}'\n`,
    { mode: 0o755 },
  );
  const { port } = server.address() as AddressInfo;
  const kc = new KC().cluster('lab', `http://127.0.0.1:${port}`).ctx('lab', 'lab', 'execer', 'ns').use('lab');
  kc.users.set('execer', {
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' },
  });
  const c = client({ kubeconfig: kc.write(dir) });
  try {
    seen = [];
    await Promise.all([readSa(c), readSa(c), readSa(c)]);
    assert.ok(seen.length === 3 && seen.every((s) => s.auth === `Bearer ${token}`));
    assert.equal(fs.readFileSync(count, 'utf8'), 'x\n', 'the plugin ran once');
  } finally {
    c.close();
  }
});

test('restText: a pod log comes back as the text sent, with its query and a -v line', async () => {
  const lines: string[] = [];
  const c = client({ log: (l) => lines.push(l) });
  try {
    seen = [];
    const text = await c.restText('GET', '/api/v1/namespaces/ns/pods/p/log', { query: { limitBytes: '65536' } });
    assert.equal(text, 'RESULT {"ok":true}\nnot json\n');
    assert.equal(seen[0]?.url, '/api/v1/namespaces/ns/pods/p/log?limitBytes=65536');
    assert.equal(seen[0]?.accept, 'application/json, */*;q=0.8');
    assert.match(
      lines[0] ?? '',
      /^GET http:\/\/127.0.0.1:\d+\/api\/v1\/namespaces\/ns\/pods\/p\/log\?limitBytes=65536 200 in \d+ms$/,
    );
    await assert.rejects(
      c.call('reading the log of pod/q', () => c.restText('GET', '/api/v1/namespaces/ns/pods/q/log')),
      /^ApiError: reading the log of pod\/q: NotFound: /,
    );
  } finally {
    c.close();
  }
});

test('restInfo: the object and the response headers, repeated Warning headers joined', async () => {
  const c = client();
  try {
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'kube-system' } };
    const r = await c.restInfo<typeof ds>('POST', '/apis/apps/v1/namespaces/kube-system/daemonsets', {
      body: ds,
      query: { fieldManager: 'kubectl-harbor', dryRun: undefined },
    });
    assert.deepEqual(r.data, ds);
    assert.equal(seen.at(-1)?.url, '/apis/apps/v1/namespaces/kube-system/daemonsets?fieldManager=kubectl-harbor');
    assert.deepEqual(warningsOf(r.headers), ['would violate PodSecurity "restricted:latest"', 'second']);
  } finally {
    c.close();
  }
});

test('eventTime: RFC 3339 strings (as sent) and Dates (as the typed client made them) alike; none is 0', () => {
  const at = '2026-01-02T03:04:05Z';
  assert.equal(eventTime({ lastTimestamp: at, eventTime: '2020-01-01T00:00:00Z' }), Date.parse(at));
  assert.equal(eventTime({ lastTimestamp: null, eventTime: new Date(at) }), Date.parse(at));
  assert.equal(
    eventTime({ metadata: { creationTimestamp: '2026-01-01T00:00:00Z' } }),
    Date.parse('2026-01-01T00:00:00Z'),
  );
  assert.equal(eventTime({ metadata: {} }), 0);
  assert.equal(eventTime({ lastTimestamp: 'garbage' }), 0);
});

test('the kubeconfig is asked for credentials once per client; an auth provider, which refreshes, on every request', async () => {
  const counted = (kubeconfig: string): { c: KubeClient; asked: () => number } => {
    const t = resolveTarget({ kubeconfig }, { env: {}, homedir: '/nonexistent' });
    const apply = t.kc.applySecurityAuthentication.bind(t.kc);
    let n = 0;
    t.kc.applySecurityAuthentication = (ctx) => {
      n++;
      return apply(ctx);
    };
    return { c: new KubeClient(t, { timeoutMs: 5000 }), asked: () => n };
  };
  const { port } = server.address() as AddressInfo;
  const gcp = path.join(tempDir(), 'gcp.kubeconfig');
  fs.writeFileSync(
    gcp,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: lab, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: g, user: {auth-provider: {name: gcp, config: {access-token: gcp-token-1, expiry: "2999-01-01T00:00:00Z"}}}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: g, namespace: ns}}]',
      'current-context: lab',
    ].join('\n'),
  );
  for (const [kubeconfig, want, auth] of [
    [file, 1, `Bearer ${TOKEN}`],
    [gcp, 3, 'Bearer gcp-token-1'],
  ] as const) {
    const { c, asked } = counted(kubeconfig);
    try {
      seen = [];
      await readSa(c);
      await readSa(c);
      await readSa(c);
      assert.equal(asked(), want, kubeconfig);
      assert.ok(
        seen.every((s) => s.auth === auth),
        JSON.stringify(seen.map((s) => s.auth)),
      );
    } finally {
      c.close();
    }
  }
});

test("a cluster's proxy-url is used: every request goes through the proxy", async () => {
  const { port } = server.address() as AddressInfo;
  const through: string[] = [];
  // An HTTP CONNECT proxy (hpagent tunnels through CONNECT for http and https servers alike).
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    through.push(req.url ?? '');
    const [host, p] = (req.url ?? '').split(':');
    const up = net.connect(Number(p), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const kubeconfig = path.join(tempDir(), 'proxy.kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: lab, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true, proxy-url: "http://127.0.0.1:${(proxy.address() as AddressInfo).port}"}}]`,
      `users: [{name: dev, user: {token: ${TOKEN}}}]`,
      'contexts: [{name: lab, context: {cluster: lab, user: dev, namespace: ns}}]',
      'current-context: lab',
    ].join('\n'),
  );
  const c = client({ kubeconfig });
  try {
    seen = [];
    assert.equal((await readSa(c)).metadata?.name, 'default');
    await readSa(c);
    assert.ok(through.length >= 1 && through.every((t) => t === `127.0.0.1:${port}`), JSON.stringify(through));
    assert.ok(seen.every((s) => s.auth === `Bearer ${TOKEN}`));
  } finally {
    c.close();
    proxy.closeAllConnections();
    proxy.close();
  }
});
