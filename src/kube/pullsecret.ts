// Pull secrets (`kubernetes.io/dockerconfigjson`), written so that nothing is lost: an
// existing secret keeps every other registry in `auths` and every other key; a secret
// kubectl-harbor did not create is left alone unless the user says --overwrite; a run
// that changes nothing writes nothing. Writes are PUTs with the resourceVersion read,
// retried on 409.
import { CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { FIELD_MANAGER, readModifyWrite } from './patch.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'kubectl-harbor';
export const DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson';

export interface AuthEntry {
  username: string;
  password: string;
  auth: string;
}

export function authEntry(username: string, password: string): AuthEntry {
  return { username, password, auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

type DockerConfig = { auths?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

export function readDockerConfig(secret: V1Secret): DockerConfig {
  const raw = secret.data?.['.dockerconfigjson'];
  if (!raw) return {};
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as DockerConfig) : {};
  } catch {
    throw new CliError('SECRET_CONTENT', `secret/${secret.metadata?.name} in namespace "${secret.metadata?.namespace}" has a .dockerconfigjson that is not JSON; not touching it`);
  }
}

const encode = (c: DockerConfig): string => Buffer.from(JSON.stringify(c)).toString('base64');

export function newPullSecret(name: string, namespace: string, host: string, entry: AuthEntry): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [MANAGED_BY]: MANAGER } },
    type: DOCKERCONFIGJSON,
    data: { '.dockerconfigjson': encode({ auths: { [host]: { ...entry } } }) },
  };
}

export type WriteAction = 'created' | 'configured' | 'unchanged';

export interface UpsertOptions {
  overwrite: boolean;
  dryRun: 'client' | 'server' | undefined;
}

const isManaged = (s: V1Secret): boolean => s.metadata?.labels?.[MANAGED_BY] === MANAGER;

function sameEntry(a: Record<string, unknown> | undefined, b: AuthEntry): boolean {
  return !!a && a.username === b.username && a.password === b.password && a.auth === b.auth && Object.keys(a).length === 3;
}

/** The secret as it should be after adding `host` to it, or undefined when it already is. */
export function mergeInto(cur: V1Secret, host: string, entry: AuthEntry, o: UpsertOptions): V1Secret | undefined {
  const where = `secret/${cur.metadata?.name} in namespace "${cur.metadata?.namespace}"`;
  if (!isManaged(cur) && !o.overwrite) throw new CliError('NOT_MANAGED', `${where} exists and was not created by kubectl-harbor; pass --overwrite to add ${host} to it`);
  if (cur.type !== DOCKERCONFIGJSON) throw new CliError('SECRET_TYPE', `${where} has type ${cur.type}, not ${DOCKERCONFIGJSON}; choose another --secret-name`);
  const cfg = readDockerConfig(cur);
  if (sameEntry(cfg.auths?.[host], entry) && isManaged(cur)) return undefined;
  const next: V1Secret = structuredClone(cur);
  next.data = { ...(cur.data ?? {}), '.dockerconfigjson': encode({ ...cfg, auths: { ...(cfg.auths ?? {}), [host]: { ...entry } } }) };
  next.metadata = { ...next.metadata, labels: { ...(next.metadata?.labels ?? {}), [MANAGED_BY]: MANAGER } };
  return next;
}

export async function upsertPullSecret(client: KubeClient, name: string, namespace: string, host: string, entry: AuthEntry, o: UpsertOptions): Promise<{ secret: V1Secret; action: WriteAction }> {
  const core = client.api(CoreV1Api);
  const where = `secret/${name} in namespace "${namespace}"`;
  const dryRun = o.dryRun === 'server' ? 'All' : undefined;
  const read = async (): Promise<V1Secret | undefined> => {
    try {
      return await core.readNamespacedSecret({ name, namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  };
  const existing = await client.call(`reading ${where}`, read);
  if (!existing) {
    const fresh = newPullSecret(name, namespace, host, entry);
    if (o.dryRun === 'client') return { secret: fresh, action: 'created' };
    try {
      const secret = await client.call(`creating ${where}`, () => core.createNamespacedSecret({ namespace, body: fresh, dryRun, fieldManager: FIELD_MANAGER }));
      return { secret, action: 'created' };
    } catch (e) {
      // Someone created it between our read and our create: merge into theirs instead.
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  if (o.dryRun === 'client') {
    const next = mergeInto(existing!, host, entry, o);
    return next ? { secret: next, action: 'configured' } : { secret: existing!, action: 'unchanged' };
  }
  let first: V1Secret | undefined = existing;
  const r = await client.call(`updating ${where}`, () =>
    readModifyWrite<V1Secret>(
      async () => {
        const f = first;
        first = undefined;
        return f ?? core.readNamespacedSecret({ name, namespace });
      },
      (cur) => mergeInto(cur, host, entry, o),
      (next) => core.replaceNamespacedSecret({ name, namespace, body: next, dryRun, fieldManager: FIELD_MANAGER }),
    ),
  );
  return { secret: r.object, action: r.changed ? 'configured' : 'unchanged' };
}

/**
 * Take `host` out of a managed secret: delete the secret when it was the only registry,
 * else remove just that entry. Foreign secrets are left alone.
 */
export async function removeFromPullSecret(client: KubeClient, name: string, namespace: string, host: string, dryRun: 'client' | 'server' | undefined): Promise<{ secret?: V1Secret; action: 'deleted' | 'configured' | 'unchanged' }> {
  const core = client.api(CoreV1Api);
  const where = `secret/${name} in namespace "${namespace}"`;
  let cur: V1Secret;
  try {
    cur = await client.call(`reading ${where}`, () => core.readNamespacedSecret({ name, namespace }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { action: 'unchanged' };
    throw e;
  }
  if (!isManaged(cur)) throw new CliError('NOT_MANAGED', `${where} was not created by kubectl-harbor; not touching it`);
  const cfg = readDockerConfig(cur);
  if (!cfg.auths?.[host]) return { secret: cur, action: 'unchanged' };
  const others = Object.keys(cfg.auths).filter((h) => h !== host);
  const serverDry = dryRun === 'server' ? 'All' : undefined;
  if (others.length === 0) {
    if (dryRun !== 'client') {
      await client.call(`deleting ${where}`, () =>
        core.deleteNamespacedSecret({ name, namespace, dryRun: serverDry, body: { preconditions: { resourceVersion: cur.metadata?.resourceVersion } } }),
      );
    }
    return { secret: cur, action: 'deleted' };
  }
  if (dryRun === 'client') return { secret: cur, action: 'configured' };
  const r = await client.call(`updating ${where}`, () =>
    readModifyWrite<V1Secret>(
      () => core.readNamespacedSecret({ name, namespace }),
      (s) => {
        const c = readDockerConfig(s);
        if (!c.auths?.[host]) return undefined;
        const { [host]: _, ...rest } = c.auths;
        return { ...s, data: { ...(s.data ?? {}), '.dockerconfigjson': encode({ ...c, auths: rest }) } };
      },
      (next) => core.replaceNamespacedSecret({ name, namespace, body: next, dryRun: serverDry, fieldManager: FIELD_MANAGER }),
    ),
  );
  return { secret: r.object, action: r.changed ? 'configured' : 'unchanged' };
}
