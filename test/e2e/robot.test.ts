// `kubectl harbor robot create|refresh|list|delete` (issue 17, part 3), the built plugin
// against the lab's Harbor API and registry, with the real kubectl and the real skopeo:
// the pull secret a pod would use pulls; after a refresh the old secret no longer pulls
// and the new one does, in every namespace; the robot's secret is never printed or logged.
// Needs the lab's Harbor robot API (the Harbor fidelity lab work): skipped without it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, type TestContext, test } from 'node:test';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import { baseEnv, exec, type Result } from '../helpers/run.js';

describe('kubectl harbor robot', needsLab, () => {
  const h = e2e('robot');
  const lab = labFixture(h);
  const fx = supervisorFixture(h, () => ({ harbor: lab.info.harbor, namespaces: ['dev', 'prod', 'team-a'] }));
  const secretName = () => `harbor-${lab.info.harbor.replace(':', '-')}`;

  const harbor = (args: string[], user = 'admin', input = `${lab.info.users[user]}\n`): Promise<Result> =>
    h.harbor([...args, '-u', user, '--password-stdin', '--ca-file', lab.info.ca], { input });
  const kubectl = (args: string[]): Promise<Result> => h.kubectl(args, { kubeconfig: fx.kubeconfigs.admin });
  const secretOf = async (ns: string, name = secretName()) => {
    const r = await kubectl(['get', 'secret', name, '-n', ns, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const cfg = JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString());
    return { secret: s, cfg, entry: cfg.auths[lab.info.harbor] as { username: string; password: string } };
  };
  /** Pull the lab image with a pull secret's .dockerconfigjson, as a node would: the real skopeo. */
  const pulls = async (cfg: unknown): Promise<boolean> => {
    const auth = path.join(h.home, `auth-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(auth, JSON.stringify(cfg), { mode: 0o600 });
    const certs = path.join(lab.info.certsDir, lab.info.harbor);
    const r = await exec(
      'skopeo',
      ['inspect', '--authfile', auth, '--cert-dir', certs, `docker://${lab.info.image}`],
      baseEnv(),
    );
    return r.code === 0;
  };
  const adminAuth = () => `Authorization: Basic ${Buffer.from(`admin:${lab.info.users.admin}`).toString('base64')}`;
  const hasRobotApi = async (t: TestContext): Promise<boolean> => {
    const url = `https://${lab.info.harbor}/api/v2.0/projects/lab`;
    const r = await exec('curl', ['-sf', '--cacert', lab.info.ca, '-H', adminAuth(), url], baseEnv());
    if (r.code === 0) return true;
    t.skip('needs the lab Harbor project and robot API (the Harbor fidelity lab work)');
    return false;
  };
  const noSecretIn = (secret: string, ...outputs: Result[]) => {
    for (const o of outputs) assert.ok(!`${o.stdout}${o.stderr}`.includes(secret), 'the robot secret is never printed');
  };

  // A run cut short leaves robot$lab+e2e in the lab's Harbor, where `create` would find it (409):
  // take it away first, through Harbor's API, so the file runs again on the same lab.
  before(async () => {
    const api = `https://${lab.info.harbor}/api/v2.0`;
    const get = (url: string) => exec('curl', ['-sf', '--cacert', lab.info.ca, '-H', adminAuth(), url], baseEnv());
    const project = await get(`${api}/projects/lab`);
    if (project.code !== 0) return; // no robot API (hasRobotApi skips the tests)
    const id = (JSON.parse(project.stdout) as { project_id: number }).project_id;
    const list = await get(`${api}/robots?page_size=100&q=${encodeURIComponent(`Level=project,ProjectID=${id}`)}`);
    assert.equal(list.code, 0, list.stderr);
    for (const r of JSON.parse(list.stdout) as Array<{ id: number; name: string }>) {
      if (r.name !== 'robot$lab+e2e') continue;
      const gone = await exec(
        'curl',
        ['-sf', '-X', 'DELETE', '--cacert', lab.info.ca, '-H', adminAuth(), `${api}/robots/${r.id}`],
        baseEnv(),
      );
      assert.equal(gone.code, 0, gone.stderr);
    }
  });

  test('create: a pull-only robot in two namespaces, annotated, bound; its pull secret pulls with skopeo; never printed', async (t) => {
    if (!(await hasRobotApi(t))) return;
    const r = await harbor([
      'robot',
      'create',
      lab.info.harbor,
      '--project',
      'lab',
      '--name',
      'e2e',
      '--duration',
      '7',
      '--namespaces',
      'dev,prod',
      '--bind-sa',
      'default',
      '-vv',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /robot "robot\$lab\+e2e" \(id \d+\) created in project "lab": pull only, expires in 7 days/);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [
      `secret/${secretName()} created`,
      `secret/${secretName()} created`,
      'serviceaccount/default bound',
      'serviceaccount/default bound',
    ]);
    for (const ns of ['dev', 'prod']) {
      const { secret, cfg, entry } = await secretOf(ns);
      assert.equal(entry.username, 'robot$lab+e2e');
      noSecretIn(entry.password, r);
      const a = secret.metadata.annotations;
      assert.equal(a['kubectl-harbor/registry'], lab.info.harbor);
      assert.equal(a['kubectl-harbor/robot-name'], 'robot$lab+e2e');
      assert.match(a['kubectl-harbor/robot-id'], /^\d+$/);
      const days = (Date.parse(a['kubectl-harbor/expires-at']) - Date.now()) / 86_400_000;
      assert.ok(days > 6 && days <= 7.01, a['kubectl-harbor/expires-at']);
      assert.equal(await pulls(cfg), true, `${ns}: the pull secret pulls`);
    }
    const list = await h.harbor(['robot', 'list', '-A'], { kubeconfig: fx.kubeconfigs.admin });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAMESPACE\s+SECRET\s+REGISTRY\s+ROBOT\s+ID\s+EXPIRES\n/);
    assert.equal(list.stdout.match(/robot\$lab\+e2e/g)?.length, 2);
  });

  test('refresh: the old secret no longer pulls, the new one does, in every namespace; never printed', async (t) => {
    if (!(await hasRobotApi(t))) return;
    const before = await secretOf('dev');
    const r = await harbor(['robot', 'refresh', '--namespaces', 'dev,prod,team-a', '-vv']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /robot "robot\$lab\+e2e" has a new secret; the old one no longer works/);
    assert.equal(await pulls(before.cfg), false, 'the old secret no longer pulls');
    for (const ns of ['dev', 'prod']) {
      const now = await secretOf(ns);
      assert.notEqual(now.entry.password, before.entry.password);
      noSecretIn(now.entry.password, r);
      assert.equal(await pulls(now.cfg), true, `${ns}: the new secret pulls`);
    }
  });

  test('bad input and faults: one line each, nothing written', async (t) => {
    if (!(await hasRobotApi(t))) return;
    const rv = fx.sup.supervisor.store.revision;
    const cases: [string[], string, string | undefined, RegExp][] = [
      [
        ['--project', 'lab', '--name', 'x1', '-n', 'team-a'],
        'admin',
        'wrong\n',
        /wrong username or password for "admin"/,
      ],
      [
        ['--project', 'lab', '--name', 'x2', '-n', 'team-a'],
        'reader',
        undefined,
        /"reader" may not create robots in project "lab".*project admin/,
      ],
      [
        ['--project', 'no-such-project', '-n', 'team-a'],
        'admin',
        undefined,
        /project "no-such-project" does not exist/,
      ],
      [
        ['--project', 'lab', '--name', 'e2e', '-n', 'team-a'],
        'admin',
        undefined,
        /a robot named "e2e" already exists in project "lab"/,
      ],
    ];
    for (const [args, user, input, line] of cases) {
      const r = await harbor(['robot', 'create', lab.info.harbor, ...args], user, input);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, line);
    }
    assert.equal(fx.sup.supervisor.store.revision, rv, 'nothing written');
  });

  test('a robot deleted in Harbor while its secret remains: refresh says so; delete cleans up', async (t) => {
    if (!(await hasRobotApi(t))) return;
    const c = await harbor(['robot', 'create', lab.info.harbor, '--project', 'lab', '--name', 'gone', '-n', 'team-a']);
    assert.equal(c.code, 0, c.stderr);
    const id = (await secretOf('team-a')).secret.metadata.annotations['kubectl-harbor/robot-id'];
    const del = await exec(
      'curl',
      [
        '-sf',
        '-X',
        'DELETE',
        '--cacert',
        lab.info.ca,
        '-H',
        adminAuth(),
        `https://${lab.info.harbor}/api/v2.0/robots/${id}`,
      ],
      baseEnv(),
    );
    assert.equal(del.code, 0, del.stderr);
    const r = await harbor(['robot', 'refresh', '-n', 'team-a']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: robot "robot\$lab\+gone" \(id \d+\) no longer exists at .*, but secret\/\S+ in namespace "team-a" still holds it/,
    );
    const d = await harbor(['robot', 'delete', '-n', 'team-a']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /was already gone/);
    assert.equal((await kubectl(['get', 'secret', secretName(), '-n', 'team-a'])).code, 1);
  });
});
