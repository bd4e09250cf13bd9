// `kubectl harbor bind-sa`: for each namespace (in a bounded pool, every one attempted),
// check the secrets exist, then bind or unbind them on each chosen ServiceAccount.
import { CoreV1Api } from '@kubernetes/client-node';
import type { CommandIo } from '../commands/base.js';
import { ApiError, CliError, UsageError } from '../errors.js';
import { mapPool } from '../pool.js';
import { checkDryRun } from '../flags.js';
import { attempt, plural, summarize, type Outcome } from '../output/summary.js';
import type { KubeClient } from './client.js';
import { resolveNamespaces } from './namespaces.js';
import { bindServiceAccount } from './serviceaccounts.js';

export interface BindFlags {
  args: string[];
  secrets: string[];
  allServiceAccounts: boolean;
  namespaces: string | undefined;
  all: boolean;
  includeSystem: boolean;
  create: boolean;
  allowMissingSecret: boolean;
  unbind: boolean;
  dryRun: string | boolean | undefined;
  parallel: number;
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function splitArgs(f: Pick<BindFlags, 'args' | 'secrets' | 'allServiceAccounts'>): { secrets: string[]; serviceAccounts: string[] } {
  const secrets = f.secrets.length ? f.secrets : f.args.slice(0, 1);
  const serviceAccounts = f.secrets.length ? f.args : f.args.slice(1);
  if (secrets.length === 0) throw new UsageError('name the secret to bind: bind-sa SECRET [SA...], or --secret NAME');
  if (f.allServiceAccounts && serviceAccounts.length) throw new UsageError('use either ServiceAccount names or --all-service-accounts, not both');
  for (const n of [...secrets, ...serviceAccounts]) if (!NAME.test(n) || n.length > 253) throw new UsageError(`"${n}" is not a valid Kubernetes name`);
  return { secrets: [...new Set(secrets)], serviceAccounts: serviceAccounts.length ? [...new Set(serviceAccounts)] : ['default'] };
}

async function missingSecrets(client: KubeClient, namespace: string, secrets: string[]): Promise<string[]> {
  const core = client.api(CoreV1Api);
  const found = await Promise.all(
    secrets.map(async (name) => {
      try {
        await client.call(`reading secret/${name} in namespace "${namespace}"`, () => core.readNamespacedSecret({ name, namespace }));
        return undefined;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return name;
        throw e;
      }
    }),
  );
  return found.filter((x): x is string => x !== undefined);
}


export async function bindSa(io: CommandIo, f: BindFlags): Promise<number> {
  checkDryRun(f.dryRun);
  const { secrets, serviceAccounts } = splitArgs(f);
  if (f.unbind && f.create) throw new UsageError('--create makes no sense with --unbind');
  const p = io.printer;
  const client = await io.kube();
  const namespaces = await resolveNamespaces({ namespace: io.namespace, namespaces: f.namespaces, all: f.all, includeSystem: f.includeSystem }, client);
  const perNamespace = await mapPool(namespaces, f.parallel, async (namespace): Promise<Outcome[]> => {
    let targets: string[] = [];
    const checked = await attempt(p, namespace, async () => {
      const check = f.unbind || f.allowMissingSecret ? Promise.resolve([]) : missingSecrets(client, namespace, secrets);
      const names = f.allServiceAccounts
        ? client
            .call(`listing serviceaccounts in namespace "${namespace}"`, () => client.api(CoreV1Api).listNamespacedServiceAccount({ namespace }))
            .then((l) => l.items.map((s) => s.metadata!.name!))
        : Promise.resolve(serviceAccounts);
      const [missing, found] = await Promise.all([check, names]);
      if (missing.length) {
        throw new CliError('SECRET_NOT_FOUND', `secret${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in namespace "${namespace}"; log in first (kubectl harbor login), or pass --allow-missing-secret`);
      }
      targets = found;
      return 'checked';
    });
    if (checked.error) return [checked];
    const out: Outcome[] = [];
    for (const sa of targets) {
      out.push(
        await attempt(p, namespace, async () => {
          const r = await bindServiceAccount(client, namespace, sa, secrets, { unbind: f.unbind, create: f.create, dryRun: io.dryRun });
          p.result({ ...r.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, r.action);
          return r.action;
        }),
      );
    }
    return out;
  });
  const results = perNamespace.flat();
  return summarize(p, `bind-sa: ${plural(results.length, 'ServiceAccount')} in ${plural(namespaces.length, 'namespace')}`, results);
}
