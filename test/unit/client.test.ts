// The kube client wiring against a real (small) HTTP server on loopback: content
// types of patches, read-modify-write on 409, request timeouts, -vv request logs
// that never show a token, and one-line errors through the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type V1ServiceAccount } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { readModifyWrite } from '../../src/kube/write.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  auth: string | undefined;
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
        body,
      });
      const json = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (req.url?.startsWith('/api/v1/namespaces/hang')) return; // never answers
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

function client(opts: { timeoutMs?: number; log?: (l: string) => void } = {}) {
  return new KubeClient(resolveTarget({ kubeconfig: file }, { env: {}, homedir: '/nonexistent' }), {
    timeoutMs: opts.timeoutMs ?? 5000,
    log: opts.log,
  });
}

test('readModifyWrite: PUT with the resourceVersion read, retried on 409, keeps existing entries', async () => {
  const c = client();
  const core = c.api(CoreV1Api);
  try {
    seen = [];
    conflictsLeft = 2;
    let conflictsSeen = 0;
    const res = await readModifyWrite<V1ServiceAccount>(
      () => c.call('reading', () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'ns' })),
      (cur) => {
        const list = cur.imagePullSecrets ?? [];
        if (list.some((s) => s.name === 'harbor')) return undefined;
        return { ...cur, imagePullSecrets: [...list, { name: 'harbor' }] };
      },
      (next) =>
        c.call('writing', () => core.replaceNamespacedServiceAccount({ name: 'default', namespace: 'ns', body: next })),
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
  } finally {
    c.close();
  }
});

test('readModifyWrite: nothing to change, nothing written', async () => {
  const c = client();
  try {
    seen = [];
    const res = await readModifyWrite<V1ServiceAccount>(
      () => c.api(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'ns' }),
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
  const core = c.api(CoreV1Api);
  try {
    conflictsLeft = 100;
    await assert.rejects(
      readModifyWrite<V1ServiceAccount>(
        () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'ns' }),
        (cur) => ({ ...cur, imagePullSecrets: [] }),
        (next) =>
          c.call('updating serviceaccount/default', () =>
            core.replaceNamespacedServiceAccount({ name: 'default', namespace: 'ns', body: next }),
          ),
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
      c.call('reading the hanging thing', () => c.api(CoreV1Api).readNamespace({ name: 'hang' })),
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
    await c.api(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'ns' });
    await c
      .call('reading', () => c.api(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'forbidden' }))
      .catch(() => undefined);
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
      c.call('reading serviceaccount/default in namespace "forbidden"', () =>
        c.api(CoreV1Api).readNamespacedServiceAccount({ name: 'default', namespace: 'forbidden' }),
      ),
      /^ApiError: reading serviceaccount\/default in namespace "forbidden": Forbidden: serviceaccounts "default" is forbidden: User "dev" cannot get/,
    );
  } finally {
    c.close();
  }
});
