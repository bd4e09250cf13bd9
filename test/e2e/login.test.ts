// `kubectl harbor login` and `logout`, the built plugin against real parts: the lab's
// Harbor (docker-registry with token auth), its htpasswd registry and bad endpoints, a
// Supervisor emulator of this file's own, the real kubectl and the real skopeo.
// The cases that need only the API emulator are in login-emulator.test.ts (no root needed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import { baseEnv, exec, type Result } from '../helpers/run.js';

describe('kubectl harbor login / logout', needsLab, () => {
  const h = e2e('login');
  const lab = labFixture(h);
  // devops may not touch "locked": a 403 in one namespace of several.
  const fx = supervisorFixture(
    h,
    () => ({ harbor: lab.info.harbor, namespaces: ['dev', 'prod', 'locked', 'team-a'] }),
    (sup) => {
      sup.users.devops.rules = [
        { verbs: ['*'], resources: ['*'], namespaces: ['dev', 'prod', 'team-a'] },
        { verbs: ['get', 'list'], resources: ['namespaces'] },
      ];
    },
  );

  const harbor = (
    args: string[],
    opts: { input?: string; extra?: NodeJS.ProcessEnv; who?: 'admin' | 'devops' } = {},
  ): Promise<Result> =>
    h.harbor(args, { input: opts.input, extra: opts.extra, kubeconfig: fx.kubeconfigs[opts.who ?? 'devops'] });
  const kubectl = (args: string[], who: 'admin' | 'devops' = 'admin', input?: string): Promise<Result> =>
    h.kubectl(args, { kubeconfig: fx.kubeconfigs[who], input });
  const robot = (): string => `${lab.info.users['robot$ci']}\n`;
  const secretOf = async (ns: string, name: string): Promise<any> => {
    const r = await kubectl(['get', 'secret', name, '-n', ns, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    return { ...s, config: JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString()) };
  };

  test('in a vSphere Namespace context: embedded Harbor discovered, vSphere user and KUBECTL_VSPHERE_PASSWORD used', async () => {
    const r = await harbor(['login', '--ca-file', lab.info.ca], {
      extra: { KUBECTL_VSPHERE_PASSWORD: lab.info.vspherePassword },
    });
    assert.equal(r.code, 0, r.stderr);
    const name = `harbor-${lab.info.harbor.replace(':', '-')}`;
    assert.equal(r.stdout, `secret/${name} created\n`);
    assert.match(r.stderr, new RegExp(`registry: ${lab.info.harbor} \\(the embedded Harbor of namespace "dev"\\)`));
    assert.match(r.stderr, /credentials for devops@vsphere\.local at .* verified \(token auth\)/);
    const s = await secretOf('dev', name);
    assert.equal(s.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(s.metadata.labels['app.kubernetes.io/managed-by'], 'kubectl-harbor');
    assert.deepEqual(s.config.auths[lab.info.harbor], {
      username: 'devops@vsphere.local',
      password: lab.info.vspherePassword,
      auth: Buffer.from(`devops@vsphere.local:${lab.info.vspherePassword}`).toString('base64'),
    });
    const again = await harbor(['login', '--ca-file', lab.info.ca], {
      extra: { KUBECTL_VSPHERE_PASSWORD: lab.info.vspherePassword },
    });
    assert.equal(again.stdout, `secret/${name} unchanged\n`);
  });

  test('a robot account from a pipe, two namespaces, --bind-sa keeps the Supervisor pull secret; a re-run writes nothing', async () => {
    const args = [
      'login',
      lab.info.harbor,
      '-u',
      'robot$ci',
      '--password-stdin',
      '--ca-file',
      lab.info.ca,
      '--namespaces',
      'prod,team-a',
      '--secret-name',
      'robot-pull',
      '--bind-sa',
      'default',
    ];
    const r = await harbor(args, { input: robot() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [
      'secret/robot-pull created',
      'secret/robot-pull created',
      'serviceaccount/default bound',
      'serviceaccount/default bound',
    ]);
    const sa = JSON.parse((await kubectl(['get', 'sa', 'default', '-n', 'prod', '-o', 'json'])).stdout);
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'prod-default-image-pull-secret' }, { name: 'robot-pull' }]);
    const rv = fx.sup.supervisor.store.revision;
    const again = await harbor(args, { input: robot() });
    assert.deepEqual(again.stdout.trim().split('\n').sort(), [
      'secret/robot-pull unchanged',
      'secret/robot-pull unchanged',
      'serviceaccount/default unchanged',
      'serviceaccount/default unchanged',
    ]);
    assert.equal(fx.sup.supervisor.store.revision, rv, 'a re-run writes nothing');
    assert.match(again.stderr, /login: 2 namespaces: 2 unchanged/);
  });

  test('admin and the pull-only user log in; wrong password and unknown user are one line each', async () => {
    for (const [u, pw] of [
      ['admin', lab.info.users.admin!],
      ['reader', lab.info.users.reader!],
      ['robot$lab+puller', lab.info.users['robot$lab+puller']!],
    ] as const) {
      const r = await harbor(
        [
          'login',
          lab.info.harbor,
          '-u',
          u,
          '--password-stdin',
          '--ca-file',
          lab.info.ca,
          '--secret-name',
          `as-${u.replace(/[^a-z]/g, '')}`,
        ],
        { input: `${pw}\n` },
      );
      assert.equal(r.code, 0, `${u}: ${r.stderr}`);
    }
    const wrong = await harbor(
      ['login', lab.info.harbor, '-u', 'admin', '--password-stdin', '--ca-file', lab.info.ca],
      {
        input: 'nope\n',
      },
    );
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr, `error: logging in to ${lab.info.harbor}: wrong username or password for "admin"\n`);
    const nobody = await harbor(
      ['login', lab.info.harbor, '-u', 'nobody', '--password-stdin', '--ca-file', lab.info.ca],
      {
        input: 'x\n',
      },
    );
    assert.match(nobody.stderr, /wrong username or password for "nobody"/);
  });

  test('the htpasswd registry works through the Basic challenge', async () => {
    const ok = await harbor(
      ['login', lab.info.registryBasic, '-u', lab.info.basicUser.name, '--password-stdin', '--ca-file', lab.info.ca],
      { input: `${lab.info.basicUser.password}\n` },
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /verified \(basic auth\)/);
    const bad = await harbor(
      ['login', lab.info.registryBasic, '-u', lab.info.basicUser.name, '--password-stdin', '--ca-file', lab.info.ca],
      { input: 'bad\n' },
    );
    assert.match(bad.stderr, /wrong username or password/);
  });

  test('--ca-file takes DER and bundles as trust does; a FIFO is refused at once', async () => {
    const der = path.join(h.home, 'lab-ca.der');
    fs.writeFileSync(der, new crypto.X509Certificate(fs.readFileSync(lab.info.ca)).raw);
    const r = await harbor(
      ['login', lab.info.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', der, '--secret-name', 'der-ca'],
      { input: robot() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /credentials for robot\$ci at .* verified \(token auth\)/);
    const fifo = path.join(h.home, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const f = await harbor(['login', lab.info.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', fifo], {
      input: robot(),
    });
    assert.equal(f.code, 1);
    assert.equal(
      f.stderr,
      `error: cannot read --ca-file ${fifo}: it is a named pipe (FIFO); give a PEM or DER certificate file\n`,
    );
  });

  test('TLS and network failures, each one line: unknown CA (with fingerprint), no IP SAN, expired, plain HTTP, refused', async () => {
    const login = (host: string, extra: string[] = []) =>
      harbor(['login', host, '-u', 'admin', '--password-stdin', ...extra], { input: `${lab.info.users.admin}\n` });
    const unknown = await login(lab.info.harbor);
    assert.match(
      unknown.stderr,
      /^error: logging in to .*: x509: certificate signed by unknown authority; the server presented "CN=harbor\.lab" \(sha256:[0-9a-f]{64}\), issued by "CN=kubectl-harbor lab CA, O=kubectl-harbor lab"; trust its CA with `kubectl harbor trust --from-registry [0-9.:]+ --local`, or pass --ca-file\n$/,
    );
    assert.match(
      (await login(lab.info.harborNoIpSan, ['--ca-file', lab.info.ca])).stderr,
      /x509: certificate is not valid for IP [0-9.]+ \(it has no matching IP SAN\)/,
    );
    assert.match(
      (await login(lab.info.harborExpired, ['--ca-file', lab.info.ca])).stderr,
      /x509: certificate has expired/,
    );
    assert.match(
      (await login(lab.info.harborHttp, ['--ca-file', lab.info.ca])).stderr,
      /gave HTTP response to HTTPS client/,
    );
    assert.match(
      (await login(`${lab.info.harbor.split(':')[0]}:1`, ['--ca-file', lab.info.ca])).stderr,
      /connection refused/,
    );
    for (const r of [unknown]) assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a foreign registry entry in the same secret is kept; a secret not ours is refused without --overwrite', async () => {
    const other = Buffer.from(
      JSON.stringify({ auths: { 'other.example:5000': { auth: 'b3RoZXI6eA==' } }, credsStore: 'x' }),
    ).toString('base64');
    await kubectl(['create', 'namespace', 'merge-ns']);
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shared', namespace: 'merge-ns', labels: { 'app.kubernetes.io/managed-by': 'kubectl-harbor' } },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': other },
    });
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'theirs', namespace: 'merge-ns' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': other },
    });
    const args = (name: string, extra: string[] = []) => [
      'login',
      lab.info.harbor,
      '-u',
      'robot$ci',
      '--password-stdin',
      '--ca-file',
      lab.info.ca,
      '-n',
      'merge-ns',
      '--secret-name',
      name,
      ...extra,
    ];
    const merged = await harbor(args('shared'), { input: robot(), who: 'admin' });
    assert.equal(merged.stdout, 'secret/shared configured\n', merged.stderr);
    const s = await secretOf('merge-ns', 'shared');
    assert.deepEqual(Object.keys(s.config.auths).sort(), [lab.info.harbor, 'other.example:5000'].sort());
    assert.equal(s.config.credsStore, 'x', 'other keys are kept');
    const refused = await harbor(args('theirs'), { input: robot(), who: 'admin' });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /secret\/theirs in namespace "merge-ns" exists and was not created by kubectl-harbor; pass --overwrite/,
    );
    assert.deepEqual(Object.keys((await secretOf('merge-ns', 'theirs')).config.auths), ['other.example:5000']);
    const forced = await harbor(args('theirs', ['--overwrite']), { input: robot(), who: 'admin' });
    assert.equal(forced.stdout, 'secret/theirs configured\n');
    assert.equal(Object.keys((await secretOf('merge-ns', 'theirs')).config.auths).length, 2);
  });

  test('403 in one namespace of several: the others succeed, exit 1, the summary names it', async () => {
    const r = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '--namespaces',
        'dev,locked,prod',
        '--secret-name',
        'partial',
      ],
      { input: robot() },
    );
    assert.equal(r.code, 1);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['secret/partial created', 'secret/partial created']);
    assert.match(
      r.stderr,
      /error: .*secrets "partial" is forbidden: User "devops@vsphere\.local" cannot get resource "secrets" in API group "" in the namespace "locked"/,
    );
    assert.match(r.stderr, /login: 3 namespaces: 2 created, 1 failed \(locked\)/);
  });

  test('409 Conflicts are retried; -A skips kube-* and vmware-system-* unless --include-system', async () => {
    await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'dev',
        '--secret-name',
        'contended',
      ],
      { input: robot() },
    );
    fx.sup.supervisor.faults.conflicts(3, { resource: 'secrets', verb: 'update', name: 'contended' });
    const r = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'reader',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'dev',
        '--secret-name',
        'contended',
      ],
      { input: `${lab.info.users.reader}\n` },
    );
    assert.equal(r.stdout, 'secret/contended configured\n', r.stderr);
    assert.equal((await secretOf('dev', 'contended')).config.auths[lab.info.harbor].username, 'reader');
    const all = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-A',
        '--secret-name',
        'everywhere',
        '-o',
        'name',
      ],
      { input: robot(), who: 'admin' },
    );
    assert.equal(all.code, 0, all.stderr);
    const namespaces = (
      await kubectl([
        'get',
        'secrets',
        '-A',
        '--field-selector',
        'metadata.name=everywhere',
        '-o',
        'jsonpath={.items[*].metadata.namespace}',
      ])
    ).stdout
      .split(' ')
      .sort();
    assert.ok(namespaces.includes('dev') && namespaces.includes('prod'));
    assert.ok(
      !namespaces.some((ns) => ns.startsWith('kube-') || ns.startsWith('vmware-system-')),
      namespaces.join(' '),
    );
  });

  test('--dry-run=client -o yaml writes nothing, and kubectl apply -f - creates the same Secret', async () => {
    const r = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'team-a',
        '--secret-name',
        'dry',
        '--dry-run=client',
        '-o',
        'yaml',
      ],
      { input: robot() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await kubectl(['get', 'secret', 'dry', '-n', 'team-a'])).code, 1, 'nothing written');
    const applied = await kubectl(['apply', '-f', '-'], 'admin', r.stdout);
    assert.equal(applied.stdout, 'secret/dry created\n', applied.stderr);
    assert.equal((await secretOf('team-a', 'dry')).config.auths[lab.info.harbor].username, 'robot$ci');
    const server = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'team-a',
        '--secret-name',
        'dry2',
        '--dry-run=server',
      ],
      { input: robot() },
    );
    assert.equal(server.stdout, 'secret/dry2 created (server dry run)\n');
    assert.equal((await kubectl(['get', 'secret', 'dry2', '-n', 'team-a'])).code, 1);
  });

  test('--docker-config=PATH keeps other entries and keys, mode 0600, and the real skopeo pulls with it', async () => {
    const file = path.join(h.home, 'docker', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify({ auths: { 'other.example:5000': { auth: 'eDp5' } }, HttpHeaders: { 'User-Agent': 'x' } }),
      { mode: 0o644 },
    );
    const r = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'dev',
        '--secret-name',
        'dc',
        `--docker-config=${file}`,
      ],
      { input: robot() },
    );
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(cfg.auths).sort(), [lab.info.harbor, 'other.example:5000'].sort());
    assert.deepEqual(cfg.HttpHeaders, { 'User-Agent': 'x' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const out = path.join(h.home, 'pulled');
    const pull = await exec(
      'skopeo',
      [
        'copy',
        '-q',
        '--authfile',
        file,
        '--src-cert-dir',
        path.join(lab.info.certsDir, lab.info.harbor),
        `docker://${lab.info.image}`,
        `oci:${out}:1`,
      ],
      baseEnv(),
    );
    assert.equal(pull.code, 0, pull.stderr);
    const logout = await harbor([
      'logout',
      lab.info.harbor,
      '-n',
      'dev',
      '--secret-name',
      'dc',
      `--docker-config=${file}`,
    ]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).auths), ['other.example:5000']);
  });

  test('secrets stay secret: not in -vv output, not in errors; -p warns', async () => {
    const vv = await harbor(
      [
        'login',
        lab.info.harbor,
        '-u',
        'robot$ci',
        '--password-stdin',
        '--ca-file',
        lab.info.ca,
        '-n',
        'dev',
        '--secret-name',
        'quiet',
        '-vv',
      ],
      { input: robot() },
    );
    assert.equal(vv.code, 0, vv.stderr);
    assert.match(vv.stderr, /GET https:\/\/.*\/service\/token 200/);
    assert.ok(!vv.stderr.includes(lab.info.users['robot$ci']!), 'password not in -vv');
    assert.ok(!/authorization|Basic |Bearer /i.test(vv.stderr), 'no auth headers in -vv');
    const bad = await harbor(
      ['login', lab.info.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.info.ca],
      {
        input: 'Secret-typo-123\n',
      },
    );
    assert.ok(!bad.stderr.includes('Secret-typo-123'));
    const p = await harbor([
      'login',
      lab.info.harbor,
      '-u',
      'robot$ci',
      '-p',
      lab.info.users['robot$ci']!,
      '--ca-file',
      lab.info.ca,
      '-n',
      'dev',
      '--secret-name',
      'quiet',
    ]);
    assert.match(p.stderr, /Warning: using --password on the command line is insecure/);
  });

  test('bad input is a usage error (exit 2): no password off a TTY', async () => {
    const nopw = await harbor(['login', lab.info.harbor, '-u', 'robot$ci']);
    assert.equal(nopw.code, 2);
    assert.match(nopw.stderr, /no password for robot\$ci: pipe it with --password-stdin/);
  });

  test('an expired vSphere session says how to log in again', async () => {
    fx.sup.supervisor.faults.expireTokens();
    try {
      const r = await harbor(
        ['login', lab.info.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.info.ca, '--skip-verify'],
        { input: robot() },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /kubectl vsphere login --server 127\.0\.0\.1 --vsphere-username devops@vsphere\.local/);
    } finally {
      fx.sup.supervisor.faults.expireTokens(false);
    }
  });

  test('logout removes the managed secret and unbinds it; a secret holding other registries keeps them', async () => {
    const r = await harbor(['logout', lab.info.harbor, '--namespaces', 'prod,team-a', '--secret-name', 'robot-pull']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [
      'secret/robot-pull deleted',
      'secret/robot-pull deleted',
      'serviceaccount/default unbound',
      'serviceaccount/default unbound',
    ]);
    const sa = JSON.parse((await kubectl(['get', 'sa', 'default', '-n', 'prod', '-o', 'json'])).stdout);
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'prod-default-image-pull-secret' }]);
    const shared = await harbor(['logout', lab.info.harbor, '-n', 'merge-ns', '--secret-name', 'shared'], {
      who: 'admin',
    });
    assert.equal(shared.stdout, 'secret/shared configured\n', shared.stderr);
    assert.deepEqual(Object.keys((await secretOf('merge-ns', 'shared')).config.auths), ['other.example:5000']);
    const again = await harbor([
      'logout',
      lab.info.harbor,
      '--namespaces',
      'prod,team-a',
      '--secret-name',
      'robot-pull',
    ]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /unchanged/);
  });
});
