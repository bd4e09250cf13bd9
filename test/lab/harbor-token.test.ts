// The lab's Harbor token service behaves like Harbor's (core/service/token/creator.go):
// 401 only to an unauthenticated request without a scope; with a scope, wrong, expired or
// disabled credentials are anonymous (200, nothing on private projects), and the real
// docker-registry then refuses the pull. Public projects pull anonymously.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { LabInfo } from '../../lab/lab.js';
import { HarborClient, request, skopeoInspect } from '../helpers/harbor.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';

describe('Harbor token service', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let info: LabInfo;
  let h: HarborClient;
  const pw = (u: string): [string, string] => [u, info.users[u]!];
  const actions = async (scope: string, who?: [string, string]): Promise<string[]> => {
    const t = await h.token(scope, who);
    assert.equal(t.status, 200, t.text);
    const access = HarborClient.access(t.json.token);
    assert.equal(access.length, 1);
    return access[0]!.actions;
  };

  before(async () => {
    info = (await sharedLab()).info;
    h = HarborClient.of(info);
  });

  test('without a scope (docker login): bad, unknown or no credentials are 401 with Harbor errors; good ones 200', async () => {
    for (const who of [
      ['admin', 'wrong'],
      ['nobody', 'x'],
      ['robot$lab+old', 'robot-lab-old-0001'],
      undefined,
    ] as const) {
      const r = await h.token(undefined, who ? [who[0], who[1]] : undefined);
      assert.equal(r.status, 401, `${who?.[0]}`);
      assert.equal(r.json.errors[0].code, 'UNAUTHORIZED');
    }
    for (const u of ['admin', 'outsider', 'robot$lab+puller']) {
      const r = await h.token(undefined, pw(u));
      assert.equal(r.status, 200, u);
      assert.deepEqual(HarborClient.access(r.json.token), []);
    }
  });

  test('with a scope: wrong, unknown, expired, disabled or no credentials are anonymous: 200 and no actions', async () => {
    const cases: Array<[string, [string, string] | undefined]> = [
      ['wrong password', ['admin', 'wrong']],
      ['unknown user', ['nobody', 'x']],
      ['expired robot', ['robot$lab+old', 'robot-lab-old-0001']],
      ['disabled robot', ['robot$lab+off', 'robot-lab-off-0001']],
      ['robot, wrong secret', ['robot$lab+puller', 'nope']],
      ['no credentials', undefined],
    ];
    for (const [what, who] of cases) {
      const t = await h.token('repository:lab/tiny:pull', who);
      assert.equal(t.status, 200, what);
      assert.deepEqual(
        HarborClient.access(t.json.token),
        [{ type: 'repository', name: 'lab/tiny', actions: [] }],
        what,
      );
      assert.equal(JSON.parse(Buffer.from(t.json.token.split('.')[1], 'base64url').toString()).sub, '', what);
      // The real registry judges the token: no pull.
      const m = await h.manifest('lab/tiny', '1', t.json.token);
      assert.equal(m.status, 401, what);
      assert.match(String(m.headers['www-authenticate']), /error="insufficient_scope"/, what);
    }
  });

  test('the fixtures robot$lab+old and robot$lab+off are refused by a real skopeo; robot$lab+puller pulls', async () => {
    for (const u of ['robot$lab+old', 'robot$lab+off']) {
      const r = await skopeoInspect(info, 'lab/tiny:1', pw(u));
      assert.notEqual(r.code, 0, u);
      assert.match(r.stderr, /unauthorized|denied|authentication required/i, u);
    }
    const ok = await skopeoInspect(info, 'lab/tiny:1', pw('robot$lab+puller'));
    assert.equal(ok.code, 0, ok.stderr);
    const lab = info.robots.find((r) => r.name === 'robot$lab+old')!;
    assert.deepEqual([lab.expired, lab.disabled, lab.project], [true, false, 'lab']);
  });

  test('per project: roles, robots, the outsider, a missing project; every action allowed, whatever was asked', async () => {
    assert.deepEqual(await actions('repository:lab/tiny:pull', pw('outsider')), []);
    assert.deepEqual(await actions('repository:lab/tiny:pull,push', pw('reader')), ['pull']);
    assert.deepEqual(await actions('repository:lab/tiny:pull', pw('devops@vsphere.local')), ['pull', 'push']);
    assert.deepEqual(await actions('repository:lab/tiny:pull', pw('projadmin')), ['pull', 'push', 'delete']);
    assert.deepEqual(await actions('repository:prod/app:pull', pw('projadmin')), []);
    assert.deepEqual(await actions('repository:secret-project/x:pull', pw('devops@vsphere.local')), []);
    assert.deepEqual(await actions('repository:secret-project/x:pull', pw('admin')), [
      'pull',
      'push',
      'delete',
      'scanner-pull',
    ]);
    assert.deepEqual(await actions('repository:lab/tiny:pull,push', pw('robot$lab+puller')), ['pull']);
    assert.deepEqual(await actions('repository:dev/tiny:pull', pw('robot$lab+puller')), []);
    assert.deepEqual(await actions('repository:lab/tiny:push', pw('robot$ci')), ['pull', 'push']);
    for (const u of ['admin', 'outsider', 'robot$lab+puller'])
      assert.deepEqual(await actions('repository:no-such-project/tiny:pull', pw(u)), [], u);
    assert.deepEqual(await actions('registry:catalog:*', pw('admin')), ['*']);
    assert.deepEqual(await actions('registry:catalog:*', pw('reader')), []);
  });

  test('a public project: anyone pulls, anonymous included, never pushes; a real skopeo with no credentials', async () => {
    assert.deepEqual(await actions('repository:library/tiny:pull,push'), ['pull']);
    assert.deepEqual(await actions('repository:library/tiny:pull,push', pw('outsider')), ['pull']);
    assert.deepEqual(await actions('repository:library/tiny:pull', ['admin', 'wrong']), ['pull']);
    const t = await h.token('repository:library/tiny:pull');
    assert.equal((await h.manifest('library/tiny', '1', t.json.token)).status, 200);
    const pub = await skopeoInspect(info, 'library/tiny:1');
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal(info.publicImage, `${info.harbor}/library/tiny:1`);
    const priv = await skopeoInspect(info, 'lab/tiny:1');
    assert.notEqual(priv.code, 0);
  });

  test("the service must be Harbor's; POST is 405", async () => {
    const r = await h.token('repository:lab/tiny:pull', pw('admin'));
    assert.equal(r.status, 200);
    const other = await request(`${h.base}/service/token?service=other&scope=repository:lab/tiny:pull`, { ca: h.ca });
    assert.equal(other.status, 400);
    assert.equal(other.json.errors[0].code, 'BAD_REQUEST');
    const post = await request(`${h.base}/service/token?service=harbor-registry`, { ca: h.ca, method: 'POST' });
    assert.equal(post.status, 405);
  });
});
