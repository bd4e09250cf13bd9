// A vSphere with Tanzu Supervisor as fixtures: vSphere Namespaces with their embedded
// Harbor pull/push secrets and a default ServiceAccount that lists the pull secret,
// kube-system/image-fetcher-ca-bundle holding a certificate, tkg-service-configuration,
// the VKS ClusterClasses, Tanzu Kubernetes clusters and ClusterClass Clusters (v1beta1 or
// v1beta2) with <cluster>-ssh and <cluster>-ssh-password secrets and VirtualMachines,
// optionally Harbor as a Supervisor Service, and users as `kubectl vsphere login` and
// the VCF CLI know them. Each cluster gets its own emulator (its API server) on another
// loopback address.
import crypto from 'node:crypto';
import ssh2 from 'ssh2';
import { makeCa, makeCert, type KeyCert } from '../pki.js';
import { ALLOW_ALL, type User } from './auth.js';
import { clusterKubeconfigSecret } from './kubeconfigs.js';
import type { NodeSpec } from './nodes.js';
import { ENFORCE_LABEL } from './podsecurity.js';
import { ApiServer, type ApiServerOptions } from './server.js';
import type { Obj } from './types.js';
import { vcfKubeconfig, vsphereKubeconfig } from './kubeconfigs.js';
import {
  capiCluster,
  clusterClasses,
  HARBOR_SERVICE_NS,
  HARBOR_TLS_SECRET,
  harborServiceObjects,
  type CapiClusterSpec,
  VKS_PUBLIC_NS,
} from './vks.js';

export { vcfKubeconfig, vsphereKubeconfig, writeKubeconfig } from './kubeconfigs.js';

export type LabelStyle = 'capw' | 'capv' | 'capi';

/**
 * A cluster: `api` is `tkc` (default) for a TanzuKubernetesCluster (run.tanzu.vmware.com),
 * `cluster` for a v1beta1 Cluster of class tanzukubernetescluster, `cluster-v1beta2` for a
 * v1beta2 Cluster of class builtin-generic-v3.4.0 in vmware-system-vks-public (class,
 * classNamespace, version and variables override those). controlPlaneIps and workerIps
 * are the node IPs, control plane first.
 */
export interface ClusterSpec extends CapiClusterSpec {
  /** Which label family the VirtualMachines carry. Default capw (capi for cluster-v1beta2). */
  labels?: LabelStyle;
  /** The API server address of the cluster (a loopback address). */
  apiHost?: string;
  /** The cluster's Node objects (control plane first); default: one per VM, named as the VM. */
  nodes?: NodeSpec[];
  /** Options for this cluster's API server, over SupervisorOptions.tkcServer. */
  server?: Omit<ApiServerOptions, 'host' | 'users'>;
}

/** The TKC namespace PodSecurity baseline enforces, for tests of refused DaemonSet pods. */
export const RESTRICTED_NS = 'restricted-ns';

/** The user of each cluster's Cluster API kubeconfig secret: cluster admin in the TKC emulator. */
export const CAPI_ADMIN = 'kubernetes-admin';

export interface SupervisorOptions {
  namespaces?: string[];
  /** Embedded Harbor address written into the namespace pull secrets. */
  harbor?: string;
  clusters?: ClusterSpec[];
  /** SSH key the nodes accept; generated when omitted. */
  sshKey?: { privatePem: string; publicOpenSsh: string };
  /** The Supervisor's address (the context name `kubectl vsphere login` uses). */
  host?: string;
  server?: Omit<ApiServerOptions, 'host' | 'users'>;
  /** Overrides for the TKC API servers (their kubelet pulls through the nodes' trust, for one). */
  tkcServer?: Omit<ApiServerOptions, 'host' | 'users'>;
  /**
   * Harbor as a Supervisor Service: namespace svc-harbor-domain-c8 and its secret harbor-tls. `true` makes a
   * CA and a Harbor certificate for the `harbor` address; or give the PEMs.
   */
  harborService?: boolean | { caPem: string; certPem: string };
  /**
   * Namespace vmware-system-vks-public with ClusterClass builtin-generic-v3.4.0 (VKS 3.4+). Default: when a
   * cluster-v1beta2 cluster is asked for. The legacy class tanzukubernetescluster is in every vSphere Namespace.
   */
  vks?: boolean;
}

export interface SupervisorLab {
  supervisor: ApiServer;
  tkcs: Map<string, ApiServer>;
  users: Record<'admin' | 'devops' | 'viewer', User>;
  sshKey: { privatePem: string; publicOpenSsh: string };
  /** The certificate image-fetcher-ca-bundle already holds. */
  existingCa: KeyCert;
  harbor: string;
  namespaces: string[];
  clusters: ClusterSpec[];
  /** Harbor as a Supervisor Service, when asked for: its namespace, TLS secret and CA. */
  harborService?: { namespace: string; secret: string; caPem: string };
  /** A kubeconfig shaped like `kubectl vsphere login` output for `user`. */
  kubeconfig(user?: 'admin' | 'devops' | 'viewer'): string;
  /** A kubeconfig shaped like `vcf context create` output for `user` (see vcfKubeconfig). */
  vcfKubeconfig(user?: 'admin' | 'devops' | 'viewer'): string;
  close(): Promise<void>;
}

export function sshKeyPair(): { privatePem: string; publicOpenSsh: string } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const parsed = ssh2.utils.parseKey(privatePem);
  if (parsed instanceof Error) throw parsed;
  return { privatePem, publicOpenSsh: `ssh-rsa ${parsed.getPublicSSH().toString('base64')} vmware-system-user` };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const suffix = (): string => crypto.randomBytes(3).toString('hex').slice(0, 5);

export function dockerConfig(registry: string, username: string, password: string): string {
  return JSON.stringify({ auths: { [registry]: { username, password, auth: b64(`${username}:${password}`) } } });
}

function vmLabels(style: LabelStyle, cluster: string, role: 'controlplane' | 'node'): Record<string, string> {
  if (style === 'capi') return { 'cluster.x-k8s.io/cluster-name': cluster, 'capv.vmware.com/cluster.role': role };
  const p = style === 'capv' ? 'capv.vmware.com' : 'capw.vmware.com';
  return { [`${p}/cluster.name`]: cluster, [`${p}/cluster.role`]: role };
}

/**
 * A session token shaped like the JWT a Supervisor login hands out (vCenter SSO): the user
 * in `sub`, ten hours in `exp`. Unsigned: the emulator looks tokens up, it does not verify them.
 */
export function sessionToken(user: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: user, iss: 'lab-sso', iat: now, exp: now + 36_000 })}.${suffix()}`;
}

const USERS = (): SupervisorLab['users'] => ({
  admin: {
    name: 'administrator@vsphere.local',
    token: sessionToken('administrator@vsphere.local'),
    rules: [ALLOW_ALL],
  },
  devops: { name: 'devops@vsphere.local', token: sessionToken('devops@vsphere.local'), rules: [] },
  viewer: { name: 'viewer@vsphere.local', token: sessionToken('viewer@vsphere.local'), rules: [] },
});

export async function startSupervisor(o: SupervisorOptions = {}): Promise<SupervisorLab> {
  const namespaces = o.namespaces ?? ['dev', 'prod'];
  const harbor = o.harbor ?? '127.0.0.1:8443';
  const clusters = o.clusters ?? [
    {
      name: 'tkc-1',
      namespace: namespaces[0]!,
      controlPlaneIps: ['10.10.0.11'],
      workerIps: ['10.10.0.21', '10.10.0.22'],
    },
  ];
  const users = USERS();
  // vSphere Namespace "Can edit" for devops, "Can view" for viewer; cluster-scoped reads for both.
  const reads = ['get', 'list', 'watch'];
  // The public ClusterClasses are readable from every vSphere Namespace.
  const publicClasses = { verbs: reads, resources: ['clusterclasses.cluster.x-k8s.io'], namespaces: [VKS_PUBLIC_NS] };
  users.devops.rules = [
    { verbs: ['*'], resources: ['*'], namespaces },
    { verbs: reads, resources: ['namespaces', 'tkgserviceconfigurations.run.tanzu.vmware.com'] },
    publicClasses,
  ];
  users.viewer.rules = [
    { verbs: reads, resources: ['*'], namespaces },
    { verbs: reads, resources: ['namespaces'] },
    publicClasses,
  ];
  const host = o.host ?? '127.0.0.1';
  const supervisor = await ApiServer.start({ ...o.server, host, users: Object.values(users) });
  const tkcs = new Map<string, ApiServer>();
  const sshKey = o.sshKey ?? sshKeyPair();
  const existingCa = makeCa('vCenter Lab Root CA', 'VMware Engineering');
  let harborService: SupervisorLab['harborService'];
  const vks = o.vks ?? clusters.some((c) => c.api === 'cluster-v1beta2');
  try {
    const system = ['kube-system', 'vmware-system-registry', 'vmware-system-tkg', ...(vks ? [VKS_PUBLIC_NS] : [])];
    for (const ns of [...system, ...namespaces]) {
      supervisor.seed({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, ...(namespaces.includes(ns) ? { labels: { vSphereClusterID: 'domain-c8' } } : {}) },
      });
    }
    supervisor.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'image-fetcher-ca-bundle', namespace: 'kube-system' },
      data: { 'ca-bundle': existingCa.certPem },
    });
    supervisor.seed({
      apiVersion: 'run.tanzu.vmware.com/v1alpha1',
      kind: 'TkgServiceConfiguration',
      metadata: { name: 'tkg-service-configuration' },
      spec: { defaultCNI: 'antrea' },
    });
    for (const ns of namespaces) {
      const robot = `robot$${ns}-${suffix()}`;
      for (const kind of ['pull', 'push']) {
        supervisor.seed({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: `${ns}-default-image-${kind}-secret`,
            namespace: ns,
            labels: { 'managed-by': 'vmware-registry' },
          },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64(dockerConfig(harbor, robot, crypto.randomBytes(12).toString('hex'))) },
        });
      }
      supervisor.registry.mutate(supervisor.type('serviceaccounts'), ns, 'default', (sa) => {
        sa.imagePullSecrets = [{ name: `${ns}-default-image-pull-secret` }];
      });
    }
    for (const cc of clusterClasses(namespaces, vks)) supervisor.seed(cc);
    if (o.harborService) {
      const pems = o.harborService === true ? harborPems(harbor) : o.harborService;
      for (const obj of harborServiceObjects(pems.caPem, pems.certPem)) supervisor.seed(obj);
      harborService = { namespace: HARBOR_SERVICE_NS, secret: HARBOR_TLS_SECRET, caPem: pems.caPem };
    }
    let apiHostIndex = 2;
    for (const c of clusters) {
      const apiHost = c.apiHost ?? `127.0.0.${apiHostIndex++}`;
      c.apiHost = apiHost;
      const vms = seedCluster(supervisor, c, sshKey);
      const admin: User = { name: CAPI_ADMIN, token: `capi-${suffix()}${suffix()}${suffix()}`, rules: [ALLOW_ALL] };
      const tkc = await ApiServer.start({
        ...o.server,
        ...o.tkcServer,
        ...c.server,
        host: apiHost,
        nodes: c.nodes ?? vms.map((v) => ({ name: v.name, ip: v.ip, controlPlane: v.role === 'controlplane' })),
        users: [...Object.values(users).map((u) => ({ ...u, rules: [ALLOW_ALL] })), admin],
      });
      tkcs.set(c.name, tkc);
      // kube-system is privileged, as on a real cluster; restricted-ns enforces baseline.
      const nsLabels: Record<string, Record<string, string>> = {
        'kube-system': { [ENFORCE_LABEL]: 'privileged' },
        default: {},
        [RESTRICTED_NS]: { [ENFORCE_LABEL]: 'baseline' },
      };
      for (const [ns, labels] of Object.entries(nsLabels))
        tkc.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });
      supervisor.seed(clusterKubeconfigSecret(c.name, c.namespace, tkc, admin));
    }
  } catch (e) {
    await supervisor.close();
    for (const t of tkcs.values()) await t.close();
    throw e;
  }
  const lab: SupervisorLab = {
    supervisor,
    tkcs,
    users,
    sshKey,
    existingCa,
    harbor,
    namespaces,
    clusters,
    harborService,
    kubeconfig: (who = 'devops') => vsphereKubeconfig(lab, users[who]),
    vcfKubeconfig: (who = 'devops') => vcfKubeconfig(lab, users[who]),
    close: async () => {
      await supervisor.close();
      for (const t of tkcs.values()) await t.close();
    },
  };
  return lab;
}

type Role = 'controlplane' | 'node';

/** A cluster's VirtualMachine on the Supervisor. */
function vmObject(c: ClusterSpec, name: string, ip: string, role: Role): Obj {
  const style = c.labels ?? (c.api === 'cluster-v1beta2' ? 'capi' : 'capw');
  return {
    apiVersion: 'vmoperator.vmware.com/v1alpha2',
    kind: 'VirtualMachine',
    metadata: { name, namespace: c.namespace, labels: vmLabels(style, c.name, role) },
    spec: {
      className: 'best-effort-small',
      imageName: 'ob-22036214-ubuntu-2004-amd64-vmi-k8s-v1.26.5',
      powerState: 'PoweredOn',
      storageClass: 'vsan-default-storage-policy',
    },
    status: {
      powerState: 'PoweredOn',
      network: { primaryIP4: ip },
      conditions: [{ type: 'VirtualMachinePrereqReady', status: 'True' }],
    },
  };
}

/**
 * A worker joins `cluster` (the lab's add-node): its VirtualMachine on the Supervisor and its
 * Node in the cluster's emulator, where the DaemonSet controller schedules onto it.
 */
export function addClusterNode(lab: SupervisorLab, cluster: string, node: NodeSpec): string {
  const c = lab.clusters.find((x) => x.name === cluster);
  const tkc = lab.tkcs.get(cluster);
  if (!c || !tkc) throw new Error(`no cluster ${cluster}`);
  const vm = `${c.name}-workers-${suffix()}-${suffix()}`;
  lab.supervisor.seed(vmObject(c, vm, node.ip, 'node'));
  tkc.addNode(node);
  return vm;
}

/** The worker leaves: its Node (and so its pods) and its VirtualMachine go. */
export function removeClusterNode(lab: SupervisorLab, cluster: string, node: NodeSpec): void {
  const c = lab.clusters.find((x) => x.name === cluster);
  const tkc = lab.tkcs.get(cluster);
  if (!c || !tkc) throw new Error(`no cluster ${cluster}`);
  tkc.removeNode(node.name);
  const vmType = lab.supervisor.type('virtualmachines', 'vmoperator.vmware.com');
  for (const vm of lab.supervisor.store.list(vmType, c.namespace))
    if (vm.status?.network?.primaryIP4 === node.ip || vm.status?.vmIp === node.ip)
      lab.supervisor.store.remove(vmType, c.namespace, vm.metadata.name);
}

function seedCluster(
  s: ApiServer,
  c: ClusterSpec,
  key: { privatePem: string; publicOpenSsh: string },
): Array<{ name: string; ip: string; role: Role }> {
  const ns = c.namespace;
  if (c.api === 'cluster' || c.api === 'cluster-v1beta2') {
    s.seed(capiCluster(c));
  } else {
    s.seed({
      apiVersion: 'run.tanzu.vmware.com/v1alpha3',
      kind: 'TanzuKubernetesCluster',
      metadata: { name: c.name, namespace: ns },
      spec: {
        topology: {
          controlPlane: {
            replicas: c.controlPlaneIps.length,
            vmClass: 'best-effort-small',
            storageClass: 'vsan-default-storage-policy',
            tkr: { reference: { name: 'v1.26.5---vmware.2-fips.1-tkg.1' } },
          },
          nodePools: [
            {
              name: 'workers',
              replicas: c.workerIps.length,
              vmClass: 'best-effort-small',
              storageClass: 'vsan-default-storage-policy',
            },
          ],
        },
      },
      status: {
        phase: 'running',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
        ],
      },
    });
  }
  s.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${c.name}-ssh`, namespace: ns },
    type: 'kubernetes.io/ssh-auth',
    data: { 'ssh-privatekey': b64(key.privatePem) },
  });
  s.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${c.name}-ssh-password`, namespace: ns },
    type: 'Opaque',
    data: { 'ssh-passwordkey': b64(crypto.randomBytes(16).toString('base64')) },
  });
  const vms: Array<{ name: string; ip: string; role: Role }> = [
    ...c.controlPlaneIps.map((ip) => ({
      name: `${c.name}-control-plane-${suffix()}`,
      ip,
      role: 'controlplane' as const,
    })),
    ...c.workerIps.map((ip) => ({ name: `${c.name}-workers-${suffix()}-${suffix()}`, ip, role: 'node' as const })),
  ];
  for (const v of vms) s.seed(vmObject(c, v.name, v.ip, v.role));
  return vms;
}

/** A CA and a Harbor certificate signed by it, for `harborService: true`. */
function harborPems(harbor: string): { caPem: string; certPem: string } {
  const ca = makeCa('Harbor CA', 'VMware');
  const host = harbor.replace(/:\d+$/, '');
  const ip = /^[\d.]+$/.test(host);
  return {
    caPem: ca.certPem,
    certPem: makeCert({ cn: 'harbor', issuer: ca, ...(ip ? { ips: [host] } : { dns: [host] }) }).certPem,
  };
}
