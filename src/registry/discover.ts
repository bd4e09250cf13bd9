// Without a registry, the Harbor of a Supervisor session: the embedded Harbor of the
// vSphere Namespace (named in <ns>-default-image-pull-secret, vSphere 7 and 8), else the
// Harbor Supervisor Service (vSphere 8 / VCF 9: the DNS name of its TLS certificate).
import type { V1Secret } from '@kubernetes/client-node';
import { CliError, UsageError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { findHarborService } from '../kube/harborservice.js';
import { readDockerConfig } from '../kube/dockerconfigjson.js';
import { corePath } from '../kube/wire.js';
import { getOptional } from '../kube/write.js';
import { parseRegistry, type Registry } from './endpoint.js';

export interface FoundHarbor {
  registry: Registry;
  /** Said to the user: where it was found. */
  source: string;
}

export async function discoverHarbor(client: KubeClient, namespace: string, plainHttp: boolean): Promise<FoundHarbor> {
  const v = client.target.vsphere;
  if (!v || v.kind === 'tkc') {
    throw new UsageError(
      'give the registry (host[:port]); it can only be discovered in a Supervisor or vSphere Namespace context (`kubectl vsphere login` or `vcf context`)',
    );
  }
  const name = `${namespace}-default-image-pull-secret`;
  const s = await getOptional(
    client,
    `reading secret/${name} in namespace "${namespace}" to find the embedded Harbor`,
    () => client.rest<V1Secret>('GET', corePath(namespace, 'secrets', name)),
  );
  if (s) {
    const hosts = Object.keys(readDockerConfig(s).auths ?? {});
    if (hosts.length === 0)
      throw new CliError(
        'NO_HARBOR',
        `secret/${name} in namespace "${namespace}" names no registry; give the registry (host[:port])`,
      );
    return {
      registry: parseRegistry(hosts[0]!, { plainHttp }),
      source: `the embedded Harbor of namespace "${namespace}"`,
    };
  }
  const svc = await findHarborService(client);
  if (svc?.hosts[0]) {
    return {
      registry: parseRegistry(svc.hosts[0], { plainHttp }),
      source: `the Harbor Supervisor Service in namespace "${svc.namespace}"`,
    };
  }
  if (svc) {
    throw new CliError(
      'NO_HARBOR',
      `namespace "${namespace}" has no embedded Harbor, and the Harbor Supervisor Service in namespace "${svc.namespace}" does not show its address (${svc.unreadable ?? 'its certificate names no host'}); give the registry (host[:port])`,
    );
  }
  throw new CliError(
    'NO_HARBOR',
    `namespace "${namespace}" has no ${name} and this Supervisor runs no Harbor Supervisor Service, so there is no Harbor to discover; give the registry (host[:port])`,
  );
}
