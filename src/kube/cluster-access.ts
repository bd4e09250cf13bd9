// Reaching a workload cluster's own API server from the kubeconfig of its Supervisor:
//  - a context the login tools write for it: `kubectl vsphere login
//    --tanzu-kubernetes-cluster-name C` names it `C`; the VCF CLI names it `CTX:C`;
//  - else the Cluster API secret `<cluster>-kubeconfig` in the cluster's vSphere Namespace,
//    whose key `value` holds a kubeconfig (Cluster API book, "Kubeconfig Secrets";
//    KubeconfigDataName = "value" in util/secret/consts.go; type cluster.x-k8s.io/secret).
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { CliError, ConfigError } from '../errors.js';
import type { KubeClient } from './client.js';
import type { KubeTarget } from './config.js';
import { detectVsphere } from './vsphere.js';
import { corePath } from './wire.js';
import { getOptional } from './write.js';

export const kubeconfigSecretName = (cluster: string): string => `${cluster}-kubeconfig`;
/** The key of the kubeconfig in a Cluster API kubeconfig secret. */
export const KUBECONFIG_KEY = 'value';

/**
 * The contexts that reach `cluster`, best first: one named after it (kubectl vsphere login),
 * then `CTX:<cluster>` of a VCF CLI session (`prefer` first, the chosen context's CTX).
 */
export function clusterContexts(kc: KubeConfig, cluster: string, prefer?: string): string[] {
  const names = kc.getContexts().map((c) => c.name);
  const exact = names.filter((n) => n === cluster);
  const vcf = names
    .filter((n) => n.endsWith(`:${cluster}`) && n.split(':').length === 2)
    .filter((n) => detectVsphere(kc, n)?.kind === 'tkc')
    .sort((a, b) => Number(b.split(':')[0] === prefer) - Number(a.split(':')[0] === prefer));
  return [...exact, ...vcf];
}

/** A target from a kubeconfig read out of a secret: its current context, else its only one. */
export function targetFromKubeconfig(text: string, source: string): KubeTarget {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (e) {
    throw new ConfigError(`${source} does not hold a kubeconfig: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  }
  const contexts = kc.getContexts();
  const contextName = kc.getCurrentContext() || (contexts.length === 1 ? contexts[0]!.name : '');
  const context = contextName ? kc.getContextObject(contextName) : undefined;
  const cluster = context ? kc.getCluster(context.cluster) : undefined;
  if (!context || !cluster) throw new ConfigError(`${source} holds a kubeconfig without a usable current context`);
  kc.setCurrentContext(contextName);
  return {
    kc,
    files: [],
    contextName,
    context,
    cluster,
    user: kc.getUser(context.user) ?? { name: context.user },
    namespace: 'default',
    namespaceSource: 'default',
    vsphere: undefined,
  };
}

/** The kubeconfig text of the Cluster API secret `<cluster>-kubeconfig` in `namespace`. */
export async function readKubeconfigSecret(client: KubeClient, namespace: string, cluster: string): Promise<string> {
  const name = kubeconfigSecretName(cluster);
  const where = `secret/${name} in namespace "${namespace}"`;
  const secret = await getOptional(client, `reading ${where}`, () =>
    client.rest<V1Secret>('GET', corePath(namespace, 'secrets', name)),
  );
  if (!secret) throw new CliError('NO_KUBECONFIG_SECRET', `${where} does not exist`);
  const value = secret.data?.[KUBECONFIG_KEY];
  if (!value) throw new CliError('NO_KUBECONFIG_SECRET', `${where} has no "${KUBECONFIG_KEY}" key`);
  return Buffer.from(value, 'base64').toString('utf8');
}
