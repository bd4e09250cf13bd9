// Reaching the workload cluster's API for `push-ca --via daemonset`: its context from the
// kubeconfig, else the Cluster API secret `<cluster>-kubeconfig` in its vSphere Namespace
// (read through the Supervisor). Which one was used is said on stderr by the caller.
import { CliError, isUsageError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import {
  clusterContexts,
  kubeconfigSecretName,
  readKubeconfigSecret,
  targetFromKubeconfig,
} from '../kube/cluster-access.js';
import { translate } from '../translate.js';
import type { Session } from './session.js';

export interface ClusterAccess {
  client: KubeClient;
  /** `context "tkc-1"` or `secret/tkc-1-kubeconfig in namespace "dev"`. */
  via: string;
  close(): void;
}

async function fromSecret(s: Session, cluster: string, inNamespace: string | undefined): Promise<ClusterAccess> {
  const [supervisor, namespace] = await Promise.all([s.supervisor(), inNamespace ?? s.clusterNamespace()]);
  const via = `secret/${kubeconfigSecretName(cluster)} in namespace "${namespace}"`;
  const text = await readKubeconfigSecret(supervisor, namespace, cluster);
  const target = targetFromKubeconfig(text, via);
  const { KubeClient } = await import('../kube/client.js');
  const client = new KubeClient(target, { timeoutMs: s.timeoutMs, log: s.trace });
  return { client, via, close: () => client.close() };
}

/**
 * The cluster's API: a context of the kubeconfig, else its kubeconfig secret in `namespace` (the
 * vSphere Namespace the cluster was found in; default -n, else the context's); one line when neither.
 */
export async function reachCluster(s: Session, cluster: string, namespace?: string): Promise<ClusterAccess> {
  const me = await s.target();
  const prefer = me.vsphere?.login === 'vcf-cli' ? me.vsphere.supervisorContext : undefined;
  const [context] = clusterContexts(me.kc, cluster, prefer);
  if (context) return { client: await s.clientFor(context), via: `context "${context}"`, close: () => undefined };
  try {
    return await fromSecret(s, cluster, namespace);
  } catch (e) {
    if (isUsageError(e)) throw e;
    const err = translate(e, { doing: `reading the kubeconfig of cluster "${cluster}"` });
    if (!(err instanceof CliError)) throw err;
    throw new CliError(
      'NO_CLUSTER_ACCESS',
      `cannot reach the API of cluster "${cluster}": the kubeconfig has no context for it (\`kubectl vsphere login --tanzu-kubernetes-cluster-name ${cluster}\` writes one), and ${err.message}`,
    );
  }
}
