// Where the lab lives and how it is wired: one place for names, addresses, ports and users.
// Everything stays on loopback or on a bridge and network namespaces the lab creates.
import os from 'node:os';
import path from 'node:path';

export interface LabConfig {
  /** State directory; under /tmp, never under /etc, /var or /usr/local (the nodes overlay those). */
  dir: string;
  /** Prefix of every bridge, veth and netns name. */
  prefix: string;
  /** First three octets of the lab network; .1 is the host side, .200 the pod network, .11+ the nodes. */
  net: string;
  nodes: number;
  /** Added to the loopback ports (registry backend, API emulators), so two labs can run side by side. */
  portOffset: number;
}

export function labConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const nodes = Number(env.LAB_NODES ?? 3);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 60)
    throw new Error(`LAB_NODES must be 1 to 60, not ${env.LAB_NODES}`);
  return {
    dir: env.LAB_DIR ?? path.join(os.tmpdir(), 'kubectl-harbor-lab'),
    prefix: env.LAB_PREFIX ?? 'khl',
    net: env.LAB_NET ?? '10.217.0',
    nodes,
    portOffset: Number(env.LAB_PORT_OFFSET ?? 0),
  };
}

export const PORTS = {
  /** Harbor: TLS front (token service, API, /v2/ proxied to the registry). */
  harbor: 8443,
  /** The same Harbor behind a certificate without an IP SAN. */
  noIpSan: 8444,
  /** The same Harbor behind an expired certificate. */
  expired: 8445,
  /** The same Harbor behind a certificate signed by an intermediate CA (chain served). */
  intermediate: 8446,
  /** Harbor 1.x API (vSphere 7's embedded Harbor): only /api/systeminfo/getcert. */
  harborV1: 8447,
  /** The same Harbor over plain HTTP. */
  plainHttp: 8080,
  /** A second registry with htpasswd Basic auth, TLS by the lab CA. */
  basic: 5443,
  /** docker-registry behind the front (loopback only). */
  registryBackend: 5001,
  /** API server emulators: Supervisor on 127.0.0.1, the TKC on 127.0.0.2. */
  apiserver: 16443,
} as const;

/** Loopback ports, shifted by the lab's port offset. */
export const loopbackPorts = (c: LabConfig): { registryBackend: number; apiserver: number } => ({
  registryBackend: PORTS.registryBackend + c.portOffset,
  apiserver: PORTS.apiserver + c.portOffset,
});

export const SSH_USER = 'vmware-system-user';
export const SSH_UID = 4242;
export const HARBOR_SERVICE = 'harbor-registry';
export const HARBOR_ISSUER = 'harbor-token-issuer';
export const HARBOR_NAME = 'harbor.lab';
export const CLUSTER = { name: 'tkc-1', namespace: 'dev' } as const;
/** The v1beta2 (VKS 3.x) Cluster on the same nodes as CLUSTER. */
export const VKS_CLUSTER = { name: 'vks-1', namespace: 'dev' } as const;
export const NODE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Harbor users: projects they may pull or push. The vSphere SSO user matches the Supervisor's devops user. */
export const HARBOR_USERS: Record<string, { password: string; access: Record<string, string[]> }> = {
  admin: { password: 'Harbor12345', access: { '*': ['pull', 'push', 'delete', '*'] } },
  'devops@vsphere.local': {
    password: 'VMware1!-devops',
    access: { dev: ['pull', 'push'], prod: ['pull', 'push'], lab: ['pull', 'push'] },
  },
  reader: { password: 'Reader12345', access: { '*': ['pull'] } },
  robot$ci: { password: 'robot-ci-secret-0001', access: { lab: ['pull', 'push'] } },
  'robot$lab+puller': { password: 'robot-lab-puller-0001', access: { lab: ['pull'] } },
};

export const BASIC_USER = { name: 'basic', password: 'Basic12345' };

export const IMAGE = { repo: 'lab/tiny', tag: '1' };

export interface LabPaths {
  state: string;
  pki: string;
  pids: string;
  logs: string;
  nodes: string;
  registry: string;
  client: string;
}

export function paths(c: LabConfig): LabPaths {
  const state = path.join(c.dir, 'state');
  return {
    state,
    pki: path.join(state, 'pki'),
    pids: path.join(state, 'pids'),
    logs: path.join(state, 'logs'),
    nodes: path.join(state, 'nodes'),
    registry: path.join(state, 'registry'),
    client: path.join(state, 'client'),
  };
}

export const hostIp = (c: LabConfig): string => `${c.net}.1`;
export const podIp = (c: LabConfig): string => `${c.net}.200`;
export const nodeIp = (c: LabConfig, i: number): string => `${c.net}.${10 + i}`;
export const nodeName = (i: number): string => `n${i}`;
export const netnsName = (c: LabConfig, i: number): string => `${c.prefix}-n${i}`;
export const podNetns = (c: LabConfig): string => `${c.prefix}-pods`;
export const bridgeName = (c: LabConfig): string => `${c.prefix}-br0`;
export const hostVeth = (c: LabConfig, i: number | 'pods'): string => `${c.prefix}-${i === 'pods' ? 'p' : 'n' + i}-h`;
/** Odd nodes look like Photon OS, even ones like Ubuntu. */
export const nodeOs = (i: number): 'photon' | 'ubuntu' => (i % 2 === 1 ? 'photon' : 'ubuntu');
