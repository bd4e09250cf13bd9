// The jumpbox: a pod in the Supervisor namespace that only relays TCP to a node's port 22.
// It needs no SSH client, no package install and no key; it runs as non-root with every
// capability dropped, a read-only root filesystem and no ServiceAccount token, and ends
// itself at its deadline (--ttl).
import type { CoreV1EventList, V1Pod, V1PodList } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from './client.js';
import { corePath } from './wire.js';
import { CLUSTER_LABEL, COMPONENT, FIELD_MANAGER, managedLabels, MANAGED_BY, MANAGER } from './labels.js';
import { getOptional, isNotFound } from './write.js';

export interface JumpboxOptions {
  image: string;
  pullSecrets: string[];
  ttlSeconds: number;
}

/** How long a new jumpbox may take to run, by default. */
export const JUMPBOX_READY_MS = 120_000;

export interface EnsureOptions extends JumpboxOptions {
  /** Default JUMPBOX_READY_MS. */
  timeoutMs?: number;
  progress?: (line: string) => void;
  /** A spinner while the pod is waited for (stopped before anything else is printed or thrown). */
  spin?: (text: string) => Promise<{ stop(): void }>;
  /** Stop waiting when aborted; a pod this call created is deleted. */
  signal?: AbortSignal;
}

export const jumpboxName = (cluster: string): string => `harbor-jumpbox-${cluster}`.slice(0, 63).replace(/[-.]+$/, '');

/** The cluster a jumpbox pod serves, from its label. */
export const jumpboxCluster = (pod: V1Pod): string => pod.metadata?.labels?.[CLUSTER_LABEL] ?? '';

export function jumpboxPod(namespace: string, cluster: string, o: JumpboxOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: jumpboxName(cluster),
      namespace,
      labels: managedLabels({ [COMPONENT]: 'jumpbox', [CLUSTER_LABEL]: cluster }),
    },
    spec: {
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      activeDeadlineSeconds: o.ttlSeconds,
      terminationGracePeriodSeconds: 1,
      ...(o.pullSecrets.length ? { imagePullSecrets: o.pullSecrets.map((name) => ({ name })) } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'relay',
          image: o.image,
          command: ['sleep', String(o.ttlSeconds)],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '250m', memory: '64Mi' } },
        },
      ],
    },
  };
}

/** Wait ms, or less when the signal aborts meanwhile. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
const ended = (pod: V1Pod): boolean => ['Failed', 'Succeeded'].includes(pod.status?.phase ?? '');

async function pullFailure(client: KubeClient, pod: V1Pod): Promise<string | undefined> {
  const waiting = pod.status?.containerStatuses
    ?.map((c) => c.state?.waiting)
    .find((w) => w && /ImagePullBackOff|ErrImagePull|InvalidImageName/.test(w.reason ?? ''));
  if (!waiting) return undefined;
  const events = await client.call('reading the jumpbox events', () =>
    client.rest<CoreV1EventList>('GET', corePath(pod.metadata!.namespace!, 'events'), {
      query: { fieldSelector: `involvedObject.name=${pod.metadata!.name},type=Warning` },
    }),
  );
  const failed = events.items.map((e) => e.message ?? '').find((m) => m.startsWith('Failed to pull image'));
  return failed ?? waiting.message ?? waiting.reason;
}

/** Reuse a running jumpbox, or create one and wait until it runs; fail fast on an image that cannot be pulled. */
export async function ensureJumpbox(
  client: KubeClient,
  namespace: string,
  cluster: string,
  o: EnsureOptions,
): Promise<{ pod: V1Pod; created: boolean }> {
  const name = jumpboxName(cluster);
  const where = `pod/${name} in namespace "${namespace}"`;
  const read = (): Promise<V1Pod | undefined> =>
    getOptional(client, `reading ${where}`, () => client.rest<V1Pod>('GET', corePath(namespace, 'pods', name)));
  let pod = await read();
  if (pod && (pod.metadata?.deletionTimestamp || ended(pod))) {
    await deleteJumpbox(client, namespace, cluster);
    pod = undefined;
  }
  const created = !pod;
  if (!pod) {
    o.progress?.(`creating ${where} (image ${o.image})`);
    pod = await client.call(`creating ${where}`, () =>
      client.rest<V1Pod>('POST', corePath(namespace, 'pods'), {
        body: jumpboxPod(namespace, cluster, o),
        query: { fieldManager: FIELD_MANAGER },
      }),
    );
  }
  if (pod.status?.phase !== 'Running') {
    const spinner = await o.spin?.(`waiting for pod/${name} to run`);
    try {
      pod = await untilRunning(client, pod, { ...o, where, read });
    } catch (e) {
      spinner?.stop();
      if (created) await deleteJumpbox(client, namespace, cluster).catch(() => undefined);
      throw e;
    }
    spinner?.stop();
  }
  return { pod, created };
}

/** Wait until the pod runs; fail fast on an image that cannot be pulled, a pod that ended, the timeout, or an abort. */
async function untilRunning(
  client: KubeClient,
  first: V1Pod,
  o: EnsureOptions & { where: string; read: () => Promise<V1Pod | undefined> },
): Promise<V1Pod> {
  let pod = first;
  const timeoutMs = o.timeoutMs ?? JUMPBOX_READY_MS;
  const end = Date.now() + timeoutMs;
  while (pod.status?.phase !== 'Running') {
    if (o.signal?.aborted) throw new CliError('INTERRUPTED', `interrupted while waiting for ${o.where} to run`);
    const failed = await pullFailure(client, pod);
    if (failed)
      throw new CliError(
        'JUMPBOX_IMAGE',
        `the jumpbox image ${o.image} cannot be pulled: ${failed}; pass --image with an image the Supervisor can pull (any image with nc or bash, e.g. one pushed to the embedded Harbor, with --pull-secret)`,
      );
    if (ended(pod))
      throw new CliError(
        'JUMPBOX_ENDED',
        `${o.where} ended (${pod.status?.reason ?? pod.status?.phase}) before it ran`,
      );
    if (Date.now() > end)
      throw new CliError(
        'JUMPBOX_TIMEOUT',
        `${o.where} is not Running after ${Math.round(timeoutMs / 1000)} s (phase ${pod.status?.phase ?? 'unknown'})`,
      );
    await sleep(250, o.signal);
    pod = (await o.read()) ?? pod;
  }
  return pod;
}

/** A cluster's jumpbox pod, or undefined when there is none. */
export function readJumpbox(client: KubeClient, namespace: string, cluster: string): Promise<V1Pod | undefined> {
  const name = jumpboxName(cluster);
  return getOptional(client, `reading pod/${name} in namespace "${namespace}"`, () =>
    client.rest<V1Pod>('GET', corePath(namespace, 'pods', name)),
  );
}

/** Delete a cluster's jumpbox; false when there was none. */
export async function deleteJumpbox(client: KubeClient, namespace: string, cluster: string): Promise<boolean> {
  const name = jumpboxName(cluster);
  try {
    await client.call(`deleting pod/${name} in namespace "${namespace}"`, () =>
      client.rest('DELETE', corePath(namespace, 'pods', name), { query: { gracePeriodSeconds: '1' } }),
    );
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** The jumpbox pods kubectl-harbor made, in a namespace or (undefined) in all. */
export async function listJumpboxes(client: KubeClient, namespace: string | undefined): Promise<V1Pod[]> {
  const labelSelector = `${MANAGED_BY}=${MANAGER},${COMPONENT}=jumpbox`;
  const list = await client.call('listing jumpbox pods', () =>
    client.rest<V1PodList>('GET', namespace ? corePath(namespace, 'pods') : '/api/v1/pods', {
      query: { labelSelector },
    }),
  );
  return list.items;
}
