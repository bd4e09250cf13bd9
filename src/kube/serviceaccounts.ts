// Binding pull secrets to ServiceAccounts without losing any. `imagePullSecrets` has no
// merge key, so a strategic or merge patch would replace the whole list (kubernetes#72475)
// and drop, for example, the Supervisor's <ns>-default-image-pull-secret. Instead: read,
// append only what is missing (keeping order and every existing entry), PUT with the
// resourceVersion read, retry on 409. Nothing to add means nothing written.
import type { V1ServiceAccount, V1ServiceAccountList } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { FIELD_MANAGER, managedLabels } from './labels.js';
import { corePath, typedServiceAccount } from './wire.js';
import { getOptional, serverDryRun, update } from './write.js';

export interface BindOptions {
  unbind?: boolean;
  create?: boolean;
  dryRun?: DryRun;
  /** The ServiceAccount as a list just read it: no GET of its own (a stale one gets 409, then a fresh read). */
  current?: V1ServiceAccount | undefined;
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
  const where = `serviceaccount/${name} in namespace "${namespace}"`;
  // Plain JSON (KubeClient.rest): bind-sa -A makes three requests per namespace, and the typed
  // client's serializer doubled the CPU of each.
  const base = corePath(namespace, 'serviceaccounts');
  const path = corePath(namespace, 'serviceaccounts', name);
  const read = (): Promise<V1ServiceAccount> => client.rest('GET', path);
  const current = o.current ?? (await getOptional(client, `reading ${where}`, read));
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
      client.rest<V1ServiceAccount>('POST', base, {
        body: fresh,
        query: { dryRun: serverDryRun(o.dryRun), fieldManager: FIELD_MANAGER },
      }),
    );
    return { sa: typedServiceAccount(sa), action: 'created' };
  }
  const r = await update(client, {
    doing: `updating ${where}`,
    initial: current,
    read,
    modify: (sa) => {
      const list = bindList(sa.imagePullSecrets, secrets, Boolean(o.unbind));
      return list ? { ...sa, imagePullSecrets: list } : undefined;
    },
    write: (next, dryRun) => client.rest('PUT', path, { body: next, query: { dryRun, fieldManager: FIELD_MANAGER } }),
    dryRun: o.dryRun,
  });
  return { sa: typedServiceAccount(r.object), action: r.changed ? (o.unbind ? 'unbound' : 'bound') : 'unchanged' };
}

/** The names of the ServiceAccounts in `namespace`. */
export async function serviceAccountNames(client: KubeClient, namespace: string): Promise<string[]> {
  const list = await client.call(`listing serviceaccounts in namespace "${namespace}"`, () =>
    client.rest<V1ServiceAccountList>('GET', corePath(namespace, 'serviceaccounts')),
  );
  return list.items.map((x) => x.metadata!.name!);
}

/**
 * Every ServiceAccount named `name`, in every namespace, in one paged list: for bind-sa -A,
 * one request instead of a GET per namespace. Keyed by namespace. Undefined when the list
 * cannot be had (a user who may not list ServiceAccounts cluster-wide): the caller reads each
 * one instead, as before.
 */
export async function serviceAccountsEverywhere(
  client: KubeClient,
  name: string,
  log: (line: string) => void,
): Promise<Map<string, V1ServiceAccount> | undefined> {
  const found = new Map<string, V1ServiceAccount>();
  let cont: string | undefined;
  try {
    do {
      // As the server sends it: `continue`, which the typed model calls `_continue`.
      const page = await client.rest<{ items: V1ServiceAccount[]; metadata?: { continue?: string } }>(
        'GET',
        '/api/v1/serviceaccounts',
        {
          query: { fieldSelector: `metadata.name=${name}`, limit: '500', continue: cont },
        },
      );
      for (const sa of page.items) if (sa.metadata?.namespace) found.set(sa.metadata.namespace, sa);
      cont = page.metadata?.continue || undefined;
    } while (cont);
  } catch (e) {
    log(
      `listing serviceaccount/${name} in every namespace: ${e instanceof Error ? e.message.split('\n')[0] : e}; reading each instead`,
    );
    return undefined;
  }
  return found;
}
