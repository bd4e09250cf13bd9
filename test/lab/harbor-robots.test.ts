// The lab's Harbor API: projects and members, and project robots with Harbor's lifecycle
// (server/v2.0/handler/robot.go): create shows the secret once, list and get never, refresh
// replaces it at once (proved by a real skopeo), disable and delete; Harbor's validation
// errors and bodies; another robot name prefix on a second front with its own state.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HARBOR_ISSUER, HARBOR_PROJECTS, HARBOR_ROBOTS, HARBOR_SERVICE, HARBOR_USERS } from '../../lab/config.js';
import { HarborFront } from '../../lab/harbor/front.js';
import { pkiFiles } from '../../lab/labpki.js';
import type { LabInfo } from '../../lab/lab.js';
import { loopbackPorts, paths } from '../../lab/config.js';
import { HarborClient, type HttpResult, skopeoInspect } from '../helpers/harbor.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab, sharedLabConfig } from '../helpers/lab.js';

const pullOn = (namespace: string) => [
  { kind: 'project', namespace, access: [{ resource: 'repository', action: 'pull' }] },
];
const robotBody = (name: string, o: Record<string, unknown> = {}) => ({
  name,
  description: 'lab test',
  duration: -1,
  level: 'project',
  disable: false,
  permissions: pullOn('lab'),
  ...o,
});
const harborError = (r: HttpResult, status: number, code: string, message?: RegExp): void => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.errors.length, 1, r.text);
  assert.equal(r.json.errors[0].code, code, r.text);
  if (message) assert.match(r.json.errors[0].message, message);
};

describe('Harbor API: projects, members, robots', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let info: LabInfo;
  let h: HarborClient;
  const pw = (u: string): [string, string] => [u, info.users[u]!];
  const unique = `t${crypto.randomBytes(4).toString('hex')}`;

  before(async () => {
    info = (await sharedLab()).info;
    h = HarborClient.of(info);
  });

  test('projects: public to anyone, private to members (403 to others, 401 anonymous), missing 404 to the admin only', async () => {
    const lib = await h.api('GET', '/projects/library');
    assert.equal(lib.status, 200);
    assert.deepEqual([lib.json.name, lib.json.project_id, lib.json.metadata], ['library', 1, { public: 'true' }]);
    const lab = await h.api('GET', '/projects/lab', pw('reader'), undefined, { 'X-Is-Resource-Name': 'true' });
    assert.deepEqual([lab.status, lab.json.metadata.public, lab.json.current_user_role_id], [200, 'false', 3]);
    assert.equal((await h.api('GET', '/projects/2', pw('reader'))).json.name, 'lab');
    harborError(await h.api('GET', '/projects/lab', pw('outsider')), 403, 'FORBIDDEN');
    harborError(await h.api('GET', '/projects/lab'), 401, 'UNAUTHORIZED');
    harborError(await h.api('GET', '/projects/lab', ['reader', 'wrong']), 401, 'UNAUTHORIZED');
    harborError(await h.api('GET', '/projects/nope', pw('outsider')), 403, 'FORBIDDEN');
    harborError(await h.api('GET', '/projects/nope', pw('admin')), 404, 'NOT_FOUND');
    const mine = await h.api('GET', '/projects', pw('devops@vsphere.local'));
    assert.deepEqual(mine.json.map((p: { name: string }) => p.name).sort(), ['dev', 'lab', 'library', 'prod']);
  });

  test('members: roles by id and name; listed by members, refused to others', async () => {
    const m = await h.api('GET', '/projects/lab/members', pw('projadmin'));
    assert.equal(m.status, 200);
    const roles = Object.fromEntries(
      m.json.map((x: { entity_name: string; role_id: number }) => [x.entity_name, x.role_id]),
    );
    assert.deepEqual(roles, { admin: 1, 'devops@vsphere.local': 2, reader: 3, projadmin: 1 });
    assert.ok(m.json.every((x: { entity_type: string }) => x.entity_type === 'u'));
    assert.equal(m.json.find((x: { entity_name: string }) => x.entity_name === 'reader').role_name, 'guest');
    harborError(await h.api('GET', '/projects/lab/members', pw('outsider')), 403, 'FORBIDDEN');
    harborError(await h.api('GET', '/projects/secret-project/members', pw('devops@vsphere.local')), 403, 'FORBIDDEN');
  });

  test('robot lifecycle: create (secret once), list/get without secret, refresh (real skopeo), disable, delete', async () => {
    const created = await h.api('POST', '/robots', pw('projadmin'), robotBody(unique, { duration: 30 }));
    assert.equal(created.status, 201, created.text);
    const { id, name, secret, creation_time, expires_at } = created.json;
    assert.equal(name, `robot$lab+${unique}`);
    assert.equal(created.headers.location, `/api/v2.0/robots/${id}`);
    assert.match(secret, /^[A-Za-z0-9]{32}$/);
    assert.equal(expires_at, Math.floor(Date.parse(creation_time) / 1000) + 30 * 86_400);
    const robot: [string, string] = [name, secret];
    assert.equal((await skopeoInspect(info, 'lab/tiny:1', robot)).code, 0);

    const listed = await h.api('GET', '/robots?q=Level=project,ProjectID=2&page_size=100', pw('reader'));
    assert.equal(listed.status, 200);
    const mine = listed.json.find((r: { id: number }) => r.id === id);
    assert.deepEqual(
      [mine.name, mine.level, mine.duration, mine.disable, mine.editable],
      [name, 'project', 30, false, true],
    );
    assert.deepEqual(mine.permissions, pullOn('lab'));
    assert.ok(!listed.text.includes('"secret"'), 'no secret in a list');
    const one = await h.api('GET', `/robots/${id}`, pw('devops@vsphere.local'));
    assert.equal(one.status, 200);
    assert.equal(one.json.secret, undefined);
    assert.equal(one.json.expires_at, expires_at);
    const byName = await h.api('GET', `/robots?q=Level=project,ProjectID=2,name=lab%2B${unique}`, pw('projadmin'));
    assert.deepEqual(
      byName.json.map((r: { id: number }) => r.id),
      [id],
    );

    const refreshed = await h.api('PATCH', `/robots/${id}`, pw('projadmin'), {});
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.json.secret, secret);
    const old = await skopeoInspect(info, 'lab/tiny:1', robot);
    assert.notEqual(old.code, 0, 'the old secret no longer pulls');
    assert.equal((await skopeoInspect(info, 'lab/tiny:1', [name, refreshed.json.secret])).code, 0, 'the new one does');
    harborError(
      await h.api('PATCH', `/robots/${id}`, pw('projadmin'), { secret: 'weak' }),
      400,
      'BAD_REQUEST',
      /8-128/,
    );
    const chosen = await h.api('PATCH', `/robots/${id}`, pw('projadmin'), { secret: 'Chosen-Secret-42' });
    assert.deepEqual([chosen.status, chosen.json], [200, {}]);
    assert.equal((await skopeoInspect(info, 'lab/tiny:1', [name, 'Chosen-Secret-42'])).code, 0);
    harborError(await h.api('PATCH', `/robots/${id}`, pw('reader'), {}), 403, 'FORBIDDEN');

    const put = await h.api('PUT', `/robots/${id}`, pw('projadmin'), { ...robotBody(unique), name, disable: true });
    assert.equal(put.status, 200, put.text);
    const after = (await h.api('GET', `/robots/${id}`, pw('projadmin'))).json;
    assert.deepEqual([after.disable, after.duration, after.expires_at], [true, -1, -1]);
    const disabled = await h.token('repository:lab/tiny:pull', [name, 'Chosen-Secret-42']);
    assert.deepEqual(HarborClient.access(disabled.json.token)[0]!.actions, []);
    harborError(
      await h.api('PUT', `/robots/${id}`, pw('projadmin'), { ...robotBody('other'), name: 'robot$lab+other' }),
      400,
      'BAD_REQUEST',
      /cannot update the level or name/,
    );

    harborError(await h.api('DELETE', `/robots/${id}`, pw('devops@vsphere.local')), 403, 'FORBIDDEN');
    assert.equal((await h.api('DELETE', `/robots/${id}`, pw('projadmin'))).status, 200);
    harborError(await h.api('GET', `/robots/${id}`, pw('projadmin')), 404, 'NOT_FOUND');
    harborError(await h.api('DELETE', `/robots/${id}`, pw('projadmin')), 404, 'NOT_FOUND');
  });

  test("robot create: Harbor's validation (400), permission (401/403), missing project (404), conflict (409)", async () => {
    const admin = pw('admin');
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a name with +', robotBody('lab+x'), /illegal characters/],
      ['a name with $', robotBody('a$b'), /illegal characters/],
      ['an upper-case name', robotBody('Upper'), /illegal characters/],
      ['duration 0', robotBody(`${unique}d`, { duration: 0 }), /duration must be either -1/],
      ['duration -2', robotBody(`${unique}d`, { duration: -2 }), /duration must be either -1/],
      ['duration 2^31', robotBody(`${unique}d`, { duration: 2 ** 31 }), /duration must be either -1/],
      ['a level', robotBody(`${unique}d`, { level: 'galaxy' }), /level input/],
      ['no permissions', robotBody(`${unique}d`, { permissions: [] }), /empty permission/],
      [
        'no access',
        robotBody(`${unique}d`, { permissions: [{ kind: 'project', namespace: 'lab', access: [] }] }),
        /empty access/,
      ],
      [
        'an unknown action',
        robotBody(`${unique}d`, {
          permissions: [{ kind: 'project', namespace: 'lab', access: [{ resource: 'repository', action: 'fly' }] }],
        }),
        /repository:fly/,
      ],
      [
        'two projects',
        robotBody(`${unique}d`, { permissions: [...pullOn('lab'), ...pullOn('dev')] }),
        /bad request permission/,
      ],
    ];
    for (const [what, body, message] of cases) {
      const r = await h.api('POST', '/robots', admin, body);
      assert.equal(r.status, 400, what);
      harborError(r, 400, 'BAD_REQUEST', message);
    }
    harborError(await h.api('POST', '/robots', admin, '{not json'), 400, 'BAD_REQUEST');
    for (const u of ['devops@vsphere.local', 'reader', 'outsider', 'robot$lab+puller'])
      harborError(await h.api('POST', '/robots', pw(u), robotBody(`${unique}p`)), 403, 'FORBIDDEN');
    harborError(await h.api('POST', '/robots', undefined, robotBody(`${unique}p`)), 401, 'UNAUTHORIZED');
    harborError(await h.api('POST', '/robots', ['projadmin', 'wrong'], robotBody(`${unique}p`)), 401, 'UNAUTHORIZED');
    const nowhere = robotBody(`${unique}p`, { permissions: pullOn('no-such-project') });
    harborError(await h.api('POST', '/robots', pw('projadmin'), nowhere), 403, 'FORBIDDEN');
    harborError(await h.api('POST', '/robots', admin, nowhere), 404, 'NOT_FOUND', /no-such-project/);
    harborError(await h.api('POST', '/robots', admin, robotBody('puller')), 409, 'CONFLICT', /already exists/);
    // The same short name in another project is another robot.
    const dev = await h.api('POST', '/robots', admin, robotBody('puller', { permissions: pullOn('dev') }));
    assert.equal(dev.status, 201);
    assert.equal(dev.json.name, 'robot$dev+puller');
    assert.equal((await h.api('DELETE', `/robots/${dev.json.id}`, admin)).status, 200);
  });

  test('robot list: project robots need ProjectID and membership; system robots and /configurations the admin', async () => {
    harborError(await h.api('GET', '/robots?q=Level=project', pw('projadmin')), 400, 'BAD_REQUEST', /project ID/);
    harborError(await h.api('GET', '/robots?q=Level=project,ProjectID=x', pw('projadmin')), 400, 'BAD_REQUEST');
    harborError(await h.api('GET', '/robots?q=Level=project,ProjectID=2', pw('outsider')), 403, 'FORBIDDEN');
    harborError(await h.api('GET', '/robots?q=Level=project,ProjectID=2'), 401, 'UNAUTHORIZED');
    harborError(await h.api('GET', '/robots', pw('projadmin')), 403, 'FORBIDDEN');
    const system = await h.api('GET', '/robots', pw('admin'));
    assert.ok(system.json.some((r: { name: string; level: string }) => r.name === 'robot$ci' && r.level === 'system'));
    const page = await h.api('GET', '/robots?q=Level=project,ProjectID=2&page_size=1', pw('admin'));
    assert.equal(page.json.length, 1);
    assert.ok(Number(page.headers['x-total-count']) >= 3);
    const conf = await h.api('GET', '/configurations', pw('admin'));
    assert.deepEqual(conf.json.robot_name_prefix, { value: 'robot$', editable: true });
    harborError(await h.api('GET', '/configurations', pw('projadmin')), 403, 'FORBIDDEN');
    // The lab daemon keeps robots in its state directory.
    assert.ok(fs.existsSync(path.join(info.state, 'harbor', 'robots.json')));
  });
});

describe('Harbor with another robot name prefix, and its robots kept across restarts', {
  skip: !canRunLab && 'needs root for the lab',
}, () => {
  let info: LabInfo;
  let front: HarborFront | undefined;
  let h: HarborClient;
  const state = path.join(tempDir('harbor-prefix-'), 'robots.json');

  const freePort = (): Promise<number> =>
    new Promise((ok) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => ok(port));
      });
    });

  const start = async (port: number): Promise<HarborFront> => {
    const cfg = sharedLabConfig();
    const f = new HarborFront({
      listeners: [{ host: '127.0.0.1', port, api: 'v2' }],
      backend: { host: '127.0.0.1', port: loopbackPorts(cfg).registryBackend },
      users: HARBOR_USERS,
      projects: HARBOR_PROJECTS,
      robots: HARBOR_ROBOTS,
      robotPrefix: 'bot_',
      stateFile: state,
      service: HARBOR_SERVICE,
      issuer: HARBOR_ISSUER,
      signingKey: pkiFiles(paths(cfg).pki).token.key,
    });
    await f.start();
    return f;
  };

  before(async () => {
    info = (await sharedLab()).info;
    const port = await freePort();
    front = await start(port);
    h = new HarborClient(`http://127.0.0.1:${port}`);
  });
  after(async () => {
    await front?.close();
    fs.rmSync(path.dirname(state), { recursive: true, force: true });
  });

  test('names carry the configured prefix; the default prefix is no robot there; robots survive a restart', async () => {
    const admin: [string, string] = ['admin', info.users.admin!];
    const made = await h.api('POST', '/robots', admin, robotBody('pfx'));
    assert.equal(made.status, 201, made.text);
    assert.equal(made.json.name, 'bot_lab+pfx');
    assert.equal((await h.api('GET', '/configurations', admin)).json.robot_name_prefix.value, 'bot_');
    const good = await h.token('repository:lab/tiny:pull', ['bot_lab+pfx', made.json.secret]);
    assert.deepEqual(HarborClient.access(good.json.token)[0]!.actions, ['pull']);
    // The real registry accepts this front's token (same signing key).
    assert.equal((await h.manifest('lab/tiny', '1', good.json.token)).status, 200);
    const fixture = await h.token('repository:lab/tiny:pull', ['bot_lab+puller', 'robot-lab-puller-0001']);
    assert.deepEqual(HarborClient.access(fixture.json.token)[0]!.actions, ['pull']);
    const wrongPrefix = await h.token('repository:lab/tiny:pull', ['robot$lab+pfx', made.json.secret]);
    assert.deepEqual(HarborClient.access(wrongPrefix.json.token)[0]!.actions, []);

    const port = Number(new URL(h.base).port);
    await front!.close();
    front = await start(port);
    const again = await h.token('repository:lab/tiny:pull', ['bot_lab+pfx', made.json.secret]);
    assert.deepEqual(HarborClient.access(again.json.token)[0]!.actions, ['pull'], 'kept across a restart');
    const listed = await h.api('GET', '/robots?q=Level=project,ProjectID=2,name=~pfx', admin);
    assert.deepEqual(
      listed.json.map((r: { name: string }) => r.name),
      ['bot_lab+pfx'],
    );
  });
});
