// A cluster's nodes as the Supervisor knows them: the VM Operator's VirtualMachines in
// the cluster's vSphere Namespace, found by any of the label families TKG has used, with
// the role and IP each carries. (Named after the resource it reads, as serviceaccounts.ts.)
import { CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { customPath } from './wire.js';
import { isNotFound } from './write.js';

export type Role = 'controlplane' | 'node';

export interface Node {
  name: string;
  role: Role | 'unknown';
  /** Undefined when the VM has no IP yet: reported, never skipped silently. */
  ip: string | undefined;
}

const GROUP = 'vmoperator.vmware.com';
/** Newest first: v1alpha1 is tried only when the server does not serve v1alpha2. */
const VERSIONS = ['v1alpha2', 'v1alpha1'];
const CLUSTER_LABELS = [
  'capw.vmware.com/cluster.name',
  'capv.vmware.com/cluster.name',
  'cluster.x-k8s.io/cluster-name',
];
const ROLE_LABELS = ['capw.vmware.com/cluster.role', 'capv.vmware.com/cluster.role'];

export type Vm = {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { vmIp?: string; network?: { primaryIP4?: string } };
};

/** What a VirtualMachine says about its node. */
export function vmNode(vm: Vm): Node {
  const labels = vm.metadata?.labels ?? {};
  const role = ROLE_LABELS.map((l) => labels[l]).find(Boolean);
  return {
    name: vm.metadata?.name ?? '',
    role: role === 'controlplane' || role === 'node' ? role : 'unknown',
    ip: vm.status?.network?.primaryIP4 || vm.status?.vmIp || undefined,
  };
}

/** Control plane first, then by name. */
export const byRoleThenName = (a: Node, b: Node): number =>
  a.role === b.role
    ? a.name.localeCompare(b.name)
    : a.role === 'controlplane'
      ? -1
      : b.role === 'controlplane'
        ? 1
        : a.role.localeCompare(b.role);

async function listVms(client: KubeClient, namespace: string, cluster: string, version: string): Promise<Vm[]> {
  const path = customPath({ group: GROUP, version, plural: 'virtualmachines', namespace });
  const seen = new Map<string, Vm>();
  for (const label of CLUSTER_LABELS) {
    const r = await client.rest<{ items: Vm[] }>('GET', path, { query: { labelSelector: `${label}=${cluster}` } });
    for (const vm of r.items) seen.set(vm.metadata?.name ?? '', vm);
  }
  return [...seen.values()];
}

/** The cluster's nodes, control plane first; a cluster with none is an error that says what to check. */
export async function clusterNodes(client: KubeClient, namespace: string, cluster: string): Promise<Node[]> {
  let vms: Vm[] = [];
  for (const version of VERSIONS) {
    try {
      vms = await client.call(`listing the VirtualMachines of cluster ${cluster} in namespace "${namespace}"`, () =>
        listVms(client, namespace, cluster, version),
      );
      break;
    } catch (e) {
      if (!isNotFound(e) || version === VERSIONS[VERSIONS.length - 1]) throw e;
    }
  }
  const nodes = vms.map(vmNode);
  if (nodes.length === 0)
    throw new CliError(
      'NO_NODES',
      `no VirtualMachines of cluster "${cluster}" in namespace "${namespace}"; is the name right, and is this its vSphere Namespace?`,
    );
  return nodes.sort(byRoleThenName);
}
