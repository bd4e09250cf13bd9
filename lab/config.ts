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
  /** tkc-1's nodes: n1..n<nodes> (n1 its control plane). */
  nodes: number;
  /** tkc-2's nodes: n<nodes+1>..n<nodes+tkc2Nodes> (the first its control plane); 0: no tkc-2. */
  tkc2Nodes: number;
  /** Added to the loopback ports (registry backend, API emulators), so two labs can run side by side. */
  portOffset: number;
}

export function labConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const nodes = Number(env.LAB_NODES ?? 3);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 60)
    throw new Error(`LAB_NODES must be 1 to 60, not ${env.LAB_NODES}`);
  const tkc2Nodes = Number(env.LAB_TKC2_NODES ?? 2);
  if (!Number.isInteger(tkc2Nodes) || tkc2Nodes < 0 || nodes + tkc2Nodes > 60)
    throw new Error(
      `LAB_TKC2_NODES must be 0 to ${60 - nodes} (LAB_NODES is ${nodes}), not ${env.LAB_TKC2_NODES ?? tkc2Nodes}`,
    );
  return {
    dir: env.LAB_DIR ?? path.join(os.tmpdir(), 'kubectl-harbor-lab'),
    prefix: env.LAB_PREFIX ?? 'khl',
    net: env.LAB_NET ?? '10.217.0',
    nodes,
    tkc2Nodes,
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
/** A second TanzuKubernetesCluster with nodes of its own (LAB_TKC2_NODES), API on 127.0.0.4. */
export const TKC2 = { name: 'tkc-2', namespace: 'dev' } as const;
/** The v1beta2 (VKS 3.x) Cluster on the same nodes as CLUSTER. */
export const VKS_CLUSTER = { name: 'vks-1', namespace: 'dev' } as const;
export const NODE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Harbor's local users; `admin` is the system admin. The vSphere SSO user matches the Supervisor's devops user. */
export const HARBOR_USERS: Record<string, { password: string; admin?: boolean }> = {
  admin: { password: 'Harbor12345', admin: true },
  'devops@vsphere.local': { password: 'VMware1!-devops' },
  reader: { password: 'Reader12345' },
  projadmin: { password: 'ProjAdmin12345' },
  outsider: { password: 'Outsider12345' },
};

type Role = 'projectAdmin' | 'developer' | 'guest' | 'maintainer' | 'limitedGuest';
const DEVOPS = 'devops@vsphere.local';

/** Harbor projects: `library` (id 1, as Harbor's own) is public; the others are private. `admin` created them all. */
export const HARBOR_PROJECTS: Array<{ id: number; name: string; public: boolean; members: Record<string, Role> }> = [
  { id: 1, name: 'library', public: true, members: { admin: 'projectAdmin' } },
  {
    id: 2,
    name: 'lab',
    public: false,
    members: { admin: 'projectAdmin', [DEVOPS]: 'developer', reader: 'guest', projadmin: 'projectAdmin' },
  },
  { id: 3, name: 'dev', public: false, members: { admin: 'projectAdmin', [DEVOPS]: 'developer' } },
  { id: 4, name: 'prod', public: false, members: { admin: 'projectAdmin', [DEVOPS]: 'developer' } },
  { id: 5, name: 'secret-project', public: false, members: { admin: 'projectAdmin' } },
];

/** The default robot name prefix (Harbor's robot_name_prefix); LAB_HARBOR_ROBOT_PREFIX changes it. */
export const ROBOT_PREFIX = 'robot$';

const repo = (...actions: string[]) => actions.map((action) => ({ resource: 'repository', action }));
const onLab = (...actions: string[]) => [{ kind: 'project', namespace: 'lab', access: repo(...actions) }];

/**
 * Robots made on the first start (then kept in the state directory). Names are without the
 * prefix, as Harbor stores them: `ci` is system-level, the others belong to project `lab`.
 */
export const HARBOR_ROBOTS = [
  { name: 'ci', secret: 'robot-ci-secret-0001', projectId: 0, permissions: onLab('pull', 'push') },
  { name: 'lab+puller', secret: 'robot-lab-puller-0001', projectId: 2, permissions: onLab('pull') },
  /** Made 10 days ago for 1 day: expired. */
  { name: 'lab+old', secret: 'robot-lab-old-0001', projectId: 2, permissions: onLab('pull'), duration: 1, ageDays: 10 },
  { name: 'lab+off', secret: 'robot-lab-off-0001', projectId: 2, permissions: onLab('pull'), disabled: true },
];

export const BASIC_USER = { name: 'basic', password: 'Basic12345' };

export const IMAGE = { repo: 'lab/tiny', tag: '1' };
/** The same image in the public project. */
export const PUBLIC_IMAGE = { repo: 'library/tiny', tag: '1' };

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

/** The node indexes `lab up` boots: tkc-1's, then tkc-2's. */
export const bootNodes = (c: LabConfig): number[] => Array.from({ length: c.nodes + c.tkc2Nodes }, (_, k) => k + 1);
/** tkc-2's node indexes. */
export const tkc2NodeIndexes = (c: LabConfig): number[] => bootNodes(c).slice(c.nodes);

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
