// Pull secrets (`kubernetes.io/dockerconfigjson`), written so that nothing is lost: an
// existing secret keeps every other registry in `auths` and every other key; a secret
// kubectl-harbor did not create is left alone unless the user says --overwrite; a run
// that changes nothing writes nothing. Writes are PUTs with the resourceVersion read,
// retried on 409. What the secret holds is read in dockerconfigjson.ts. Reads and writes go
// as plain JSON (KubeClient.rest), as bind-sa's do: a PUT keeps fields the typed model does
// not know, and what is returned (and printed) keeps the typed client's shape (typedSecret).
import type { V1Secret, V1SecretList } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { ApiError, CliError } from '../errors.js';
import { corePath, typedSecret } from './wire.js';
import {
  ANNOTATION,
  type AuthEntry,
  DOCKERCONFIGJSON,
  type DockerConfig,
  type RobotMark,
  readDockerConfig,
  robotAnnotations,
  robotMark,
} from './dockerconfigjson.js';
import type { KubeClient } from './client.js';
import { FIELD_MANAGER, isManaged, MANAGED_BY, MANAGER, managedLabels } from './labels.js';
import { getOptional, serverDryRun, update } from './write.js';

/** The plain-JSON requests for secret `name` in `namespace`. */
function secretRest(client: KubeClient, name: string, namespace: string) {
  const base = corePath(namespace, 'secrets');
  const path = corePath(namespace, 'secrets', name);
  const query = (dryRun: 'All' | undefined) => ({ dryRun, fieldManager: FIELD_MANAGER });
  return {
    read: (): Promise<V1Secret> => client.rest('GET', path),
    create: (body: V1Secret, dryRun: 'All' | undefined): Promise<V1Secret> =>
      client.rest('POST', base, { body, query: query(dryRun) }),
    replace: (body: V1Secret, dryRun: 'All' | undefined): Promise<V1Secret> =>
      client.rest('PUT', path, { body, query: query(dryRun) }),
    remove: (resourceVersion: string | undefined, dryRun: 'All' | undefined): Promise<unknown> =>
      client.rest('DELETE', path, {
        body: { preconditions: { resourceVersion } },
        query: { dryRun },
      }),
  };
}

const encode = (c: DockerConfig): string => Buffer.from(JSON.stringify(c)).toString('base64');

/** The annotations after writing `entry` for `host`: the robot's when given, else without a robot that no longer holds it. */
function nextAnnotations(
  cur: Record<string, string> | undefined,
  host: string,
  entry: AuthEntry,
  robot: RobotMark | undefined,
): Record<string, string> | undefined {
  if (robot) return { ...(cur ?? {}), ...robotAnnotations(robot) };
  if (!cur || cur[ANNOTATION.registry] !== host || cur[ANNOTATION.robotName] === entry.username) return cur;
  const next = { ...cur };
  for (const k of Object.values(ANNOTATION)) delete next[k];
  return next;
}

export function newPullSecret(
  name: string,
  namespace: string,
  host: string,
  entry: AuthEntry,
  robot?: RobotMark,
): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: managedLabels(), ...(robot ? { annotations: robotAnnotations(robot) } : {}) },
    type: DOCKERCONFIGJSON,
    data: { '.dockerconfigjson': encode({ auths: { [host]: { ...entry } } }) },
  };
}

export type WriteAction = 'created' | 'configured' | 'unchanged';

export interface UpsertOptions {
  overwrite: boolean;
  dryRun: DryRun;
  /** The robot `entry` is for: its annotations are set. */
  robot?: RobotMark | undefined;
  /** A read of the secret already under way (readPullSecret), used instead of a GET of its own. */
  read?: Promise<V1Secret | undefined> | undefined;
}

/** The secret, or undefined where there is none: one GET, failures as every read's. */
export function readPullSecret(client: KubeClient, name: string, namespace: string): Promise<V1Secret | undefined> {
  return getOptional(
    client,
    `reading secret/${name} in namespace "${namespace}"`,
    secretRest(client, name, namespace).read,
  );
}

function sameEntry(a: Record<string, unknown> | undefined, b: AuthEntry): boolean {
  return (
    !!a && a.username === b.username && a.password === b.password && a.auth === b.auth && Object.keys(a).length === 3
  );
}

/** The secret as it should be after adding `host` to it, or undefined when it already is. */
export function mergeInto(cur: V1Secret, host: string, entry: AuthEntry, o: UpsertOptions): V1Secret | undefined {
  const where = `secret/${cur.metadata?.name} in namespace "${cur.metadata?.namespace}"`;
  if (!isManaged(cur) && !o.overwrite)
    throw new CliError(
      'NOT_MANAGED',
      `${where} exists and was not created by kubectl-harbor; pass --overwrite to add ${host} to it`,
    );
  if (cur.type !== DOCKERCONFIGJSON)
    throw new CliError(
      'SECRET_TYPE',
      `${where} has type ${cur.type}, not ${DOCKERCONFIGJSON}; choose another --secret-name`,
    );
  const cfg = readDockerConfig(cur);
  const annotations = nextAnnotations(cur.metadata?.annotations, host, entry, o.robot);
  const sameMarks = JSON.stringify(annotations ?? {}) === JSON.stringify(cur.metadata?.annotations ?? {});
  if (sameEntry(cfg.auths?.[host], entry) && isManaged(cur) && sameMarks) return undefined;
  const next: V1Secret = structuredClone(cur);
  next.data = {
    ...(cur.data ?? {}),
    '.dockerconfigjson': encode({ ...cfg, auths: { ...(cfg.auths ?? {}), [host]: { ...entry } } }),
  };
  next.metadata = { ...next.metadata, labels: { ...(next.metadata?.labels ?? {}), [MANAGED_BY]: MANAGER } };
  if (annotations) next.metadata.annotations = annotations;
  return next;
}

export async function upsertPullSecret(
  client: KubeClient,
  name: string,
  namespace: string,
  host: string,
  entry: AuthEntry,
  o: UpsertOptions,
): Promise<{ secret: V1Secret; action: WriteAction }> {
  const api = secretRest(client, name, namespace);
  const where = `secret/${name} in namespace "${namespace}"`;
  const read = api.read;
  // A read made earlier may be stale by now: a PUT from it gets 409 and reads afresh, a POST
  // AlreadyExists and merges into what is there.
  const existing = await (o.read ?? getOptional(client, `reading ${where}`, read));
  if (!existing) {
    const fresh = newPullSecret(name, namespace, host, entry, o.robot);
    if (o.dryRun === 'client') return { secret: fresh, action: 'created' };
    try {
      const secret = await client.call(`creating ${where}`, () => api.create(fresh, serverDryRun(o.dryRun)));
      return { secret: typedSecret(secret), action: 'created' };
    } catch (e) {
      // Someone created it between our read and our create: merge into theirs instead.
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  const r = await update(client, {
    doing: `updating ${where}`,
    initial: existing,
    read,
    modify: (cur) => mergeInto(cur, host, entry, o),
    write: api.replace,
    dryRun: o.dryRun,
  });
  return { secret: typedSecret(r.object), action: r.changed ? 'configured' : 'unchanged' };
}

/**
 * Take `host` out of a managed secret: delete the secret when it was the only registry,
 * else remove just that entry. Foreign secrets are left alone.
 */
export async function removeFromPullSecret(
  client: KubeClient,
  name: string,
  namespace: string,
  host: string,
  dryRun: DryRun,
): Promise<{ secret?: V1Secret; action: 'deleted' | 'configured' | 'unchanged' }> {
  const api = secretRest(client, name, namespace);
  const where = `secret/${name} in namespace "${namespace}"`;
  const read = api.read;
  const cur = await getOptional(client, `reading ${where}`, read);
  if (!cur) return { action: 'unchanged' };
  if (!isManaged(cur)) throw new CliError('NOT_MANAGED', `${where} was not created by kubectl-harbor; not touching it`);
  const cfg = readDockerConfig(cur);
  if (!cfg.auths?.[host]) return { secret: typedSecret(cur), action: 'unchanged' };
  const others = Object.keys(cfg.auths).filter((h) => h !== host);
  if (others.length === 0) {
    if (dryRun !== 'client') {
      await client.call(`deleting ${where}`, () => api.remove(cur.metadata?.resourceVersion, serverDryRun(dryRun)));
    }
    return { secret: typedSecret(cur), action: 'deleted' };
  }
  const r = await update(client, {
    doing: `updating ${where}`,
    initial: cur,
    read,
    modify: (s) => {
      const c = readDockerConfig(s);
      if (!c.auths?.[host]) return undefined;
      const { [host]: _, ...rest } = c.auths;
      const next: V1Secret = { ...s, data: { ...(s.data ?? {}), '.dockerconfigjson': encode({ ...c, auths: rest }) } };
      const a = s.metadata?.annotations;
      if (a?.[ANNOTATION.registry] === host) {
        const kept = { ...a };
        for (const k of Object.values(ANNOTATION)) delete kept[k];
        next.metadata = { ...s.metadata, annotations: kept };
      }
      return next;
    },
    write: api.replace,
    dryRun,
  });
  return { secret: typedSecret(r.object), action: r.changed ? 'configured' : 'unchanged' };
}

/** The managed pull secrets in `namespace` whose annotations name a robot (`name` given: only that one). */
export async function robotSecrets(
  client: KubeClient,
  namespace: string,
  name?: string,
): Promise<{ secret: V1Secret; robot: RobotMark }[]> {
  const list = await client.call(`listing secrets in namespace "${namespace}"`, () =>
    client.rest<V1SecretList>('GET', corePath(namespace, 'secrets'), {
      query: { labelSelector: `${MANAGED_BY}=${MANAGER}` },
    }),
  );
  return list.items
    .filter((x) => x.type === DOCKERCONFIGJSON && (name === undefined || x.metadata?.name === name))
    .flatMap((secret) => {
      const robot = robotMark(secret);
      return robot ? [{ secret, robot }] : [];
    });
}

/**
 * Write a robot's new secret into one pull secret, read-modify-write: only while the entry
 * for the robot's registry still names that robot (else an error, nothing written).
 */
export async function replaceRobotEntry(
  client: KubeClient,
  name: string,
  namespace: string,
  robot: RobotMark,
  entry: AuthEntry,
  dryRun: DryRun,
): Promise<{ secret: V1Secret; action: WriteAction }> {
  const api = secretRest(client, name, namespace);
  const where = `secret/${name} in namespace "${namespace}"`;
  const r = await update(client, {
    doing: `updating ${where}`,
    read: api.read,
    modify: (cur) => {
      const held = readDockerConfig(cur).auths?.[robot.registry]?.username;
      if (held !== robot.name)
        throw new CliError(
          'SECRET_CHANGED',
          `${where} no longer holds robot "${robot.name}" for ${robot.registry} (it holds ${held ? `"${held}"` : 'nothing'}); not touching it`,
        );
      return mergeInto(cur, robot.registry, entry, { overwrite: false, dryRun, robot });
    },
    write: api.replace,
    dryRun,
  });
  return { secret: r.object, action: r.changed ? 'configured' : 'unchanged' };
}
