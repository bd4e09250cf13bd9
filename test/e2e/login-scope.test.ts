// `kubectl harbor login` checks the right to pull (issue 17, part 2), the built plugin
// against the lab's Harbor: a scoped token request per project (--project, --image, the
// vSphere Namespace's own project), a refusal that names the user, project and fix and
// writes nothing; a robot that expires soon is warned about from the secret's annotation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

describe('kubectl harbor login: the right to pull', needsLab, () => {
  const h = e2e('login-scope');
  const lab = labFixture(h);
  const fx = supervisorFixture(h, () => ({ harbor: lab.info.harbor, namespaces: ['dev', 'prod'] }));

  const login = (args: string[], user: string, extra: string[] = []): Promise<Result> =>
    h.harbor(['login', lab.info.harbor, '-u', user, '--password-stdin', '--ca-file', lab.info.ca, ...args, ...extra], {
      input: `${lab.info.users[user]}\n`,
    });
  const secretExists = async (ns: string, name: string): Promise<boolean> =>
    (await h.kubectl(['get', 'secret', name, '-n', ns], { kubeconfig: fx.kubeconfigs.admin })).code === 0;

  test('a member of the project may pull: login says so', async () => {
    const r = await login(['--project', 'lab', '--secret-name', 'scope-ok'], 'devops@vsphere.local');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"devops@vsphere\.local" may pull from project "lab"/);
    assert.equal(r.stdout, 'secret/scope-ok created\n');
  });

  test('a user who is not a member of a private project is refused, in one line, and nothing is written', async () => {
    const r = await login(['--project', 'secret-project', '--secret-name', 'scope-no'], 'devops@vsphere.local');
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(
      lines.at(-1),
      `error: "devops@vsphere.local" may not pull from project "secret-project" at ${lab.info.harbor} (or the project does not exist): add the user to project "secret-project" with at least pull (Harbor: Members, role Guest or higher; robots: a pull permission on the project)`,
    );
    assert.equal(r.stdout, '');
    assert.equal(await secretExists('dev', 'scope-no'), false);
  });

  test('the outsider (member of nothing) is refused on the private project "lab"', async (t) => {
    if (!lab.info.users.outsider) return t.skip('needs the lab user "outsider" (the Harbor fidelity lab work)');
    const r = await login(['--project', 'lab', '--secret-name', 'scope-outsider'], 'outsider');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: "outsider" may not pull from project "lab"/);
    assert.equal(await secretExists('dev', 'scope-outsider'), false);
  });

  test("--image checks the image's project; a robot of another project is refused", async () => {
    const ok = await login(
      ['--image', `${lab.info.harbor}/lab/tiny:1`, '--secret-name', 'scope-img'],
      'robot$lab+puller',
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /"robot\$lab\+puller" may pull from project "lab"/);
    const no = await login(
      ['--image', `${lab.info.harbor}/prod/app:1`, '--secret-name', 'scope-img2'],
      'robot$lab+puller',
    );
    assert.equal(no.code, 1);
    assert.match(
      no.stderr,
      /error: "robot\$lab\+puller" may not pull from project "prod" .*: add the robot to project "prod"/,
    );
    assert.equal(await secretExists('dev', 'scope-img2'), false);
  });

  test('without --project or --image, login says that only authentication was checked', async () => {
    const r = await login(['--secret-name', 'scope-auth'], 'devops@vsphere.local');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /only authentication was checked; pass --project or --image to check the right to pull/);
  });

  test("in a vSphere Namespace context, the embedded Harbor's project is the namespace's", async () => {
    const r = await h.harbor(['login', '--ca-file', lab.info.ca, '--secret-name', 'scope-ns'], {
      extra: { KUBECTL_VSPHERE_PASSWORD: lab.info.vspherePassword },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /"devops@vsphere\.local" may pull from project "dev"/);
  });

  test('a robot that expires within --warn-days is warned about (from the annotation), later ones are not', async () => {
    const name = 'scope-robot';
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const manifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      metadata: {
        name,
        namespace: 'dev',
        labels: { 'app.kubernetes.io/managed-by': 'kubectl-harbor' },
        annotations: {
          'kubectl-harbor/registry': lab.info.harbor,
          'kubectl-harbor/robot-id': '2',
          'kubectl-harbor/robot-name': 'robot$lab+puller',
          'kubectl-harbor/expires-at': soon,
        },
      },
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    };
    const a = await h.kubectl(['apply', '-f', '-'], {
      kubeconfig: fx.kubeconfigs.admin,
      input: JSON.stringify(manifest),
    });
    assert.equal(a.code, 0, a.stderr);
    const r = await login(['--secret-name', name, '--project', 'lab'], 'robot$lab+puller');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Warning: robot "robot\\$lab\\+puller" expires on ${soon} \\(in 3 days\\)`));
    const quiet = await login(['--secret-name', name, '--project', 'lab', '--warn-days', '2'], 'robot$lab+puller');
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /expires/);
    const s = JSON.parse(
      (await h.kubectl(['get', 'secret', name, '-n', 'dev', '-o', 'json'], { kubeconfig: fx.kubeconfigs.admin }))
        .stdout,
    );
    assert.equal(s.metadata.annotations['kubectl-harbor/expires-at'], soon, 'login keeps the robot annotations');
  });
});
