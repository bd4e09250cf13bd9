// A cluster's nodes as the Supervisor knows them: its VirtualMachines in the namespace,
// found by any of the label families TKG has used, with the role and IP each carries.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';

export interface Node {
  name: string;
  role: 'controlplane' | 'node' | 'unknown';
  /** Undefined when the VM has no IP yet: reported, never skipped silently. */
  ip: string | undefined;
}

const CLUSTER_LABELS = ['capw.vmware.com/cluster.name', 'capv.vmware.com/cluster.name', 'cluster.x-k8s.io/cluster-name'];
const ROLE_LABELS = ['capw.vmware.com/cluster.role', 'capv.vmware.com/cluster.role'];

type Vm = { metadata?: { name?: string; labels?: Record<string, string> }; status?: { vmIp?: string; network?: { primaryIP4?: string } } };

export async function clusterNodes(client: KubeClient, namespace: string, cluster: string): Promise<Node[]> {
  const custom = client.api(CustomObjectsApi);
  const list = async (version: string): Promise<Vm[]> => {
    const seen = new Map<string, Vm>();
    for (const label of CLUSTER_LABELS) {
      const r = (await custom.listNamespacedCustomObject({ group: 'vmoperator.vmware.com', version, namespace, plural: 'virtualmachines', labelSelector: `${label}=${cluster}` })) as { items: Vm[] };
      for (const vm of r.items) seen.set(vm.metadata?.name ?? '', vm);
    }
    return [...seen.values()];
  };
  let vms: Vm[] | undefined;
  for (const version of ['v1alpha2', 'v1alpha1']) {
    try {
      vms = await client.call(`listing the VirtualMachines of cluster ${cluster} in namespace "${namespace}"`, () => list(version));
      break;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404 && version === 'v1alpha2')) throw e;
    }
  }
  const nodes = (vms ?? []).map((vm): Node => {
    const labels = vm.metadata?.labels ?? {};
    const role = ROLE_LABELS.map((l) => labels[l]).find(Boolean);
    return {
      name: vm.metadata?.name ?? '',
      role: role === 'controlplane' || role === 'node' ? role : 'unknown',
      ip: vm.status?.network?.primaryIP4 || vm.status?.vmIp || undefined,
    };
  });
  if (nodes.length === 0) throw new CliError('NO_NODES', `no VirtualMachines of cluster "${cluster}" in namespace "${namespace}"; is the name right, and is this its vSphere Namespace?`);
  return nodes.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'controlplane' ? -1 : 1));
}

/** NODE as the user names it: a VM name, a unique prefix, or an IP. */
export function pickNode(nodes: Node[], want: string): Node {
  const exact = nodes.find((n) => n.name === want || n.ip === want);
  if (exact) return exact;
  const prefixed = nodes.filter((n) => n.name.startsWith(want));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new CliError('AMBIGUOUS_NODE', `"${want}" matches ${prefixed.length} nodes (${prefixed.map((n) => n.name).join(', ')}); give more of the name`);
  throw new CliError('NO_NODE', `no node "${want}"; nodes are ${nodes.map((n) => `${n.name} (${n.ip ?? 'no IP'})`).join(', ')}`);
}
