// Binding pull secrets to ServiceAccounts without losing any. `imagePullSecrets` has no
// merge key, so a strategic or merge patch would replace the whole list (kubernetes#72475)
// and drop, for example, the Supervisor's <ns>-default-image-pull-secret. Instead: read,
// append only what is missing (keeping order and every existing entry), PUT with the
// resourceVersion read, retry on 409. Nothing to add means nothing written.
import { CoreV1Api, type V1ServiceAccount } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { FIELD_MANAGER, managedLabels } from './labels.js';
import { getOptional, serverDryRun, update } from './write.js';

export interface BindOptions {
  unbind?: boolean;
  create?: boolean;
  dryRun?: DryRun;
}

export type BindAction = 'bound' | 'unbound' | 'unchanged' | 'created';

/** The list after binding (or unbinding) `secrets`; undefined when nothing changes. */
export function bindList(
  current: Array<{ name?: string }> | undefined,
  secrets: string[],
  unbind: boolean,
): Array<{ name: string }> | undefined {
  const list = (current ?? []).map((e) => ({ ...e })) as Array<{ name: string }>;
  if (unbind) {
    const kept = list.filter((e) => !secrets.includes(e.name));
    return kept.length === list.length ? undefined : kept;
  }
  const have = new Set(list.map((e) => e.name));
  const add = [...new Set(secrets)].filter((s) => !have.has(s));
  return add.length === 0 ? undefined : [...list, ...add.map((name) => ({ name }))];
}

export async function bindServiceAccount(
  client: KubeClient,
  namespace: string,
  name: string,
  secrets: string[],
  o: BindOptions = {},
): Promise<{ sa: V1ServiceAccount; action: BindAction }> {
  const core = client.api(CoreV1Api);
  const where = `serviceaccount/${name} in namespace "${namespace}"`;
  const read = (): Promise<V1ServiceAccount> => core.readNamespacedServiceAccount({ name, namespace });
  const current = await getOptional(client, `reading ${where}`, read);
  if (!current) {
    if (o.unbind) return { sa: { metadata: { name, namespace } }, action: 'unchanged' };
    if (!o.create) throw new CliError('SA_NOT_FOUND', `${where} does not exist; pass --create to create it`);
    const fresh: V1ServiceAccount = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace, labels: managedLabels() },
      imagePullSecrets: [...new Set(secrets)].map((s) => ({ name: s })),
    };
    if (o.dryRun === 'client') return { sa: fresh, action: 'created' };
    const sa = await client.call(`creating ${where}`, () =>
      core.createNamespacedServiceAccount({
        namespace,
        body: fresh,
        dryRun: serverDryRun(o.dryRun),
        fieldManager: FIELD_MANAGER,
      }),
    );
    return { sa, action: 'created' };
  }
  const r = await update(client, {
    doing: `updating ${where}`,
    initial: current,
    read,
    modify: (sa) => {
      const list = bindList(sa.imagePullSecrets, secrets, Boolean(o.unbind));
      return list ? { ...sa, imagePullSecrets: list } : undefined;
    },
    write: (next, dryRun) =>
      core.replaceNamespacedServiceAccount({ name, namespace, body: next, dryRun, fieldManager: FIELD_MANAGER }),
    dryRun: o.dryRun,
  });
  return { sa: r.object, action: r.changed ? (o.unbind ? 'unbound' : 'bound') : 'unchanged' };
}
