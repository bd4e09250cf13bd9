// `lab up|down|status|env`: the whole lab (Harbor front and registries, API emulators,
// SSH nodes with containerd) behind one idempotent command. A second `up` is a no-op; a
// failed `up` tears down what it made; `down` leaves no namespaces, veths, processes,
// mounts or files.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASIC_USER,
  bootNodes,
  bridgeName,
  CLUSTER,
  HARBOR_PROJECTS,
  HARBOR_ROBOTS,
  HARBOR_USERS,
  hostIp,
  IMAGE,
  PUBLIC_IMAGE,
  ROBOT_PREFIX,
  labConfig,
  nodeIp,
  nodeName,
  nodeOs,
  paths,
  podNetns,
  PORTS,
  SSH_USER,
  type LabConfig,
  loopbackPorts,
  TKC2,
  tkc2NodeIndexes,
  VKS_CLUSTER,
} from './config.js';
import { extraNodes } from './control.js';
import { buildImage } from './harbor/image.js';
import { startRegistries } from './harbor/registry.js';
import { makeLabPki, pkiFiles } from './labpki.js';
import { hostKey, networkDown, networkUp, nodePid, sshdUp, startNode } from './nodes/nodes.js';
import { sshKeyPair } from './apiserver/supervisor.js';
import { HARBOR_SERVICE_NS, HARBOR_TLS_SECRET } from './apiserver/vks.js';
import { alive, daemon, LabError, must, readPid, run, stop, waitFor } from './sh.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What tests and people need to use a running lab; written to state/lab.json and state/env.sh. */
export interface LabInfo {
  state: string;
  kubeconfig: string;
  adminKubeconfig: string;
  viewerKubeconfig: string;
  /** Shaped like `vcf context create` output (contexts lab, lab:<ns>, lab:tkc-1), for devops. */
  vcfKubeconfig: string;
  ca: string;
  otherCa: string;
  intermediateCa: string;
  harbor: string;
  harborNoIpSan: string;
  harborExpired: string;
  harborIntermediate: string;
  harborV1: string;
  harborHttp: string;
  registryBasic: string;
  /** Harbor logins -> passwords: the local users and the fixture robots by their full names. */
  users: Record<string, string>;
  /** Harbor's system admin user. */
  harborAdmin: string;
  /** The robot name prefix the lab's Harbor was started with. */
  robotPrefix: string;
  /** Harbor projects with their members' roles. */
  harborProjects: Array<{ id: number; name: string; public: boolean; members: Record<string, string> }>;
  /** The fixture robots: `robot$lab+puller` (pull on lab), `robot$ci` (system), `robot$lab+old` (expired), `robot$lab+off` (disabled). */
  robots: Array<{ name: string; secret: string; project?: string; expired: boolean; disabled: boolean }>;
  basicUser: { name: string; password: string };
  image: string;
  /** The same image in the public project `library`. */
  publicImage: string;
  authFile: string;
  certsDir: string;
  sshKey: string;
  knownHosts: string;
  podNetns: string;
  cluster: { name: string; namespace: string };
  /** The v1beta2 Cluster (builtin-generic-v3.4.0) on the same nodes as `cluster`. */
  vksCluster: { name: string; namespace: string };
  /** Harbor as a Supervisor Service: its namespace and labelled TLS secret. */
  harborService: { namespace: string; secret: string };
  /** tkc-1's nodes (n1 its control plane). */
  nodes: LabNode[];
  /** The second TanzuKubernetesCluster (LAB_TKC2_NODES nodes of its own; absent when 0), API on 127.0.0.4. */
  tkc2?: { name: string; namespace: string; nodes: LabNode[] };
  vspherePassword: string;
}

export interface LabNode {
  name: string;
  ip: string;
  os: 'photon' | 'ubuntu';
  hostKey: string;
  containerdSocket: string;
}

const DEBIAN_PACKAGES = [
  'docker-registry',
  'skopeo',
  'containerd',
  'runc',
  'openssh-server',
  'openssh-client',
  'sudo',
  'apache2-utils',
  'iproute2',
  'netcat-openbsd',
  'ca-certificates',
];
const COMMANDS = [
  'docker-registry',
  'skopeo',
  'containerd',
  'ctr',
  'runc',
  '/usr/sbin/sshd',
  'ssh',
  'ssh-keygen',
  'sudo',
  'htpasswd',
  'ip',
  'nc',
  'unshare',
  'nsenter',
  'tc',
  'update-ca-certificates',
];

async function missingCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const c of COMMANDS) if ((await run('sh', ['-c', 'command -v "$1"', 'sh', c])).code !== 0) out.push(c);
  return out;
}

/** Install the lab's Debian packages when any command is missing. */
export async function ensureDeps(say: (s: string) => void): Promise<void> {
  const missing = await missingCommands();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new LabError(`the lab needs root to install ${missing.join(', ')} and to create network namespaces`);
  say(`installing Debian packages (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await must('apt-get', ['update', '-q'], { env, timeoutMs: 600_000 });
  await must('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...DEBIAN_PACKAGES], {
    env,
    timeoutMs: 900_000,
  });
  const still = await missingCommands();
  if (still.length) throw new LabError(`still missing after apt-get install: ${still.join(', ')}`);
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 500 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

const DAEMONS = [
  { name: 'registry-harbor', cmdline: 'docker-registry' },
  { name: 'registry-basic', cmdline: 'docker-registry' },
  { name: 'lab-daemon', cmdline: 'daemon.ts' },
];

function daemonPid(c: LabConfig, name: string, cmdline: string): number | undefined {
  const pid = readPid(path.join(paths(c).pids, `${name}.pid`));
  if (!alive(pid)) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cmdline) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface Status {
  up: boolean;
  lines: string[];
}

export async function status(c: LabConfig = labConfig()): Promise<Status> {
  const lines: string[] = [];
  let up = fs.existsSync(path.join(paths(c).state, 'lab.json'));
  for (const d of DAEMONS) {
    const pid = daemonPid(c, d.name, d.cmdline);
    lines.push(`${d.name}: ${pid ? `running, pid ${pid}` : 'down'}`);
    if (!pid) up = false;
  }
  const tkc2 = tkc2NodeIndexes(c);
  for (const i of bootNodes(c)) {
    const pid = nodePid(c, i);
    const ok = pid !== undefined && (await sshdUp(c, i));
    const of = tkc2.includes(i) ? `, ${TKC2.name}` : '';
    lines.push(`node ${nodeName(i)} (${nodeOs(i)}, ${nodeIp(c, i)}${of}): ${ok ? `up, pid ${pid}` : 'down'}`);
    if (!ok) up = false;
  }
  // Nodes added with add-node: shown, but the lab is up without them.
  for (const n of extraNodes(c)) {
    const pid = nodePid(c, n.index);
    const ok = pid !== undefined && (await sshdUp(c, n.index));
    lines.push(`node ${n.name} (${nodeOs(n.index)}, ${n.ip}, ${n.cluster}, added): ${ok ? `up, pid ${pid}` : 'down'}`);
  }
  return { up, lines };
}

export async function down(c: LabConfig = labConfig()): Promise<void> {
  const p = paths(c);
  for (const d of [...DAEMONS].reverse()) await stop(daemonPid(c, d.name, d.cmdline));
  await networkDown(c);
  fs.rmSync(p.state, { recursive: true, force: true });
}

function clientFiles(c: LabConfig): { privatePem: string; publicOpenSsh: string } {
  const p = paths(c);
  fs.mkdirSync(p.client, { recursive: true, mode: 0o700 });
  const key = sshKeyPair();
  fs.writeFileSync(path.join(p.client, 'id_rsa'), key.privatePem, { mode: 0o600 });
  fs.writeFileSync(path.join(p.client, 'id_rsa.pub'), key.publicOpenSsh + '\n');
  const harbor = `${hostIp(c)}:${PORTS.harbor}`;
  const basic = `${hostIp(c)}:${PORTS.basic}`;
  const b64 = (u: string, pw: string): string => Buffer.from(`${u}:${pw}`).toString('base64');
  fs.writeFileSync(
    path.join(p.client, 'auth.json'),
    JSON.stringify(
      {
        auths: {
          [harbor]: { auth: b64('admin', HARBOR_USERS.admin!.password) },
          [basic]: { auth: b64(BASIC_USER.name, BASIC_USER.password) },
        },
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  for (const r of [harbor, basic]) {
    fs.mkdirSync(path.join(p.client, 'certs.d', r), { recursive: true });
    fs.copyFileSync(pkiFiles(p.pki).ca, path.join(p.client, 'certs.d', r, 'ca.crt'));
  }
  return key;
}

/** Harbor's robot_name_prefix for the lab: LAB_HARBOR_ROBOT_PREFIX, else `robot$`. */
const robotPrefix = (): string => process.env.LAB_HARBOR_ROBOT_PREFIX || ROBOT_PREFIX;

function labNode(c: LabConfig, i: number): LabNode {
  return {
    name: nodeName(i),
    ip: nodeIp(c, i),
    os: nodeOs(i),
    hostKey: hostKey(c, i),
    containerdSocket: path.join(paths(c).nodes, nodeName(i), 'run/containerd/containerd.sock'),
  };
}

function writeInfo(c: LabConfig): LabInfo {
  const p = paths(c);
  const pki = pkiFiles(p.pki);
  const at = (port: number): string => `${hostIp(c)}:${port}`;
  const prefix = robotPrefix();
  const robots = HARBOR_ROBOTS.map((r) => ({
    name: `${prefix}${r.name}`,
    secret: r.secret,
    ...(r.projectId ? { project: HARBOR_PROJECTS.find((x) => x.id === r.projectId)!.name } : {}),
    expired: r.duration !== undefined && r.duration < (r.ageDays ?? 0),
    disabled: r.disabled === true,
  }));
  const info: LabInfo = {
    state: p.state,
    kubeconfig: path.join(p.state, 'kubeconfig'),
    adminKubeconfig: path.join(p.state, 'admin.kubeconfig'),
    viewerKubeconfig: path.join(p.state, 'viewer.kubeconfig'),
    vcfKubeconfig: path.join(p.state, 'vcf.kubeconfig'),
    ca: pki.ca,
    otherCa: pki.otherCa,
    intermediateCa: pki.intermediate.intermediateCa,
    harbor: at(PORTS.harbor),
    harborNoIpSan: at(PORTS.noIpSan),
    harborExpired: at(PORTS.expired),
    harborIntermediate: at(PORTS.intermediate),
    harborV1: at(PORTS.harborV1),
    harborHttp: at(PORTS.plainHttp),
    registryBasic: at(PORTS.basic),
    users: Object.fromEntries([
      ...Object.entries(HARBOR_USERS).map(([u, v]) => [u, v.password]),
      ...robots.map((r) => [r.name, r.secret]),
    ]),
    harborAdmin: 'admin',
    robotPrefix: prefix,
    harborProjects: HARBOR_PROJECTS.map((x) => ({ ...x, members: { ...x.members } })),
    robots,
    basicUser: BASIC_USER,
    image: `${at(PORTS.harbor)}/${IMAGE.repo}:${IMAGE.tag}`,
    publicImage: `${at(PORTS.harbor)}/${PUBLIC_IMAGE.repo}:${PUBLIC_IMAGE.tag}`,
    authFile: path.join(p.client, 'auth.json'),
    certsDir: path.join(p.client, 'certs.d'),
    sshKey: path.join(p.client, 'id_rsa'),
    knownHosts: path.join(p.client, 'known_hosts'),
    podNetns: podNetns(c),
    cluster: { ...CLUSTER },
    vksCluster: { ...VKS_CLUSTER },
    harborService: { namespace: HARBOR_SERVICE_NS, secret: HARBOR_TLS_SECRET },
    nodes: Array.from({ length: c.nodes }, (_, k) => labNode(c, k + 1)),
    ...(c.tkc2Nodes ? { tkc2: { ...TKC2, nodes: tkc2NodeIndexes(c).map((i) => labNode(c, i)) } } : {}),
    vspherePassword: HARBOR_USERS['devops@vsphere.local']!.password,
  };
  const known = [...info.nodes, ...(info.tkc2?.nodes ?? [])];
  fs.writeFileSync(info.knownHosts, known.map((n) => `${n.ip} ${n.hostKey}\n`).join(''));
  fs.writeFileSync(path.join(p.state, 'lab.json'), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  const sh = (k: string, v: string): string => `export ${k}='${v.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(
    path.join(p.state, 'env.sh'),
    [
      '# source me: the kubectl-harbor lab',
      sh('KUBECONFIG', info.kubeconfig),
      sh('LAB_ADMIN_KUBECONFIG', info.adminKubeconfig),
      sh('LAB_VCF_KUBECONFIG', info.vcfKubeconfig),
      sh('KUBECTL_VSPHERE_PASSWORD', info.vspherePassword),
      sh('LAB_CA', info.ca),
      sh('LAB_HARBOR', info.harbor),
      sh('LAB_HARBOR_ADMIN_PASSWORD', HARBOR_USERS.admin!.password),
      sh('LAB_ROBOT', `${prefix}ci`),
      sh('LAB_ROBOT_SECRET', HARBOR_ROBOTS[0]!.secret),
      sh('LAB_REGISTRY_BASIC', info.registryBasic),
      sh('LAB_IMAGE', info.image),
      sh('LAB_NODE_IPS', info.nodes.map((n) => n.ip).join(' ')),
      sh('LAB_POD_NETNS', info.podNetns),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return info;
}

export function info(c: LabConfig = labConfig()): LabInfo {
  const f = path.join(paths(c).state, 'lab.json');
  if (!fs.existsSync(f)) throw new LabError(`the lab is not up (no ${f}); run: npm run lab -- up`);
  return JSON.parse(fs.readFileSync(f, 'utf8')) as LabInfo;
}

export async function up(
  c: LabConfig = labConfig(),
  say: (s: string) => void = () => undefined,
): Promise<{ info: LabInfo; booted: boolean; ms: number }> {
  const t0 = Date.now();
  if ((await status(c)).up) return { info: info(c), booted: false, ms: Date.now() - t0 };
  await ensureDeps(say);
  if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, mounts)');
  await down(c);
  const p = paths(c);
  try {
    for (const d of [p.state, p.pids, p.logs, p.nodes]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    for (const port of [loopbackPorts(c).registryBackend])
      if (await tcpOpen('127.0.0.1', port)) throw new LabError(`port 127.0.0.1:${port} is in use`);
    const pki = makeLabPki(c, p.pki);
    const key = clientFiles(c);
    await networkUp(c);
    say(`network ${bridgeName(c)} ${hostIp(c)}/24 with ${c.nodes} + ${c.tkc2Nodes} nodes`);
    await startRegistries(c, pki);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LAB_DIR: c.dir,
      LAB_PREFIX: c.prefix,
      LAB_NET: c.net,
      LAB_NODES: String(c.nodes),
      LAB_TKC2_NODES: String(c.tkc2Nodes),
      LAB_PORT_OFFSET: String(c.portOffset),
      LAB_HARBOR_ROBOT_PREFIX: robotPrefix(),
    };
    daemon(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'lab/daemon.ts')],
      path.join(p.pids, 'lab-daemon.pid'),
      path.join(p.logs, 'lab-daemon.log'),
      env,
      ROOT,
    );
    for (const i of bootNodes(c)) await startNode(c, i, { authorizedKey: key.publicOpenSsh });
    const failed = (name: string, log: string): never => {
      throw new LabError(
        `${name} did not start: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : 'no log'}`,
      );
    };
    await waitFor('the Harbor registry', () => tcpOpen('127.0.0.1', loopbackPorts(c).registryBackend)).catch(() =>
      failed('registry-harbor', path.join(p.logs, 'registry-harbor.log')),
    );
    await waitFor('the basic registry', () => tcpOpen(hostIp(c), PORTS.basic)).catch(() =>
      failed('registry-basic', path.join(p.logs, 'registry-basic.log')),
    );
    const daemonLog = path.join(p.logs, 'lab-daemon.log');
    await waitFor(
      'the lab daemon',
      () => {
        if (!daemonPid(c, 'lab-daemon', 'daemon.ts')) failed('lab-daemon', daemonLog);
        return fs.existsSync(path.join(p.state, 'daemon.ready'));
      },
      30_000,
    ).catch((e) =>
      e instanceof LabError && e.message.includes('did not start')
        ? Promise.reject(e)
        : failed('lab-daemon', daemonLog),
    );
    for (const i of bootNodes(c)) {
      const boot = path.join(p.nodes, nodeName(i), 'boot.log');
      await waitFor(
        `node ${nodeName(i)}`,
        async () => {
          if (!nodePid(c, i)) failed(`node ${nodeName(i)}`, boot);
          return sshdUp(c, i);
        },
        30_000,
      ).catch((e) =>
        e instanceof LabError && e.message.includes('did not start')
          ? Promise.reject(e)
          : failed(`node ${nodeName(i)}`, boot),
      );
    }
    say(`registries, API emulators and ${bootNodes(c).length} nodes up`);
    const image = path.join(p.state, 'image');
    await buildImage(image, IMAGE.tag);
    const harbor = `${hostIp(c)}:${PORTS.harbor}`;
    for (const to of [IMAGE, PUBLIC_IMAGE])
      await must('skopeo', [
        'copy',
        '-q',
        '--authfile',
        path.join(p.client, 'auth.json'),
        '--dest-cert-dir',
        path.join(p.client, 'certs.d', harbor),
        `oci:${image}:${IMAGE.tag}`,
        `docker://${harbor}/${to.repo}:${to.tag}`,
      ]);
    const result = writeInfo(c);
    say(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s; source ${path.join(p.state, 'env.sh')}`);
    return { info: result, booted: true, ms: Date.now() - t0 };
  } catch (e) {
    say(`up failed, tearing down: ${(e as Error).message}`);
    await down(c);
    throw e;
  }
}

/** ssh into node i from the pod network (the only place sshd accepts), as the jumpbox would. */
export function sshArgs(c: LabConfig, i: number, command: string[]): string[] {
  const p = paths(c);
  return [
    'netns',
    'exec',
    podNetns(c),
    'ssh',
    '-i',
    path.join(p.client, 'id_rsa'),
    '-o',
    `UserKnownHostsFile=${path.join(p.client, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    `${SSH_USER}@${nodeIp(c, i)}`,
    ...command,
  ];
}
