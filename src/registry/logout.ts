// `kubectl harbor logout`: take the registry out of the managed pull secret in each
// namespace (deleting it when nothing else is in it), unbind a deleted secret from the
// ServiceAccounts that list it, and forget the local docker credential if asked.
import { CoreV1Api } from '@kubernetes/client-node';
import type { CommandIo } from '../commands/base.js';
import { resolveNamespaces } from '../kube/namespaces.js';
import { removeFromPullSecret } from '../kube/pullsecret.js';
import { bindServiceAccount } from '../kube/serviceaccounts.js';
import { mapPool } from '../pool.js';
import { defaultSecretName, parseRegistry } from './endpoint.js';
import { checkDryRun, wantsDockerConfig } from '../flags.js';
import { attempt, plural, summarize } from '../output/summary.js';
import { discoverEmbeddedHarbor } from './session.js';

export interface LogoutFlags {
  registry: string | undefined;
  plainHttp: boolean;
  secretName: string | undefined;
  namespaces: string | undefined;
  all: boolean;
  includeSystem: boolean;
  dockerConfig: string | boolean | undefined;
  dryRun: string | boolean | undefined;
  parallel: number;
}

export async function logout(io: CommandIo, f: LogoutFlags): Promise<number> {
  checkDryRun(f.dryRun);
  const p = io.printer;
  const client = await io.kube();
  const registry = f.registry ? parseRegistry(f.registry, { plainHttp: f.plainHttp }) : await discoverEmbeddedHarbor(client, io.namespace ?? client.target.namespace, f.plainHttp);
  const name = f.secretName ?? defaultSecretName(registry.host);
  const namespaces = await resolveNamespaces({ namespace: io.namespace, namespaces: f.namespaces, all: f.all, includeSystem: f.includeSystem }, client);
  const results = await mapPool(namespaces, f.parallel, (namespace) =>
    attempt(p, namespace, async () => {
      const r = await removeFromPullSecret(client, name, namespace, registry.host, io.dryRun);
      p.result(r.secret ?? { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } }, r.action);
      if (r.action === 'deleted') {
        const sas = await client.call(`listing serviceaccounts in namespace "${namespace}"`, () => client.api(CoreV1Api).listNamespacedServiceAccount({ namespace }));
        for (const sa of sas.items.filter((s) => s.imagePullSecrets?.some((e) => e.name === name))) {
          const b = await bindServiceAccount(client, namespace, sa.metadata!.name!, [name], { unbind: true, dryRun: io.dryRun });
          p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
        }
      }
      return r.action;
    }),
  );
  if (wantsDockerConfig(f.dockerConfig)) {
    const { dockerConfigFile, eraseCredential } = await import('../local/dockerconfig.js');
    const file = dockerConfigFile(f.dockerConfig, io.env, io.homedir);
    if (io.dryRun) p.status(`would remove ${registry.host} from ${file} (dry run)`);
    else {
      const r = await eraseCredential(file, registry.host, io.env);
      p.status(`${file}: ${registry.host} ${r.action === 'deleted' ? 'removed' : 'was not there'}`);
    }
  }
  return summarize(p, `logout: ${plural(results.length, 'namespace')}`, results);
}
