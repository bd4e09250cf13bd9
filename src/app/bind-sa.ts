// `kubectl harbor bind-sa`: for each namespace (in a bounded pool, every one attempted),
// check the secrets exist, then bind or unbind them on each chosen ServiceAccount.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { bindServiceAccount, serviceAccountNames, serviceAccountsEverywhere } from '../kube/serviceaccounts.js';
import { corePath } from '../kube/wire.js';
import { getOptional } from '../kube/write.js';
import { plural, Report } from '../output/report.js';
import { forEach } from './each.js';
import type { Session } from './session.js';

export interface BindSaRequest {
  secrets: string[];
  /** undefined: every ServiceAccount in the namespace (--all-service-accounts). */
  serviceAccounts: string[] | undefined;
  namespaces: NamespaceSelection;
  create: boolean;
  allowMissingSecret: boolean;
  unbind: boolean;
  parallel: number;
  dryRun: DryRun;
}

async function missingSecrets(client: KubeClient, namespace: string, secrets: string[]): Promise<string[]> {
  const found = await Promise.all(
    secrets.map((name) =>
      getOptional(client, `reading secret/${name} in namespace "${namespace}"`, () =>
        client.rest<object>('GET', corePath(namespace, 'secrets', name)),
      ),
    ),
  );
  return secrets.filter((_, i) => !found[i]);
}

/**
 * With -A, each named ServiceAccount of every namespace from one paged list (by name), so each
 * namespace needs only its PUT, not a GET first. A stale copy gets 409 and is read afresh; a
 * namespace the list lacks, or a list the user may not make, is read one by one as before.
 */
async function listedEverywhere(s: Session, client: KubeClient, r: BindSaRequest) {
  const known = new Map<string, Map<string, V1ServiceAccount>>();
  if (r.namespaces.kind !== 'all' || !r.serviceAccounts) return known;
  await Promise.all(
    r.serviceAccounts.map(async (name) => {
      const found = await serviceAccountsEverywhere(client, name, (line) => s.printer.debug(line));
      if (found) known.set(name, found);
    }),
  );
  return known;
}

export async function bindSa(s: Session, r: BindSaRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const [namespaces, known] = await Promise.all([
    resolveNamespaces(r.namespaces, client),
    listedEverywhere(s, client, r),
  ]);
  const report = new Report(
    p,
    (o) => `bind-sa: ${plural(o.length, 'ServiceAccount')} in ${plural(namespaces.length, 'namespace')}`,
  );
  await forEach(s, 'bind-sa', 'namespaces', namespaces, r.parallel, async (namespace) => {
    let targets: string[] = [];
    const ok = await report.precheck(namespace, async () => {
      const check =
        r.unbind || r.allowMissingSecret ? Promise.resolve([]) : missingSecrets(client, namespace, r.secrets);
      const names = r.serviceAccounts ? Promise.resolve(r.serviceAccounts) : serviceAccountNames(client, namespace);
      const [missing, found] = await Promise.all([check, names]);
      if (missing.length) {
        throw new CliError(
          'SECRET_NOT_FOUND',
          `secret${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found in namespace "${namespace}"; log in first (kubectl harbor login), or pass --allow-missing-secret`,
        );
      }
      targets = found;
    });
    if (!ok) return;
    for (const sa of targets) {
      await report.attempt(namespace, async () => {
        const b = await bindServiceAccount(client, namespace, sa, r.secrets, {
          unbind: r.unbind,
          create: r.create,
          dryRun: r.dryRun,
          current: known.get(sa)?.get(namespace),
        });
        p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
        return b.action;
      });
    }
  });
  return report.exitCode();
}
