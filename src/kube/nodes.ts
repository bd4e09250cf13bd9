// A cluster's nodes as its own API server knows them (core v1 Node): name, role (the
// control-plane label), InternalIP, and the images its container runtime holds
// (status.images), which is how `push-ca --via daemonset` picks an image no node has to pull.
import type { V1Node, V1NodeList } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';

export interface ClusterNode {
  name: string;
  role: 'controlplane' | 'node';
  ip: string | undefined;
  /** Every name of every image the node holds (tags and digests). */
  images: string[];
}

export const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** What a Node object says about itself. */
export function clusterNode(n: V1Node): ClusterNode {
  const labels = n.metadata?.labels ?? {};
  return {
    name: n.metadata?.name ?? '',
    role: CONTROL_PLANE_LABELS.some((l) => l in labels) ? 'controlplane' : 'node',
    ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    images: (n.status?.images ?? []).flatMap((i) => i.names ?? []),
  };
}

/** Every node of the cluster, by name. */
export async function listClusterNodes(client: KubeClient): Promise<ClusterNode[]> {
  const list = await client.call('listing nodes', () => client.rest<V1NodeList>('GET', '/api/v1/nodes'));
  return list.items.map(clusterNode).sort((a, b) => a.name.localeCompare(b.name));
}
