// The lab itself, proven with real clients: the registry really checks tokens, nodes
// really run sshd and containerd, and each node's files are its own.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { labConfig, nodeIp, type LabConfig } from '../../lab/config.js';
import { criPull } from '../../lab/cri.js';
import { TokenSigner } from '../../lab/harbor/token.js';
import { down, sshArgs, status, up, type LabInfo } from '../../lab/lab.js';
import { nodeExec, setFault, setLatency } from '../../lab/nodes/nodes.js';
import { run } from '../../lab/sh.js';
import { baseEnv, exec } from '../helpers/run.js';

const root = process.getuid?.() === 0;
const cfg: LabConfig = labConfig({
  LAB_DIR: '/tmp/kubectl-harbor-lab-test',
  LAB_PREFIX: 'kht',
  LAB_NET: '10.218.0',
  LAB_PORT_OFFSET: '100',
  LAB_NODES: '3',
});

function get(
  url: string,
  opts: { ca?: string; auth?: string; method?: string } = {},
): Promise<{ status: number; headers: Record<string, any>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: opts.ca ? fs.readFileSync(opts.ca) : undefined,
        headers: opts.auth ? { Authorization: opts.auth } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the lab: registry, Harbor front, nodes', { skip: !root && 'needs root (network namespaces)' }, () => {
  let lab: LabInfo;
  const ssh = (i: number, cmd: string, input?: string) => run('ip', sshArgs(cfg, i, [cmd]), { input });
  const skopeo = (args: string[]) => run('skopeo', args, { env: { PATH: process.env.PATH } });
  const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  before(async () => {
    const r = await up(cfg);
    lab = r.info;
    const again = await up(cfg);
    assert.equal(again.booted, false, 'a second up is a no-op');
    process.stderr.write(`# lab up in ${r.ms} ms (${cfg.nodes} nodes); second up ${again.ms} ms\n`);
  });
  after(async () => {
    if (lab) await down(cfg);
  });

  test('the Harbor answers /v2/ with a Bearer challenge; a token from its realm opens it; POST to the realm is 405', async () => {
    const challenge = await get(`https://${lab.harbor}/v2/`, { ca: lab.ca });
    assert.equal(challenge.status, 401);
    assert.equal(
      challenge.headers['www-authenticate'],
      `Bearer realm="https://${lab.harbor}/service/token",service="harbor-registry"`,
    );
    const t = await get(`https://${lab.harbor}/service/token?service=harbor-registry&scope=repository:lab/tiny:pull`, {
      ca: lab.ca,
      auth: basic('robot$ci', lab.users['robot$ci']!),
    });
    assert.equal(t.status, 200);
    const token = JSON.parse(t.body).token as string;
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    assert.match(header.kid, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    assert.equal((await get(`https://${lab.harbor}/v2/`, { ca: lab.ca, auth: `Bearer ${token}` })).status, 200);
    assert.equal(
      (
        await get(`https://${lab.harbor}/service/token?service=harbor-registry`, {
          ca: lab.ca,
          auth: basic('robot$ci', 'wrong'),
        })
      ).status,
      401,
    );
    assert.equal(
      (await get(`https://${lab.harbor}/service/token?service=harbor-registry`, { ca: lab.ca, method: 'POST' })).status,
      405,
    );
  });

  test('the real registry rejects a forged token (another key with the same claims)', async () => {
    const forged = new TokenSigner(
      crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      'harbor-token-issuer',
    ).sign('admin', 'harbor-registry', []);
    const r = await get(`https://${lab.harbor}/v2/`, { ca: lab.ca, auth: `Bearer ${forged.token}` });
    assert.equal(r.status, 401);
  });

  test('Harbor API: ping, systeminfo has_ca_root, getcert (2.x and 1.x paths)', async () => {
    assert.equal((await get(`https://${lab.harbor}/api/v2.0/ping`, { ca: lab.ca })).body, 'Pong');
    assert.equal(
      JSON.parse((await get(`https://${lab.harbor}/api/v2.0/systeminfo`, { ca: lab.ca })).body).has_ca_root,
      true,
    );
    const ca = fs.readFileSync(lab.ca, 'utf8');
    assert.equal((await get(`https://${lab.harbor}/api/v2.0/systeminfo/getcert`, { ca: lab.ca })).body, ca);
    assert.equal((await get(`https://${lab.harborV1}/api/systeminfo/getcert`, { ca: lab.ca })).body, ca);
    assert.equal((await get(`https://${lab.harborV1}/api/v2.0/systeminfo/getcert`, { ca: lab.ca })).status, 404);
  });

  test('skopeo: pulls with the authfile and cert dir; the pull-only user cannot push; a robot can', async () => {
    const dir = fs.mkdtempSync('/tmp/lab-skopeo-');
    try {
      const certs = path.join(lab.certsDir, lab.harbor);
      const pull = await skopeo([
        'copy',
        '-q',
        '--authfile',
        lab.authFile,
        '--src-cert-dir',
        certs,
        `docker://${lab.image}`,
        `oci:${dir}/img:1`,
      ]);
      assert.equal(pull.code, 0, pull.stderr);
      const noCa = await skopeo(['inspect', '--authfile', lab.authFile, `docker://${lab.image}`]);
      assert.match(noCa.stderr, /x509: certificate signed by unknown authority/);
      const reader = await skopeo([
        'copy',
        '-q',
        '--dest-creds',
        `reader:${lab.users.reader}`,
        '--dest-cert-dir',
        certs,
        `oci:${dir}/img:1`,
        `docker://${lab.harbor}/lab/tiny:reader`,
      ]);
      assert.notEqual(reader.code, 0);
      assert.match(reader.stderr, /denied|unauthorized/i);
      const robot = await skopeo([
        'copy',
        '-q',
        '--dest-creds',
        `robot$ci:${lab.users['robot$ci']}`,
        '--dest-cert-dir',
        certs,
        `oci:${dir}/img:1`,
        `docker://${lab.harbor}/lab/tiny:robot`,
      ]);
      assert.equal(robot.code, 0, robot.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad endpoints fail as Go clients see them: plain HTTP, no IP SAN, expired, intermediate chain served', async () => {
    const certs = path.join(lab.certsDir, lab.harbor);
    const inspect = (host: string) =>
      skopeo(['inspect', '--cert-dir', certs, '--creds', `admin:${lab.users.admin}`, `docker://${host}/lab/tiny:1`]);
    assert.match((await inspect(lab.harborHttp)).stderr, /server gave HTTP response to HTTPS client/);
    assert.match((await inspect(lab.harborNoIpSan)).stderr, /doesn't contain any IP SANs/);
    assert.match((await inspect(lab.harborExpired)).stderr, /certificate has expired/);
    const chain = await inspect(lab.harborIntermediate);
    assert.equal(chain.code, 0, chain.stderr);
    const basicOk = await skopeo([
      'inspect',
      '--cert-dir',
      path.join(lab.certsDir, lab.registryBasic),
      '--creds',
      `${lab.basicUser.name}:${lab.basicUser.password}`,
      `docker://${lab.registryBasic}/nothing:1`,
    ]);
    assert.match(
      basicOk.stderr,
      /manifest unknown|name unknown|not found/i,
      'authenticated, the repository just does not exist',
    );
    const basicBad = await get(`https://${lab.registryBasic}/v2/`, {
      ca: lab.ca,
      auth: basic(lab.basicUser.name, 'wrong'),
    });
    assert.equal(basicBad.status, 401);
    assert.match(String(basicBad.headers['www-authenticate']), /^Basic realm="basic-realm"/);
  });

  test('sshd on each node accepts the cluster key from the pod network only; the node is who it says', async () => {
    for (let i = 1; i <= cfg.nodes; i++) {
      const r = await ssh(i, 'hostname; sudo -n id -u; . /etc/os-release; echo $ID');
      assert.equal(r.stdout, `n${i}\n0\n${lab.nodes[i - 1]!.os}\n`, r.stderr);
    }
    const direct = await run('ssh', [
      '-i',
      lab.sshKey,
      '-o',
      `UserKnownHostsFile=${lab.knownHosts}`,
      '-o',
      'BatchMode=yes',
      `vmware-system-user@${nodeIp(cfg, 1)}`,
      'true',
    ]);
    assert.notEqual(direct.code, 0, 'the host is not a Supervisor pod');
  });

  test('a change made over SSH on one node leaves the other nodes and the host untouched; / is read-only', async () => {
    const hostBundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt');
    const ca = fs.readFileSync(lab.ca, 'utf8');
    const r = await ssh(1, 'sudo sh -c "cat >> /etc/pki/tls/certs/ca-bundle.crt"', ca);
    assert.equal(r.code, 0, r.stderr);
    const count = async (i: number) =>
      (await nodeExec(cfg, i, ['grep', '-c', 'BEGIN CERTIFICATE', '/etc/ssl/certs/ca-certificates.crt'])).stdout.trim();
    assert.equal(Number(await count(1)), Number(await count(3)) + 1);
    assert.ok(fs.readFileSync('/etc/ssl/certs/ca-certificates.crt').equals(hostBundle));
    assert.ok(
      !fs.existsSync('/etc/pki/tls/certs/ca-bundle.crt') ||
        !fs.readFileSync('/etc/pki/tls/certs/ca-bundle.crt', 'utf8').includes(ca),
    );
    const ro = await ssh(2, 'sudo touch /usr/bin/lab-evil');
    assert.match(ro.stderr, /Read-only file system/);
    await ssh(3, 'echo private > /tmp/lab-private');
    assert.equal((await ssh(2, 'cat /tmp/lab-private')).code, 1);
  });

  test('Ubuntu-like nodes run the real update-ca-certificates', async () => {
    const r = await ssh(
      2,
      'sudo tee /usr/local/share/ca-certificates/lab.crt >/dev/null && sudo update-ca-certificates 2>&1 | tail -1',
      fs.readFileSync(lab.ca, 'utf8'),
    );
    assert.match(r.stdout, /done/);
    const fp = new crypto.X509Certificate(fs.readFileSync(lab.ca)).fingerprint256;
    const bundle = (await nodeExec(cfg, 2, ['cat', '/etc/ssl/certs/ca-certificates.crt'])).stdout;
    const all = bundle
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!
      .map((p) => new crypto.X509Certificate(p).fingerprint256);
    assert.ok(all.includes(fp));
  });

  test('containerd: x509 before the CA, certs.d works without a restart, the system bundle only after one', async () => {
    const host = lab.harbor;
    const auth = { username: 'admin', password: lab.users.admin! };
    const node = lab.nodes[2]!; // n3, Photon-like, untouched so far
    const before = await criPull(node.containerdSocket, lab.image, auth);
    assert.equal(before.ok, false);
    assert.match((before as { error: string }).error, /x509: certificate signed by unknown authority/);
    const ctr = await ssh(
      3,
      `sudo ctr images pull --hosts-dir /etc/containerd/certs.d --user admin:${lab.users.admin} ${lab.image}`,
    );
    assert.match(ctr.stderr, /x509: certificate signed by unknown authority/);
    // System bundle (Photon: /etc/ssl/certs/<name>.pem + rehash): the running daemon keeps its old trust.
    await ssh(
      3,
      'sudo tee /etc/ssl/certs/lab.pem >/dev/null && sudo rehash_ca_certificates.sh',
      fs.readFileSync(lab.ca, 'utf8'),
    );
    assert.equal(
      (await criPull(node.containerdSocket, lab.image, auth)).ok,
      false,
      'containerd keeps the trust store it loaded',
    );
    const restart = await ssh(3, 'sudo systemctl restart containerd && systemctl is-active containerd');
    assert.equal(restart.stdout.trim(), 'active', restart.stderr);
    assert.match((await nodeExec(cfg, 3, ['cat', '/var/log/systemctl.log'])).stdout, /systemctl restart containerd/);
    const after = await criPull(node.containerdSocket, lab.image, auth);
    assert.equal(after.ok, true, JSON.stringify(after));
    // certs.d on n1: no restart needed.
    const n1 = lab.nodes[0]!;
    await nodeExec(cfg, 1, ['mkdir', '-p', `/etc/containerd/certs.d/${host}`]);
    await nodeExec(
      cfg,
      1,
      ['sh', '-c', `cat > /etc/containerd/certs.d/${host}/ca.crt`],
      fs.readFileSync(lab.ca, 'utf8'),
    );
    await nodeExec(
      cfg,
      1,
      ['sh', '-c', `cat > /etc/containerd/certs.d/${host}/hosts.toml`],
      `server = "https://${host}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ca = "/etc/containerd/certs.d/${host}/ca.crt"\n`,
    );
    assert.equal((await criPull(n1.containerdSocket, lab.image, auth)).ok, true);
    const ctrAfter = await ssh(
      1,
      `sudo ctr images pull --hosts-dir /etc/containerd/certs.d --user admin:${lab.users.admin} ${lab.image}`,
    );
    assert.equal(ctrAfter.code, 0, ctrAfter.stderr);
  });

  test('the emulator: VirtualMachines carry the node IPs, and an exec into a jumpbox pod reaches port 22', async () => {
    const env = baseEnv({ KUBECONFIG: lab.adminKubeconfig, HOME: '/tmp' });
    const k = (args: string[], input?: string) =>
      exec(
        'kubectl',
        ['--cache-dir', '/tmp/lab-test-kube-cache', '--context', lab.cluster.namespace, ...args],
        env,
        input,
      );
    const ips = async (selector: string): Promise<string[]> =>
      (await k(['get', 'vm', '-l', selector, '-o', 'jsonpath={.items[*].status.network.primaryIP4}'])).stdout
        .split(' ')
        .sort();
    // tkc-1 (TanzuKubernetesCluster) and vks-1 (v1beta2 Cluster) run on the same nodes.
    assert.deepEqual(await ips(`capw.vmware.com/cluster.name=${lab.cluster.name}`), lab.nodes.map((n) => n.ip).sort());
    assert.deepEqual(
      await ips(`cluster.x-k8s.io/cluster-name=${lab.vksCluster.name}`),
      lab.nodes.map((n) => n.ip).sort(),
    );
    const vcf = await exec(
      'kubectl',
      [
        '--cache-dir',
        '/tmp/lab-test-kube-cache',
        '--kubeconfig',
        lab.vcfKubeconfig,
        '--context',
        'lab:tkc-1',
        'get',
        'ns',
      ],
      baseEnv({ HOME: '/tmp' }),
    );
    assert.equal(vcf.code, 0, vcf.stderr);
    await k(['run', 'jumpbox', '--image=photon:3.0', '--restart=Never', '--', 'sleep', '3600']);
    assert.equal((await k(['wait', '--for=condition=Ready', 'pod/jumpbox', '--timeout=20s'])).code, 0);
    const banner = await k(
      ['exec', '-i', 'jumpbox', '--', 'sh', '-c', `head -c 7 < /dev/null | nc -w 2 ${lab.nodes[1]!.ip} 22 | head -1`],
      '',
    );
    assert.match(banner.stdout, /^SSH-2\.0-OpenSSH/);
    const tkc = await exec(
      'kubectl',
      [
        '--cache-dir',
        '/tmp/lab-test-kube-cache',
        '--context',
        lab.cluster.name,
        'run',
        'app',
        `--image=${lab.image}`,
        '--restart=Never',
      ],
      env,
    );
    assert.equal(tkc.code, 0, tkc.stderr);
  });

  test('node faults: unreachable, refused key, no sudo, read-only /etc; clear undoes them', async () => {
    await setFault(cfg, 2, 'refuse-key');
    assert.match((await ssh(2, 'true')).stderr, /Permission denied/);
    await setFault(cfg, 2, 'clear');
    await setFault(cfg, 2, 'deny-sudo');
    assert.notEqual((await ssh(2, 'sudo -n true')).code, 0);
    await setFault(cfg, 2, 'clear');
    await setFault(cfg, 2, 'readonly-etc');
    assert.match((await ssh(2, 'sudo touch /etc/lab-x')).stderr, /Read-only/);
    await setFault(cfg, 2, 'clear');
    await setFault(cfg, 2, 'unreachable');
    const t0 = Date.now();
    assert.notEqual(
      (await run('ip', ['netns', 'exec', lab.podNetns, 'nc', '-z', '-w', '1', lab.nodes[1]!.ip, '22'])).code,
      0,
    );
    assert.ok(Date.now() - t0 < 5000);
    await setFault(cfg, 2, 'clear');
    assert.equal((await ssh(2, 'sudo -n touch /etc/lab-x && echo ok')).stdout, 'ok\n');
  });

  test('link latency per node for benchmarks: tc netem where the kernel has it, else the delaying relay', async () => {
    const before = Date.now();
    await ssh(3, 'true');
    const plain = Date.now() - before;
    await setLatency(cfg, 3, 40);
    const qdisc = (await run('tc', ['qdisc', 'show', 'dev', 'kht-n3-h'])).stdout;
    if (/netem/.test(qdisc)) assert.match(qdisc, /netem .*delay 40ms/);
    // Either way an SSH command pays the round trips: a lower bound only (never assert speed).
    const t0 = Date.now();
    assert.equal((await ssh(3, 'echo ok')).stdout, 'ok\n');
    assert.ok(Date.now() - t0 >= plain + 160, `${Date.now() - t0} ms with 40 ms each way, ${plain} ms without`);
    await setLatency(cfg, 3, 0);
    assert.doesNotMatch((await run('tc', ['qdisc', 'show', 'dev', 'kht-n3-h'])).stdout, /netem/);
  });

  test('down leaves no namespaces, links, processes, mounts or files; up again works', async () => {
    await down(cfg);
    assert.equal((await status(cfg)).up, false);
    const netns = (await run('ip', ['netns', 'list'])).stdout;
    assert.doesNotMatch(netns, /^kht-/m);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    assert.doesNotMatch(links, /kht-/);
    assert.ok(!fs.existsSync(path.join(cfg.dir, 'state')));
    assert.doesNotMatch(fs.readFileSync('/proc/mounts', 'utf8'), /kubectl-harbor-lab-test/);
    const ps = (await run('ps', ['-eo', 'args'])).stdout;
    assert.doesNotMatch(ps, /kubectl-harbor-lab-test/);
    lab = (await up(cfg)).info;
    assert.equal((await status(cfg)).up, true);
  });

  test('a failed up tears down what it made', async () => {
    await down(cfg);
    const { loopbackPorts } = await import('../../lab/config.js');
    const blocker = net.createServer().listen(loopbackPorts(cfg).apiserver, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      await assert.rejects(up(cfg), /lab-daemon did not start/);
    } finally {
      blocker.close();
    }
    assert.doesNotMatch((await run('ip', ['netns', 'list'])).stdout, /^kht-/m);
    assert.doesNotMatch((await run('ip', ['-o', 'link', 'show'])).stdout, /kht-/);
    assert.ok(!fs.existsSync(path.join(cfg.dir, 'state')));
    assert.doesNotMatch((await run('ps', ['-eo', 'args'])).stdout, /kubectl-harbor-lab-test/);
    lab = undefined as unknown as LabInfo;
  });
});
