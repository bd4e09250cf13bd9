// node-trust-ds.sh, the DaemonSet pod's script, run by a real sh against a directory that
// stands in for the node (certs.d, config.toml, the backup directory): writes only when
// different, says needs-restart without config_path, and --remove puts back the exact bytes
// it replaced, touching nothing it did not write.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/kubeconfig.js';
import { ROOT } from '../helpers/run.js';
import { makeCa } from '../../lab/pki.js';

const SCRIPT = fs.readFileSync(path.join(ROOT, 'src/app/node-trust-ds.sh'), 'utf8');
const HOST = 'harbor.example.com:8443';
const CA = makeCa('ds-test').certPem.trimEnd();

/** A node's files under a temp root. */
function node(config = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "CERTS"\n') {
  const root = tempDir('ds-node-');
  const certsD = path.join(root, 'certs.d');
  fs.mkdirSync(certsD);
  fs.writeFileSync(path.join(root, 'config.toml'), config.replace('CERTS', certsD));
  return { root, certsD, dir: path.join(certsD, HOST) };
}

/** Run the script until it prints its one line (it then idles, as in a pod), and stop it. */
function run(n: ReturnType<typeof node>, mode: 'install' | 'remove', ca = CA): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = {
      PATH: '/usr/bin:/bin',
      MODE: mode,
      HOST,
      CA: ca,
      CERTS_D: n.certsD,
      CONFIG: path.join(n.root, 'config.toml'),
      STATE: path.join(n.root, 'backups', 'daemonset'),
    };
    const child = spawn('sh', ['-c', SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no result line: ${out} ${err}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => /^(RESULT|FAILED)/.test(l));
      if (line) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(line);
      }
    });
  });
}

const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = 'dir';
        walk(p);
      } else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
};

test('install writes ca.crt and hosts.toml once; a re-run is unchanged; remove leaves certs.d as it was', async () => {
  const n = node();
  const before = tree(n.certsD);
  assert.match(await run(n, 'install'), /^RESULT installed no (yes|no|unknown) containerd-certs.d$/);
  assert.equal(fs.readFileSync(path.join(n.dir, 'ca.crt'), 'utf8'), `${CA}\n`);
  const hosts = fs.readFileSync(path.join(n.dir, 'hosts.toml'), 'utf8');
  assert.match(hosts, new RegExp(`^server = "https://${HOST}"`));
  assert.ok(hosts.includes(`ca = "${n.dir}/ca.crt"`), hosts);
  assert.deepEqual(
    fs.readdirSync(n.dir).filter((f) => f.startsWith('.')),
    [],
    'no temp file left',
  );
  assert.match(await run(n, 'install'), /^RESULT unchanged no \S+ none$/);
  assert.match(await run(n, 'remove'), /^RESULT removed no unknown removed-ca.crt,removed-hosts.toml$/);
  assert.deepEqual(tree(n.certsD), before, 'certs.d byte for byte as before, the host directory it made gone');
  assert.equal(fs.existsSync(path.join(n.root, 'backups', 'daemonset')), false);
  assert.equal(await run(n, 'remove'), 'RESULT unchanged no unknown none');
});

test('a file that was there before is kept and put back byte for byte; a file changed since is left alone', async () => {
  const n = node();
  fs.mkdirSync(n.dir);
  fs.writeFileSync(path.join(n.dir, 'ca.crt'), "someone else's CA\nno trailing newline");
  fs.chmodSync(path.join(n.dir, 'ca.crt'), 0o600);
  fs.writeFileSync(path.join(n.dir, 'other.txt'), 'untouched');
  const before = tree(n.certsD);
  assert.match(await run(n, 'install'), /^RESULT installed/);
  // A second CA later: the original bytes stay the ones that go back.
  assert.match(await run(n, 'install', makeCa('rotated').certPem.trimEnd()), /^RESULT installed/);
  assert.match(await run(n, 'remove'), /^RESULT removed no unknown restored-ca.crt,removed-hosts.toml$/);
  assert.deepEqual(tree(n.certsD), before);
  assert.equal(fs.statSync(path.join(n.dir, 'ca.crt')).mode & 0o777, 0o600, 'mode restored too');

  assert.match(await run(n, 'install'), /^RESULT installed/);
  fs.writeFileSync(path.join(n.dir, 'hosts.toml'), 'edited by hand\n');
  assert.match(await run(n, 'remove'), /^RESULT removed no unknown restored-ca.crt,kept-changed-hosts.toml$/);
  assert.equal(fs.readFileSync(path.join(n.dir, 'hosts.toml'), 'utf8'), 'edited by hand\n');
});

test('files equal to what it would write (SSH mode put them there) are not its own: unchanged, and remove keeps them', async () => {
  const n = node();
  await run(n, 'install');
  fs.rmSync(path.join(n.root, 'backups'), { recursive: true });
  const before = tree(n.certsD);
  assert.match(await run(n, 'install'), /^RESULT unchanged/);
  assert.equal(await run(n, 'remove'), 'RESULT unchanged no unknown none');
  assert.deepEqual(tree(n.certsD), before);
});

test('containerd without config_path: needs-restart, nothing written; another config_path: FAILED, nothing written', async () => {
  const n = node('version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors]\n');
  assert.equal(await run(n, 'install'), 'RESULT needs-restart no unknown none');
  assert.deepEqual(tree(n.certsD), {});
  const m = node("version = 2\n  config_path = '/etc/docker/certs.d'\n");
  assert.match(
    await run(m, 'install'),
    /^FAILED containerd reads registry certificates from \/etc\/docker\/certs.d, not /,
  );
  assert.deepEqual(tree(m.certsD), {});
});
