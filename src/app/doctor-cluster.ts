// For a TKC context, the vSphere Namespace its cluster lives in, so that the push-ca fix
// doctor prints works from the TKC context as printed (a TKC context does not know it):
// each namespace of the kubeconfig's contexts on the Supervisor's server is asked for a
// TanzuKubernetesCluster or a Cluster of that name. Only reads; any failure means "not found".
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { customPath } from '../kube/wire.js';
import type { Session } from './session.js';

const KINDS = [
  { group: 'run.tanzu.vmware.com', version: 'v1alpha3', plural: 'tanzukubernetesclusters' },
  { group: 'cluster.x-k8s.io', version: 'v1beta1', plural: 'clusters' },
] as const;

async function exists(sup: KubeClient, namespace: string, name: string): Promise<boolean> {
  for (const k of KINDS) {
    try {
      await sup.rest('GET', customPath({ ...k, namespace, name }));
      return true;
    } catch {
      // not there, not served, or not allowed: try the next
    }
  }
  return false;
}

export async function clusterNamespaceOf(s: Session, cluster: string): Promise<string | undefined> {
  let sup: KubeClient;
  try {
    sup = await s.supervisor();
  } catch (e) {
    if (e instanceof CliError) return undefined;
    throw e;
  }
  const kc = sup.target.kc;
  const server = sup.target.cluster.server;
  const namespaces = kc.contexts
    .filter((c) => c.namespace && kc.getCluster(c.cluster)?.server === server)
    .map((c) => c.namespace as string);
  for (const ns of [...new Set([sup.target.namespace, ...namespaces])]) if (await exists(sup, ns, cluster)) return ns;
  return undefined;
}
