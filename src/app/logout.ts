// `kubectl harbor logout`: take the registry out of the managed pull secret in each
// namespace (deleting it when nothing else is in it), unbind a deleted secret from the
// ServiceAccounts that list it, and forget the local docker credential if asked.
import type { V1ServiceAccountList } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { removeFromPullSecret } from '../kube/pullsecret.js';
import { bindServiceAccount } from '../kube/serviceaccounts.js';
import { corePath, type Wire } from '../kube/wire.js';
import { plural, Report } from '../output/report.js';
import { forEach } from './each.js';
import { discoverHarbor } from '../registry/discover.js';
import { defaultSecretName, type Registry } from '../registry/endpoint.js';
import type { Session } from './session.js';

export interface LogoutRequest {
  registry: Registry | undefined;
  plainHttp: boolean;
  secretName: string | undefined;
  namespaces: NamespaceSelection;
  dockerConfig: string | true | undefined;
  parallel: number;
  dryRun: DryRun;
}

export async function logout(s: Session, r: LogoutRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const found = r.registry ? undefined : await discoverHarbor(client, client.target.namespace, r.plainHttp);
  const registry = r.registry ?? found!.registry;
  const name = r.secretName ?? defaultSecretName(registry.host);
  const dc = r.dockerConfig;
  const docker =
    dc === undefined
      ? undefined
      : await import('../local/dockerconfig.js').then((m) => ({
          ...m,
          file: m.dockerConfigFile(dc, s.env, s.homedir),
        }));
  // Every local precondition before the first cluster write: nothing is left half-done.
  if (docker && !r.dryRun) docker.checkDockerConfig(docker.file, registry.host, s.env, { erase: true });
  const namespaces = await resolveNamespaces(r.namespaces, client);
  const report = new Report(p, () => `logout: ${plural(namespaces.length, 'namespace')}`);
  await forEach(s, 'logout', 'namespaces', namespaces, r.parallel, (namespace) =>
    report.attempt(namespace, async () => {
      const out = await removeFromPullSecret(client, name, namespace, registry.host, r.dryRun);
      p.result(out.secret ?? { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } }, out.action);
      if (out.action === 'deleted') {
        const sas = await client.call(`listing serviceaccounts in namespace "${namespace}"`, () =>
          client.rest<Wire<V1ServiceAccountList>>('GET', corePath(namespace, 'serviceaccounts')),
        );
        for (const sa of sas.items.filter((x) => x.imagePullSecrets?.some((e) => e.name === name))) {
          const b = await bindServiceAccount(client, namespace, sa.metadata!.name!, [name], {
            unbind: true,
            dryRun: r.dryRun,
          });
          p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
        }
      }
      return out.action;
    }),
  );
  if (docker) {
    const { file, eraseCredential } = docker;
    if (r.dryRun) p.status(`would remove ${registry.host} from ${file} (dry run)`);
    else {
      const d = await eraseCredential(file, registry.host, s.env);
      p.status(`${file}: ${registry.host} ${d.action === 'deleted' ? 'removed' : 'was not there'}`);
    }
  }
  return report.exitCode();
}
