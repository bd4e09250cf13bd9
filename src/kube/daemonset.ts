// The DaemonSets `push-ca --via daemonset` runs in a cluster's kube-system: applied by
// create, or read-modify-write through write.ts (a DaemonSet kubectl-harbor did not make is
// never touched), with the API server's warnings kept (PodSecurity answers a workload it
// would refuse pods of with a `299` warning); their pods, pod logs and events, read back.
import type { CoreV1Event, CoreV1EventList, V1DaemonSet, V1PodList, V1Pod } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { corePath, customPath, eventTime } from './wire.js';
import { FIELD_MANAGER, isManaged } from './labels.js';
import { getOptional, isNotFound, update } from './write.js';

export const SYSTEM_NAMESPACE = 'kube-system';

/** The texts of `Warning: 299 - "..."` headers. */
export function warningsOf(headers: Record<string, string> | undefined): string[] {
  const raw = Object.entries(headers ?? {})
    .filter(([k]) => k.toLowerCase() === 'warning')
    .map(([, v]) => v)
    .join(', ');
  return [...raw.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

export interface Applied {
  object: V1DaemonSet;
  action: 'created' | 'configured' | 'unchanged';
  warnings: string[];
}

/** The DaemonSets of kube-system, or one of them. */
const dsPath = (name?: string): string =>
  customPath({ group: 'apps', version: 'v1', plural: 'daemonsets', namespace: SYSTEM_NAMESPACE, name });

const where = (name: string): string => `daemonset/${name} in namespace "${SYSTEM_NAMESPACE}"`;

/** The desired fields only: what `apply` compares, so an equal spec writes nothing. */
const desired = (d: V1DaemonSet): string =>
  JSON.stringify([d.metadata?.labels, d.metadata?.annotations, d.spec?.template, d.spec?.updateStrategy]);

/** Create the DaemonSet, or update ours in place; another owner's object of that name is an error. */
export async function applyDaemonSet(client: KubeClient, ds: V1DaemonSet): Promise<Applied> {
  const name = ds.metadata!.name!;
  const query = { fieldManager: FIELD_MANAGER };
  const read = () => client.rest<V1DaemonSet>('GET', dsPath(name));
  const current = await getOptional(client, `reading ${where(name)}`, read);
  let info: { data: V1DaemonSet; headers: Record<string, string> } | undefined;
  if (!current) {
    info = await client.call(`creating ${where(name)}`, () =>
      client.restInfo<V1DaemonSet>('POST', dsPath(), { body: ds, query }),
    );
    return { object: info.data, action: 'created', warnings: warningsOf(info.headers) };
  }
  if (!isManaged(current))
    throw new CliError(
      'NOT_OURS',
      `${where(name)} exists and is not managed by kubectl-harbor (no app.kubernetes.io/managed-by=kubectl-harbor label); rename or remove it first`,
    );
  const r = await update(client, {
    doing: `updating ${where(name)}`,
    initial: current,
    read,
    modify: (cur) => {
      if (desired(cur) === desired(ds)) return undefined;
      return {
        ...cur,
        metadata: { ...cur.metadata, labels: ds.metadata?.labels, annotations: ds.metadata?.annotations },
        spec: ds.spec,
      };
    },
    write: async (body) => {
      info = await client.restInfo<V1DaemonSet>('PUT', dsPath(name), { body, query });
      return info.data;
    },
    dryRun: undefined,
  });
  return { object: r.object, action: r.changed ? 'configured' : 'unchanged', warnings: warningsOf(info?.headers) };
}

/** Delete a DaemonSet of ours (its pods go with it); false when there was none. */
export async function deleteDaemonSet(client: KubeClient, name: string): Promise<boolean> {
  const current = await getOptional(client, `reading ${where(name)}`, () =>
    client.rest<V1DaemonSet>('GET', dsPath(name)),
  );
  if (!current) return false;
  if (!isManaged(current))
    throw new CliError('NOT_OURS', `${where(name)} is not managed by kubectl-harbor; it was left alone`);
  try {
    await client.call(`deleting ${where(name)}`, () =>
      client.rest('DELETE', dsPath(name), { query: { propagationPolicy: 'Background' } }),
    );
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  return true;
}

/** The DaemonSet as it is now, or undefined. */
export function readDaemonSet(client: KubeClient, name: string): Promise<V1DaemonSet | undefined> {
  return getOptional(client, `reading ${where(name)}`, () => client.rest<V1DaemonSet>('GET', dsPath(name)));
}

/** The pods a label selector picks in kube-system. */
export async function listPods(client: KubeClient, labelSelector: string): Promise<V1Pod[]> {
  const list = await client.call(`listing pods (${labelSelector}) in namespace "${SYSTEM_NAMESPACE}"`, () =>
    client.rest<V1PodList>('GET', corePath(SYSTEM_NAMESPACE, 'pods'), { query: { labelSelector } }),
  );
  return list.items;
}

/** The end of a pod's log (at most 64 KiB); '' when there is none yet. */
export async function podLog(client: KubeClient, pod: string): Promise<string> {
  try {
    return await client.call(`reading the log of pod/${pod}`, () =>
      client.restText('GET', `${corePath(SYSTEM_NAMESPACE, 'pods', pod)}/log`, { query: { limitBytes: '65536' } }),
    );
  } catch (e) {
    // A container that has not started has no log yet (400 or 404 depending on the server).
    if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return '';
    throw e;
  }
}

/** Events about one object of kube-system, oldest first. */
export async function eventsFor(client: KubeClient, kind: string, name: string): Promise<CoreV1Event[]> {
  const list = await client.call(`reading the events of ${kind.toLowerCase()}/${name}`, () =>
    client.rest<CoreV1EventList>('GET', corePath(SYSTEM_NAMESPACE, 'events'), {
      query: { fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` },
    }),
  );
  return list.items.sort((a, b) => eventTime(a) - eventTime(b));
}
