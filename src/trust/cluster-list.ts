// The clusters of a vSphere Namespace: every TanzuKubernetesCluster (run.tanzu.vmware.com)
// and every cluster.x-k8s.io Cluster, each listed at the newest version the server serves
// (a list at any served version returns every object, converted). A TKC is backed by a
// Cluster of the same name in the same namespace: that name counts once.
import type { KubeClient } from '../kube/client.js';
import { customPath } from '../kube/wire.js';
import { getOptional } from '../kube/write.js';
import { CAPI_GROUP, CAPI_VERSIONS } from './capi.js';
import { TANZU_GROUP, type Obj } from './served.js';
import { TKC } from './tkc.js';

/** The names of one kind at the newest version served; [] when no version of it is served (404 throughout). */
async function namesOf(
  client: KubeClient,
  doing: string,
  kind: { group: string; versions: readonly string[]; plural: string },
  namespace: string,
): Promise<string[]> {
  for (const version of kind.versions) {
    const list = await getOptional(client, doing, () =>
      client.rest<{ items?: Obj[] }>('GET', customPath({ group: kind.group, version, namespace, plural: kind.plural })),
    );
    if (list) return (list.items ?? []).map((o) => String(o.metadata?.name ?? '')).filter(Boolean);
  }
  return [];
}

/** Every TanzuKubernetesCluster and Cluster in `namespace`, by name, once each, sorted. */
export async function listClusters(client: KubeClient, namespace: string): Promise<string[]> {
  const [tkcs, clusters] = await Promise.all([
    namesOf(
      client,
      `listing the TanzuKubernetesClusters in namespace "${namespace}"`,
      { group: TANZU_GROUP, versions: TKC.versions, plural: TKC.plural },
      namespace,
    ),
    namesOf(
      client,
      `listing the Clusters (${CAPI_GROUP}) in namespace "${namespace}"`,
      { group: CAPI_GROUP, versions: CAPI_VERSIONS, plural: 'clusters' },
      namespace,
    ),
  ]);
  return [...new Set([...tkcs, ...clusters])].sort();
}
