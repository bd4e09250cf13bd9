// Every failure of the user's machine, kubeconfig, network or registry that we know of,
// through the in-process CLI: exit 1 or 2, the first line of stderr starts with `error: `
// and never says "internal error" (that is for bugs only), no stack trace, and each one
// says what it is about. Local servers and the in-process API emulator stand in for the
// world; the disk-full and read-only cases mount a tiny tmpfs and run only as root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSupervisor, type SupervisorLab, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { makeCa, makeCert } from '../../lab/pki.js';
import { CliError } from '../../src/errors.js';
import { KnownHosts } from '../../src/ssh/knownhosts.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli, type Result } from '../helpers/run.js';

const isRoot = process.getuid?.() === 0;

/**
 * The contract of every failure: exit 1 or 2, the first line (after `Warning:` lines) starts
 * with `error: `, no "internal error", no stack trace.
 */
export function assertCleanFailure(r: Result, expected: RegExp, what: string): void {
  assert.ok(r.code === 1 || r.code === 2, `${what}: exit ${r.code}; stderr: ${r.stderr}`);
  const first = r.stderr.split('\n').find((l) => !l.startsWith('Warning: ')) ?? '';
  assert.match(first, /^error: /, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/, what);
  assert.doesNotMatch(r.stderr, /\n\s+at \S+ \(|^\s+at /m, `${what}: stack trace`);
  assert.match(first, expected, what);
  assert.doesNotMatch(
    r.stderr,
    /\n(?!error: |Warning: |See '|login: |logout: |no trusted|[a-z/.-]+ [a-z]+$|$)/,
    `${what}: a stray line`,
  );
}

function serve(handler: http.RequestListener, tls?: { key: string; cert: string }): Promise<http.Server> {
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const portOf = (s: http.Server): number => (s.address() as AddressInfo).port;

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A tmpfs of `size` at a new directory; root only. */
function tmpfs(size: string, readOnly = false): { dir: string; done: () => void } {
  const dir = tempDir('harbor-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
  return { dir, done: () => execFileSync('umount', ['-l', dir]) };
}

function fill(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(1 << 20));
  } catch {
    /* full */
  }
}

describe('no internal error: every environment failure is one clear line', () => {
  let sup: SupervisorLab;
  let dir: string;
  let kubeconfig: string;
  let api: http.Server;
  let apiStatus = 500;
  const registries: http.Server[] = [];
  const ca = makeCa('env test CA');

  before(async () => {
    sup = await startSupervisor({ namespaces: ['dev'] });
    dir = tempDir('harbor-env-');
    kubeconfig = writeKubeconfig(dir, sup.kubeconfig('devops'));
    api = await serve((_req, res) => {
      res.writeHead(apiStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: apiStatus, message: 'm' }));
    });
  });
  after(async () => {
    await sup?.close();
    api?.close();
    for (const r of registries) r.close();
  });

  const kcWith = (user: Record<string, unknown>, server?: string, cluster: Record<string, unknown> = {}): string => {
    const file = path.join(dir, `kc-${Math.random().toString(36).slice(2)}`);
    const doc = {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [
        { name: 'c', cluster: { server: server ?? sup.supervisor.url, 'insecure-skip-tls-verify': true, ...cluster } },
      ],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'dev' } }],
    };
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const logout = (kc: string, extra: string[] = []) =>
    cli(['logout', 'reg.example:5000', '-n', 'dev', '--kubeconfig', kc, '--request-timeout', '5s', ...extra], {
      PATH: process.env.PATH,
    });
  const login = (registry: string, extra: string[] = [], kc = kubeconfig) =>
    cli(
      ['login', registry, '-u', 'u', '-p', 'pw', '-n', 'dev', '--kubeconfig', kc, '--request-timeout', '5s', ...extra],
      {
        PATH: process.env.PATH,
        HOME: dir,
      },
    );

  test('kubeconfig: missing, none at all, unknown context, bad YAML, a directory, a FIFO, too large', {
    timeout: 30_000,
  }, async () => {
    assertCleanFailure(await logout('/nope/config'), /kubeconfig file \/nope\/config does not exist/, 'missing');
    assertCleanFailure(await cli(['logout', 'r:1', '-n', 'dev']), /no kubeconfig found/, 'none');
    assertCleanFailure(await logout(kubeconfig, ['--context', 'zzz']), /context "zzz" does not exist/, 'context');
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'clusters: [unclosed\n');
    assertCleanFailure(await logout(bad), /cannot load kubeconfig .*bad\.yaml/, 'yaml');
    const d = path.join(dir, 'kcdir');
    fs.mkdirSync(d);
    assertCleanFailure(await logout(d), /cannot read kubeconfig .*kcdir: it is a directory; pass --kubeconfig/, 'dir');
    const fifo = path.join(dir, 'kc.fifo');
    execFileSync('mkfifo', [fifo]);
    assertCleanFailure(await logout(fifo), /cannot read kubeconfig .*kc\.fifo: it is a named pipe \(FIFO\)/, 'fifo');
    const viaEnv = await cli(['logout', 'r:1', '-n', 'dev'], { KUBECONFIG: `${fifo}:${kubeconfig}` });
    assertCleanFailure(viaEnv, /cannot read kubeconfig .*kc\.fifo: it is a named pipe \(FIFO\)/, 'fifo in KUBECONFIG');
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, (16 << 20) + 1);
    assertCleanFailure(await logout(big), /cannot read kubeconfig .*big: it is larger than 16 MiB/, 'big');
  });

  test('exec credential plugins: missing, failing, garbage, no status, no token, wrong version, killed', async () => {
    const exec = (command: string, apiVersion = 'client.authentication.k8s.io/v1beta1') =>
      kcWith({ exec: { apiVersion, command } });
    const cases: Array<[string, string, RegExp]> = [
      ['no-such-plugin-xyz', '', /getting credentials: exec: executable no-such-plugin-xyz not found; install it/],
      ['fail', 'echo boom >&2; exit 3', /getting credentials: exec: executable .*fail failed with exit code 3: boom$/],
      ['garbage', 'echo not json', /getting credentials: exec: executable .*garbage did not print valid JSON/],
      [
        'nostatus',
        'echo "{}"',
        /getting credentials: exec: executable .*nostatus returned an ExecCredential without a status/,
      ],
      ['notoken', 'echo \'{"status":{}}\'', /returned neither a token nor a client certificate and key/],
      ['killed', 'kill -9 $$', /getting credentials: exec: executable .*killed was killed by signal SIGKILL/],
    ];
    for (const [name, body, expected] of cases) {
      const command = body ? script(dir, name, body) : name;
      assertCleanFailure(await logout(exec(command)), expected, name);
    }
    const v1beta1 = script(
      dir,
      'v1beta1',
      `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}'`,
    );
    assertCleanFailure(
      await logout(exec(v1beta1, 'client.authentication.k8s.io/v1')),
      /configured to use API version client.authentication.k8s.io\/v1, plugin returned version .*v1beta1/,
      'version',
    );
  });

  test('an exec plugin that works is run once for concurrent requests and its token is used', async () => {
    const count = path.join(dir, 'count');
    const token = sup.users.devops.token;
    const ok = script(dir, 'ok', `echo x >> ${count}; echo '{"kind":"ExecCredential","status":{"token":"${token}"}}'`);
    const kc = kcWith({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: ok } });
    const r = await logout(kc);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(count, 'utf8'), 'x\n');
  });

  test('client certificate and CA files, server URLs', { timeout: 30_000 }, async () => {
    assertCleanFailure(
      await logout(kcWith({ 'client-certificate': '/nope/cert.pem', 'client-key': '/nope/key.pem' })),
      /unable to read client-certificate \/nope\/cert\.pem of user "u": no such file or directory; fix client-certificate/,
      'cert',
    );
    const fifo = path.join(dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    assertCleanFailure(
      await logout(kcWith({ token: 't' }, undefined, { 'certificate-authority': fifo })),
      /cannot read certificate-authority .*key\.fifo: it is a named pipe \(FIFO\); fix certificate-authority of cluster "c"/,
      'ca fifo',
    );
    assertCleanFailure(
      await logout(kcWith({ token: 't' }, 'localhost:6443')),
      /has server "localhost:6443", which is not an absolute URL; set it to https:\/\/localhost:6443 in /,
      'relative',
    );
    assertCleanFailure(
      await logout(kcWith({ token: 't' }, 'http://127.0.0.1:1', { 'insecure-skip-tls-verify': false })),
      /plain HTTP server http:\/\/127.0.0.1:1/,
      'http',
    );
  });

  test('API down, DNS failure, unknown CA, and 401/403/404/409/422/500 answers', { timeout: 60_000 }, async () => {
    assertCleanFailure(await logout(kcWith({ token: 't' }, 'https://127.0.0.1:1')), /connection refused/, 'down');
    assertCleanFailure(
      await logout(kcWith({ token: 't' }, 'https://no-such-host.invalid:6443')),
      /cannot resolve host|timed out/,
      'dns',
    );
    const strict = kcWith({ token: sup.users.devops.token }, sup.supervisor.url, { 'insecure-skip-tls-verify': false });
    assertCleanFailure(await logout(strict), /x509: certificate signed by unknown authority/, 'unknown CA');
    const stub = kcWith({ token: 't' }, `http://127.0.0.1:${portOf(api)}`);
    for (const [code, expected] of [
      [401, /Unauthorized/],
      [403, /Forbidden/],
      [404, /NotFound/],
      [409, /Conflict/],
      [422, /Invalid/],
      [500, /server answered 500/],
    ] as const) {
      apiStatus = code;
      assertCleanFailure(await login('reg.example:5000', ['--skip-verify'], stub), expected, `HTTP ${code}`);
    }
  });

  test('registries: token realm not a URL, unknown CA, expired, no IP SAN, plain HTTP, refused', async () => {
    const registry = async (handler: http.RequestListener, tls?: { key: string; cert: string }) => {
      const s = await serve(handler, tls);
      registries.push(s);
      return `127.0.0.1:${portOf(s)}`;
    };
    const realm = await registry((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="::"' });
      res.end();
    });
    assertCleanFailure(
      await login(`http://${realm}`, ['--plain-http']),
      /names the token realm "::", which is not a URL/,
      'realm',
    );
    const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('{}');
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, ca.certPem);
    const leaf = (o: Parameters<typeof makeCert>[0]) => {
      const c = makeCert({ issuer: ca, ...o });
      return { key: c.keyPem, cert: c.certPem };
    };
    const good = await registry(ok, leaf({ cn: 'h', ips: ['127.0.0.1'] }));
    assertCleanFailure(await login(good), /x509: certificate signed by unknown authority/, 'unknown CA');
    const expired = await registry(
      ok,
      leaf({
        cn: 'h',
        ips: ['127.0.0.1'],
        notBefore: new Date(Date.now() - 2e9),
        notAfter: new Date(Date.now() - 1e9),
      }),
    );
    assertCleanFailure(await login(expired, ['--ca-file', caFile]), /x509: certificate has expired/, 'expired');
    const noIp = await registry(ok, leaf({ cn: 'harbor.example.com', dns: ['harbor.example.com'] }));
    const port = noIp.split(':')[1];
    assertCleanFailure(
      await login(noIp, ['--ca-file', caFile]),
      new RegExp(
        `x509: certificate is not valid for IP 127\\.0\\.0\\.1 \\(it has no matching IP SAN\\); it is valid for harbor\\.example\\.com: use harbor\\.example\\.com:${port} instead .*, or re-issue the certificate with an IP SAN for 127\\.0\\.0\\.1$`,
      ),
      'no IP SAN',
    );
    const plain = await registry(ok);
    assertCleanFailure(await login(plain), /gave HTTP response to HTTPS client/, 'plain HTTP');
    assertCleanFailure(await login('127.0.0.1:1'), /connection refused/, 'refused');
  });

  test('docker config: not JSON, a directory, a FIFO, too large, helper missing; none touches the cluster', {
    timeout: 30_000,
  }, async () => {
    const rev = sup.supervisor.store.revision;
    const file = (name: string, text?: string) => {
      const f = path.join(dir, name);
      if (text !== undefined) fs.writeFileSync(f, text);
      return f;
    };
    const dirAsFile = path.join(dir, 'dc-dir', 'config.json');
    fs.mkdirSync(dirAsFile, { recursive: true });
    const fifo = file('dc.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = file('dc-big', '');
    fs.truncateSync(big, (4 << 20) + 1);
    const cases: Array<[string, RegExp]> = [
      [file('dc-bad', 'not json'), /dc-bad is not a JSON object; fix or move it, it was not changed/],
      [path.join(dir, 'dc-dir'), /cannot read docker config .*config\.json: it is a directory; pass --docker-config/],
      [fifo, /cannot read docker config .*dc\.fifo: it is a named pipe \(FIFO\)/],
      [big, /cannot read docker config .*dc-big: it is larger than 4 MiB/],
      [file('dc-helper', '{"credsStore":"nope-xyz"}'), /docker-credential-nope-xyz is not on PATH; install it/],
    ];
    for (const [f, expected] of cases) {
      assertCleanFailure(await login('reg.example:5000', ['--skip-verify', `--docker-config=${f}`]), expected, f);
      assertCleanFailure(await logout(kubeconfig, [`--docker-config=${f}`]), expected, `logout ${f}`);
    }
    assert.equal(sup.supervisor.store.revision, rev, 'no cluster write happened');
  });

  test('disk full and read-only: docker config, completion --dir, known_hosts', {
    skip: !isRoot && 'needs root to mount a tmpfs',
    timeout: 30_000,
  }, async () => {
    const full = tmpfs('16k');
    const ro = tmpfs('16k', true);
    try {
      fs.writeFileSync(path.join(full.dir, 'config.json'), '{"auths":{}}\n');
      fill(full.dir);
      const before = fs.readFileSync(path.join(full.dir, 'config.json'), 'utf8');
      const rev = sup.supervisor.store.revision;
      assertCleanFailure(
        await login('reg.example:5000', ['--skip-verify', `--docker-config=${full.dir}`]),
        /cannot write .*config\.json: no space left on device \(ENOSPC\); free some space on that file system, or pass --docker-config with another file, or set DOCKER_CONFIG; the file was not changed/,
        'ENOSPC',
      );
      assert.equal(sup.supervisor.store.revision, rev, 'checked before the first cluster write');
      assert.equal(fs.readFileSync(path.join(full.dir, 'config.json'), 'utf8'), before);
      assert.deepEqual(
        fs.readdirSync(full.dir).filter((f) => f.endsWith('.tmp')),
        [],
        'no temp file left',
      );
      assertCleanFailure(
        await login('reg.example:5000', ['--skip-verify', `--docker-config=${ro.dir}`]),
        /cannot write .*config\.json: read-only file system \(EROFS\)/,
        'EROFS',
      );
      assert.equal(sup.supervisor.store.revision, rev);
      assertCleanFailure(
        await cli(['completion', '--install', '--dir', ro.dir]),
        /cannot write .*kubectl_complete-harbor: read-only file system \(EROFS\); .*pass --dir with a writable directory/,
        'completion EROFS',
      );
      const hosts = new KnownHosts(path.join(full.dir, 'kubectl-harbor', 'known_hosts'), false, () => {});
      assert.throws(
        () => hosts.verify('c', '10.0.0.1', Buffer.alloc(4096, 1)),
        (e: unknown) => e instanceof CliError && /no space left on device \(ENOSPC\).*XDG_CONFIG_HOME/.test(e.message),
      );
    } finally {
      full.done();
      ro.done();
    }
  });

  test('completion --install --dir: a file, a path through a file', async () => {
    const f = path.join(dir, 'not-a-dir');
    fs.writeFileSync(f, 'x');
    assertCleanFailure(
      await cli(['completion', '--install', '--dir', f]),
      /cannot install into .*not-a-dir: it is a regular file, not a directory; pass --dir/,
      'file',
    );
    assertCleanFailure(
      await cli(['completion', '--install', '--dir', path.join(f, 'sub')]),
      /cannot write .*not-a-dir\/sub\/kubectl_complete-harbor: a part of its path is not a directory \(ENOTDIR\)/,
      'ENOTDIR',
    );
  });
});
