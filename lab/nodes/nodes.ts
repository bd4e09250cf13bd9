// TKC "nodes": one network namespace each on the lab bridge, booted with private mount
// and UTS namespaces (node-private /etc, /var, /usr/local, /home, /root, /run, /tmp;
// / read-only), real sshd with its own host key, vmware-system-user with passwordless
// sudo, a Photon-like or Ubuntu-like trust store, and a real containerd 1.6 with
// config_path = /etc/containerd/certs.d. A pod network namespace beside them is where the
// emulator's jumpbox pods run; sshd accepts only connections from there, as only
// Supervisor pods can reach real TKC nodes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bootNodes,
  bridgeName,
  HARBOR_NAME,
  hostIp,
  hostVeth,
  netnsName,
  NODE_PATH,
  nodeIp,
  nodeName,
  nodeOs,
  paths,
  podIp,
  podNetns,
  SSH_UID,
  SSH_USER,
  type LabConfig,
} from '../config.js';
import { startRelay, stopRelay } from '../relay-control.js';
import { alive, LabError, must, readPid, run, sleep } from '../sh.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export function nodeDir(c: LabConfig, i: number): string {
  return path.join(paths(c).nodes, nodeName(i));
}

async function ip(...args: string[]): Promise<void> {
  await must('ip', args);
}

export async function networkUp(c: LabConfig): Promise<void> {
  const used = await must('ip', ['-4', '-o', 'addr', 'show']);
  if (used.split('\n').some((l) => l.includes(` ${c.net}.`) && !l.includes(bridgeName(c)))) {
    throw new LabError(`${c.net}.0/24 is already used on this machine; set LAB_NET`);
  }
  const br = bridgeName(c);
  await ip('link', 'add', br, 'type', 'bridge');
  await ip('addr', 'add', `${hostIp(c)}/24`, 'dev', br);
  await ip('link', 'set', br, 'up');
  await attach(c, podNetns(c), hostVeth(c, 'pods'), podIp(c));
  for (const i of bootNodes(c)) await attachNode(c, i);
}

async function attach(c: LabConfig, ns: string, veth: string, addr: string): Promise<void> {
  await ip('netns', 'add', ns);
  await ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  await ip('link', 'set', veth, 'master', bridgeName(c), 'up');
  await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
  await ip('-n', ns, 'link', 'set', 'lo', 'up');
  await ip('-n', ns, 'link', 'set', 'eth0', 'up');
  await ip('-n', ns, 'route', 'add', 'default', 'via', hostIp(c));
}

/** Node i's network namespace on the lab bridge (a node added to a running lab, too). */
export async function attachNode(c: LabConfig, i: number): Promise<void> {
  await attach(c, netnsName(c, i), hostVeth(c, i), nodeIp(c, i));
}

/** Stop node i (everything in its namespace) and remove its namespace, veth and files. */
export async function stopNode(c: LabConfig, i: number): Promise<void> {
  await killNetns(netnsName(c, i));
  await run('ip', ['link', 'del', hostVeth(c, i)]);
  await run('umount', ['-l', path.join(nodeDir(c, i), 'containerd')]);
  fs.rmSync(nodeDir(c, i), { recursive: true, force: true });
  fs.rmSync(path.join(paths(c).pids, `node-${nodeName(i)}.pid`), { force: true });
}

async function killNetns(ns: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, round === 2 ? 'SIGKILL' : 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    for (let t = 0; t < 30 && (await run('ip', ['netns', 'pids', ns])).stdout.trim(); t++) await sleep(100);
  }
  await run('ip', ['netns', 'del', ns]);
}

export interface NodeKeys {
  /** OpenSSH public key line the nodes authorise (the TKC's `<cluster>-ssh` key). */
  authorizedKey: string;
}

/** Prepare node i's private directories and files, then boot it. */
export async function startNode(c: LabConfig, i: number, keys: NodeKeys): Promise<void> {
  const D = nodeDir(c, i);
  const name = nodeName(i);
  const os = nodeOs(i);
  for (const d of [
    'etc',
    'var',
    'usrlocal',
    'home',
    'root',
    'run',
    'tmp',
    'opt',
    'containerd',
    '.work/etc',
    '.work/var',
    '.work/usrlocal',
  ])
    fs.mkdirSync(path.join(D, d), { recursive: true });
  const etc = (p: string): string => path.join(D, 'etc', p);
  for (const d of ['ssh', 'sudoers.d', 'pki/tls/certs', 'ssl/certs', 'containerd/certs.d'])
    fs.mkdirSync(etc(d), { recursive: true });
  // Users: the host's, plus vmware-system-user (key-only: '*' in shadow).
  fs.writeFileSync(
    etc('passwd'),
    fs.readFileSync('/etc/passwd', 'utf8') +
      `${SSH_USER}:x:${SSH_UID}:${SSH_UID}:VMware system user:/home/${SSH_USER}:/bin/bash\n`,
  );
  fs.writeFileSync(etc('group'), fs.readFileSync('/etc/group', 'utf8') + `${SSH_USER}:x:${SSH_UID}:\n`);
  fs.writeFileSync(etc('shadow'), fs.readFileSync('/etc/shadow', 'utf8') + `${SSH_USER}:*:19000:0:99999:7:::\n`, {
    mode: 0o640,
  });
  fs.writeFileSync(etc('hostname'), `${name}\n`);
  fs.writeFileSync(etc('hosts'), `127.0.0.1 localhost\n127.0.1.1 ${name}\n${hostIp(c)} ${HARBOR_NAME}\n`);
  fs.writeFileSync(
    etc('os-release'),
    os === 'photon'
      ? 'NAME="VMware Photon OS"\nVERSION="3.0"\nID=photon\nVERSION_ID=3.0\nPRETTY_NAME="VMware Photon OS/Linux"\n'
      : 'NAME="Ubuntu"\nVERSION="20.04.6 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="20.04"\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\n',
  );
  await must('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', etc('ssh/ssh_host_ed25519_key')]);
  fs.writeFileSync(
    etc('ssh/sshd_config'),
    [
      `ListenAddress ${nodeIp(c, i)}`,
      'Port 22',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PidFile /run/sshd.pid',
      'UsePAM no',
      'PermitRootLogin no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile .ssh/authorized_keys',
      // Only Supervisor pods (the lab's pod network) reach TKC nodes.
      `AllowUsers ${SSH_USER}@${podIp(c)}`,
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(etc(`sudoers.d/${SSH_USER}`), `${SSH_USER} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  const hostBundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt');
  if (os === 'photon') {
    fs.writeFileSync(etc('pki/tls/certs/ca-bundle.crt'), hostBundle);
    fs.writeFileSync(etc('pki/tls/certs/.distribution-bundle.crt'), hostBundle);
    fs.rmSync(etc('ssl/certs/ca-certificates.crt'), { force: true });
    fs.symlinkSync('/etc/pki/tls/certs/ca-bundle.crt', etc('ssl/certs/ca-certificates.crt'));
  }
  fs.writeFileSync(
    etc('containerd/config.toml'),
    [
      'version = 2',
      'root = "/var/lib/containerd"',
      'state = "/run/containerd"',
      '[grpc]',
      '  address = "/run/containerd/containerd.sock"',
      '[plugins."io.containerd.grpc.v1.cri".registry]',
      '  config_path = "/etc/containerd/certs.d"',
      '',
    ].join('\n'),
  );
  fs.mkdirSync(path.join(D, 'var/log'), { recursive: true });
  fs.mkdirSync(path.join(D, 'var/lib/containerd'), { recursive: true });
  for (const d of ['usrlocal/sbin', 'usrlocal/bin', 'usrlocal/share/ca-certificates'])
    fs.mkdirSync(path.join(D, d), { recursive: true });
  fs.copyFileSync(path.join(HERE, 'systemctl'), path.join(D, 'usrlocal/sbin/systemctl'));
  fs.chmodSync(path.join(D, 'usrlocal/sbin/systemctl'), 0o755);
  // Users' PATH has /usr/local/bin but not /usr/local/sbin; the host's real systemctl must not win.
  fs.symlinkSync('../sbin/systemctl', path.join(D, 'usrlocal/bin/systemctl'));
  if (os === 'photon') {
    fs.copyFileSync(
      path.join(HERE, 'rehash_ca_certificates.sh'),
      path.join(D, 'usrlocal/bin/rehash_ca_certificates.sh'),
    );
    fs.chmodSync(path.join(D, 'usrlocal/bin/rehash_ca_certificates.sh'), 0o755);
  }
  const ssh = path.join(D, 'home', SSH_USER, '.ssh');
  fs.mkdirSync(ssh, { recursive: true });
  fs.writeFileSync(path.join(ssh, 'authorized_keys'), `${keys.authorizedKey}\n`, { mode: 0o600 });
  await must('chown', ['-R', `${SSH_UID}:${SSH_UID}`, path.join(D, 'home', SSH_USER)]);
  fs.chmodSync(ssh, 0o700);
  fs.chmodSync(path.join(D, 'root'), 0o700);
  fs.chmodSync(path.join(D, 'tmp'), 0o1777);
  fs.chmodSync(path.join(D, 'containerd'), 0o711);
  for (const d of ['run/sshd', 'run/lock', 'run/containerd']) fs.mkdirSync(path.join(D, d), { recursive: true });
  fs.chmodSync(path.join(D, 'run/sshd'), 0o755);
  // Boot. env -i: this machine exports SSL_CERT_FILE and friends, which must not leak
  // into a node's sshd or containerd and change its trust store.
  const log = fs.openSync(path.join(D, 'boot.log'), 'a');
  const { spawn } = await import('node:child_process');
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netnsName(c, i),
      'unshare',
      '--mount',
      '--uts',
      '--propagation',
      'private',
      path.join(HERE, 'boot.sh'),
      name,
      D,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { PATH: NODE_PATH, LANG: 'C.UTF-8', NODE_CONTAINERD: '1' },
    },
  );
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(path.join(paths(c).pids, `node-${name}.pid`), String(child.pid));
}

export function nodePid(c: LabConfig, i: number): number | undefined {
  const pid = readPid(path.join(paths(c).pids, `node-${nodeName(i)}.pid`));
  return alive(pid) ? pid : undefined;
}

/** TCP connect to node i's sshd from the pod network, as a jumpbox would. */
export async function sshdUp(c: LabConfig, i: number): Promise<boolean> {
  const r = await run('ip', ['netns', 'exec', podNetns(c), 'nc', '-z', '-w', '1', nodeIp(c, i), '22']);
  return r.code === 0;
}

/** The node's OpenSSH host key line, for known_hosts. */
export function hostKey(c: LabConfig, i: number): string {
  return fs
    .readFileSync(path.join(nodeDir(c, i), 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');
}

/** Run a command inside node i (its mount, network and UTS namespaces), as root, with a clean environment. */
export async function nodeExec(
  c: LabConfig,
  i: number,
  argv: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const pid = nodePid(c, i);
  if (!pid) throw new LabError(`node ${nodeName(i)} is not running`);
  return run(
    'nsenter',
    [
      '-t',
      String(pid),
      '-m',
      '-n',
      '-u',
      '--',
      'env',
      '-i',
      `PATH=${NODE_PATH}`,
      'LANG=C.UTF-8',
      'HOME=/root',
      ...argv,
    ],
    { input },
  );
}

export type NodeFault = 'unreachable' | 'refuse-key' | 'deny-sudo' | 'readonly-etc';

/** Make node i misbehave in one way; `clear` undoes every fault. */
export async function setFault(c: LabConfig, i: number, fault: NodeFault | 'clear'): Promise<void> {
  const D = nodeDir(c, i);
  const keys = path.join(D, 'home', SSH_USER, '.ssh', 'authorized_keys');
  const sudoers = path.join(D, 'etc', 'sudoers.d', SSH_USER);
  switch (fault) {
    case 'unreachable':
      await ip('link', 'set', hostVeth(c, i), 'down');
      break;
    case 'refuse-key':
      if (fs.existsSync(keys)) fs.renameSync(keys, `${keys}.off`);
      break;
    case 'deny-sudo':
      if (fs.existsSync(sudoers)) fs.renameSync(sudoers, path.join(D, 'sudoers.off'));
      break;
    case 'readonly-etc':
      await nodeExec(c, i, ['mount', '-o', 'remount,ro', '/etc']);
      break;
    case 'clear':
      await ip('link', 'set', hostVeth(c, i), 'up');
      if (fs.existsSync(`${keys}.off`)) fs.renameSync(`${keys}.off`, keys);
      if (fs.existsSync(path.join(D, 'sudoers.off'))) fs.renameSync(path.join(D, 'sudoers.off'), sudoers);
      await nodeExec(c, i, ['mount', '-o', 'remount,rw', '/etc']);
      break;
  }
}

/**
 * Delay on the way between the pod network and node i, for benchmarks: `ms` each way, so
 * a round trip costs 2 x ms more; 0 removes it. `tc netem` on both ends of the node's
 * link where the kernel has it, else a delaying relay in front of the node's sshd
 * (lab/relay-control.ts), which delays SSH only.
 */
export async function setLatency(c: LabConfig, i: number, ms: number): Promise<'netem' | 'relay' | 'none'> {
  const ends: string[][] = [[], ['-n', netnsName(c, i)]];
  const dev = (end: string[]): string => (end.length ? 'eth0' : hostVeth(c, i));
  for (const end of ends) await run('tc', [...end, 'qdisc', 'del', 'dev', dev(end), 'root']);
  await stopRelay(c, i);
  if (ms <= 0) return 'none';
  for (const end of ends) {
    const r = await run('tc', [...end, 'qdisc', 'add', 'dev', dev(end), 'root', 'netem', 'delay', `${ms}ms`]);
    if (/qdisc kind is unknown|Specified qdisc not found/i.test(r.stderr)) {
      await startRelay(c, i, ms);
      return 'relay';
    }
    if (r.code !== 0) throw new LabError(`tc qdisc add ... netem: ${r.stderr.trim()}`);
  }
  return 'netem';
}

/** Kill everything in the lab's namespaces, delete them, the veths and the bridge. */
export async function networkDown(c: LabConfig): Promise<void> {
  const list = (await run('ip', ['netns', 'list'])).stdout;
  const ours = list
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(`${c.prefix}-`));
  for (const ns of ours) await killNetns(ns);
  // A deleted netns can live on while its sockets close, keeping its veth: delete host ends explicitly.
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
  for (const m of links.matchAll(new RegExp(`^\\d+: (${c.prefix}-[a-z0-9]+-h)[@:]`, 'gm')))
    await run('ip', ['link', 'del', m[1]!]);
  await run('ip', ['link', 'del', bridgeName(c)]);
}
