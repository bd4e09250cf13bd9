// Without a registry, a `kubectl vsphere login` namespace context names its embedded
// Harbor in <ns>-default-image-pull-secret.
import { CoreV1Api } from '@kubernetes/client-node';
import { CliError, UsageError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { readDockerConfig } from '../kube/pullsecret.js';
import { getOptional } from '../kube/write.js';
import { parseRegistry, type Registry } from './endpoint.js';

/** The embedded Harbor of the vSphere Namespace `namespace`, from its default pull secret. */
export async function discoverEmbeddedHarbor(
  client: KubeClient,
  namespace: string,
  plainHttp: boolean,
): Promise<Registry> {
  const v = client.target.vsphere;
  if (!v || v.kind === 'tkc') {
    throw new UsageError(
      'give the registry (host[:port]); it can only be discovered in a `kubectl vsphere login` Supervisor or vSphere Namespace context',
    );
  }
  const name = `${namespace}-default-image-pull-secret`;
  const s = await getOptional(
    client,
    `reading secret/${name} in namespace "${namespace}" to find the embedded Harbor`,
    () => client.api(CoreV1Api).readNamespacedSecret({ name, namespace }),
  );
  if (!s)
    throw new CliError(
      'NO_HARBOR',
      `namespace "${namespace}" has no ${name}, so it has no embedded Harbor to discover; give the registry (host[:port])`,
    );
  const hosts = Object.keys(readDockerConfig(s).auths ?? {});
  if (hosts.length === 0)
    throw new CliError(
      'NO_HARBOR',
      `secret/${name} in namespace "${namespace}" names no registry; give the registry (host[:port])`,
    );
  return parseRegistry(hosts[0]!, { plainHttp });
}
