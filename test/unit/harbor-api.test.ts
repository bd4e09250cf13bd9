// The Harbor API client and the pull check against a small local stand-in (plain HTTP):
// request shapes, Harbor's errors as one line, the secret kept out of every log line;
// and the robot annotations on pull secrets.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ANNOTATION, authEntry, robotMark } from '../../src/kube/dockerconfigjson.js';
import { mergeInto, newPullSecret } from '../../src/kube/pullsecret.js';
import { expiryText, HarborApi, HarborApiError } from '../../src/registry/harbor.js';
import { mayPull, tokenAccess, verifyLogin } from '../../src/registry/verify.js';

const SECRET = 'Robot-Secret-9f8e7d';
const jwt = (access: unknown): string =>
  `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ access })).toString('base64url')}.sig`;

let server: http.Server;
let host = '';
const seen: { method: string; url: string; body: string; auth: string }[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization ?? '' });
      const send = (status: number, doc: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(doc));
      };
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/v2/') {
        if (req.headers.authorization?.startsWith('Bearer ')) return send(200, {});
        return send(
          401,
          {},
          { 'Www-Authenticate': `Bearer realm="http://${host}/service/token",service="harbor-registry"` },
        );
      }
      if (u.pathname === '/service/token') {
        const scope = u.searchParams.get('scope');
        if (!scope) return send(200, { token: jwt([]) });
        const [, name] = scope.split(':');
        const actions = name!.startsWith('lab/') ? ['pull'] : [];
        return send(200, { token: jwt([{ type: 'repository', name, actions }]) });
      }
      if (req.method === 'POST' && u.pathname === '/api/v2.0/robots') {
        const b = JSON.parse(body);
        if (b.name === 'taken')
          return send(409, { errors: [{ code: 'CONFLICT', message: 'robot taken already exists' }] });
        return send(201, {
          id: 7,
          name: `robot$${b.permissions[0].namespace}+${b.name}`,
          secret: SECRET,
          expires_at: -1,
        });
      }
      if (req.method === 'PATCH' && u.pathname === '/api/v2.0/robots/7') return send(200, { secret: SECRET });
      if (u.pathname === '/api/v2.0/robots/8') return send(500, { errors: [{ code: 'UNKNOWN', message: 'boom' }] });
      if (u.pathname === '/api/v2.0/projects/nope')
        return send(404, { errors: [{ code: 'NOT_FOUND', message: 'project nope not found' }] });
      send(404, { errors: [{ code: 'NOT_FOUND', message: 'no route' }] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const registry = () => ({ host, plainHttp: true });
const options = (log: string[]) => ({
  tls: { rejectUnauthorized: true },
  timeoutMs: 5000,
  log: (l: string) => log.push(l),
});

test('createPullRobot sends a pull-only project robot; the secret comes back and is never logged', async () => {
  const log: string[] = [];
  const api = new HarborApi(registry(), { username: 'admin', password: 'pw' }, options(log));
  const r = await api.createPullRobot('lab', 'ci', 30);
  assert.deepEqual(r, { id: 7, name: 'robot$lab+ci', secret: SECRET, expires_at: -1 });
  const sent = JSON.parse(seen.at(-1)!.body);
  assert.deepEqual(sent.permissions, [
    { kind: 'project', namespace: 'lab', access: [{ resource: 'repository', action: 'pull' }] },
  ]);
  assert.equal(sent.duration, 30);
  assert.equal(sent.level, 'project');
  assert.equal(await api.refreshSecret(7, 'robot$lab+ci'), SECRET);
  assert.equal(seen.at(-1)!.method, 'PATCH');
  assert.deepEqual(
    log.map((l) => l.replace(/ in \d+ ms$/, '')),
    [`POST http://${host}/api/v2.0/robots 201`, `PATCH http://${host}/api/v2.0/robots/7 200`],
  );
  assert.ok(!log.join('\n').includes(SECRET));
});

test("Harbor's errors become one line with its message and status", async () => {
  const api = new HarborApi(registry(), { username: 'admin', password: 'pw' }, options([]));
  await assert.rejects(api.createPullRobot('lab', 'taken', 30), (e: unknown) => {
    assert.ok(e instanceof HarborApiError);
    assert.equal(e.status, 409);
    assert.equal(
      e.message,
      'creating robot "taken" in project "lab": Harbor answered 409 (robot taken already exists)',
    );
    return true;
  });
  await assert.rejects(api.project('nope'), /reading project "nope": Harbor answered 404 \(project nope not found\)/);
  await assert.rejects(
    api.refreshSecret(8, 'robot$lab+x'),
    /refreshing robot "robot\$lab\+x": Harbor answered 500 \(boom\)/,
  );
});

test('mayPull: a scoped token whose access grants pull; another project is refused', async () => {
  const creds = { username: 'robot$lab+ci', password: SECRET };
  const log: string[] = [];
  const v = await verifyLogin(registry(), creds, options(log));
  assert.equal(v.via, 'bearer');
  if (v.via !== 'bearer') return;
  assert.equal(await mayPull(registry(), creds, v.realm, 'lab/kubectl-harbor-check', options(log)), true);
  assert.equal(await mayPull(registry(), creds, v.realm, 'prod/kubectl-harbor-check', options(log)), false);
  const scoped = seen.filter((s) => s.url.includes('scope='));
  assert.match(scoped.at(-1)!.url, /scope=repository%3Aprod%2Fkubectl-harbor-check%3Apull/);
  assert.ok(!log.join('\n').includes(SECRET) && !log.join('\n').includes('scope'));
});

test('tokenAccess reads the access claim, and nothing from a malformed token', () => {
  assert.deepEqual(tokenAccess(jwt([{ type: 'repository', name: 'a/b', actions: ['pull'] }])), [
    { type: 'repository', name: 'a/b', actions: ['pull'] },
  ]);
  assert.deepEqual(tokenAccess('not-a-jwt'), []);
  assert.deepEqual(tokenAccess('a.!!!.c'), []);
  assert.deepEqual(tokenAccess(jwt('x')), []);
});

test('pull secrets: robot annotations written, kept, and dropped when another user takes the entry', () => {
  const mark = { registry: 'h:8443', id: 7, name: 'robot$lab+ci', expiresAt: expiryText(1_900_000_000)! };
  assert.equal(mark.expiresAt, '2030-03-17T17:46:40Z');
  assert.equal(expiryText(-1), 'never');
  const s = newPullSecret('p', 'dev', 'h:8443', authEntry('robot$lab+ci', 's1'), mark);
  assert.deepEqual(robotMark(s), mark);
  s.metadata!.annotations!.other = 'kept';
  const o = { overwrite: false, dryRun: undefined };
  const same = mergeInto(s, 'h:8443', authEntry('robot$lab+ci', 's1'), o);
  assert.equal(same, undefined, 'nothing to write');
  const refreshed = mergeInto(s, 'h:8443', authEntry('robot$lab+ci', 's2'), { ...o, robot: mark })!;
  assert.deepEqual(robotMark(refreshed), mark);
  const other = mergeInto(s, 'h:8443', authEntry('alice', 'pw'), o)!;
  assert.equal(robotMark(other), undefined);
  assert.deepEqual(other.metadata!.annotations, { other: 'kept' });
  const elsewhere = mergeInto(s, 'other:443', authEntry('alice', 'pw'), o)!;
  assert.deepEqual(robotMark(elsewhere), mark, 'another registry leaves the robot marks alone');
  assert.equal(ANNOTATION.expiresAt, 'kubectl-harbor/expires-at');
});
