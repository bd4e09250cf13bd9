// The jumpbox: a pod in the Supervisor namespace that only relays TCP to a node's port 22.
// It needs no SSH client, no package install and no key; it runs as non-root with every
// capability dropped, a read-only root filesystem and no ServiceAccount token, and ends
// itself at its deadline (--ttl).
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER, MANAGED_BY, MANAGER } from '../kube/labels.js';

export const CLUSTER_LABEL = 'kubectl-harbor/cluster';
export const ROLE_LABEL = 'app.kubernetes.io/component';

export interface JumpboxOptions {
  image: string;
  pullSecrets: string[];
  ttlSeconds: number;
}

export const jumpboxName = (cluster: string): string => `harbor-jumpbox-${cluster}`.slice(0, 63).replace(/[-.]+$/, '');

export function jumpboxPod(namespace: string, cluster: string, o: JumpboxOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: jumpboxName(cluster), namespace, labels: { [MANAGED_BY]: MANAGER, [ROLE_LABEL]: 'jumpbox', [CLUSTER_LABEL]: cluster } },
    spec: {
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      activeDeadlineSeconds: o.ttlSeconds,
      terminationGracePeriodSeconds: 1,
      ...(o.pullSecrets.length ? { imagePullSecrets: o.pullSecrets.map((name) => ({ name })) } : {}),
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'relay',
          image: o.image,
          command: ['sleep', String(o.ttlSeconds)],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '250m', memory: '64Mi' } },
        },
      ],
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function pullFailure(client: KubeClient, pod: V1Pod): Promise<string | undefined> {
  const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting).find((w) => w && /ImagePullBackOff|ErrImagePull|InvalidImageName/.test(w.reason ?? ''));
  if (!waiting) return undefined;
  const events = await client.call('reading the jumpbox events', () =>
    client.api(CoreV1Api).listNamespacedEvent({ namespace: pod.metadata!.namespace!, fieldSelector: `involvedObject.name=${pod.metadata!.name},type=Warning` }),
  );
  const failed = events.items.map((e) => e.message ?? '').find((m) => m.startsWith('Failed to pull image'));
  return failed ?? waiting.message ?? waiting.reason;
}

/** Reuse a running jumpbox, or create one and wait until it runs; fail fast on an image that cannot be pulled. */
export async function ensureJumpbox(client: KubeClient, namespace: string, cluster: string, o: JumpboxOptions & { timeoutMs: number; progress?: (s: string) => void }): Promise<{ pod: V1Pod; created: boolean }> {
  const core = client.api(CoreV1Api);
  const name = jumpboxName(cluster);
  const where = `pod/${name} in namespace "${namespace}"`;
  const read = async (): Promise<V1Pod | undefined> => {
    try {
      return await core.readNamespacedPod({ name, namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
  };
  let pod = await client.call(`reading ${where}`, read);
  let created = false;
  if (pod && (pod.metadata?.deletionTimestamp || ['Failed', 'Succeeded'].includes(pod.status?.phase ?? ''))) {
    await deleteJumpbox(client, namespace, cluster);
    pod = undefined;
  }
  if (!pod) {
    o.progress?.(`creating ${where} (image ${o.image})`);
    pod = await client.call(`creating ${where}`, () => core.createNamespacedPod({ namespace, body: jumpboxPod(namespace, cluster, o), fieldManager: FIELD_MANAGER }));
    created = true;
  }
  const end = Date.now() + o.timeoutMs;
  while (pod.status?.phase !== 'Running') {
    const failed = await pullFailure(client, pod);
    if (failed) {
      if (created) await deleteJumpbox(client, namespace, cluster).catch(() => undefined);
      throw new CliError('JUMPBOX_IMAGE', `the jumpbox image ${o.image} cannot be pulled: ${failed}; pass --image with an image the Supervisor can pull (any image with nc or bash, e.g. one pushed to the embedded Harbor, with --pull-secret)`);
    }
    if (['Failed', 'Succeeded'].includes(pod.status?.phase ?? '')) throw new CliError('JUMPBOX_ENDED', `${where} ended (${pod.status?.reason ?? pod.status?.phase}) before it ran`);
    if (Date.now() > end) throw new CliError('JUMPBOX_TIMEOUT', `${where} is not Running after ${Math.round(o.timeoutMs / 1000)} s (phase ${pod.status?.phase ?? 'unknown'})`);
    await sleep(250);
    pod = (await client.call(`reading ${where}`, read)) ?? pod;
  }
  return { pod, created };
}

export async function deleteJumpbox(client: KubeClient, namespace: string, cluster: string): Promise<boolean> {
  try {
    await client.call(`deleting pod/${jumpboxName(cluster)} in namespace "${namespace}"`, () => client.api(CoreV1Api).deleteNamespacedPod({ name: jumpboxName(cluster), namespace, gracePeriodSeconds: 1 }));
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
}

export async function listJumpboxes(client: KubeClient, namespace: string | undefined): Promise<V1Pod[]> {
  const core = client.api(CoreV1Api);
  const selector = `${MANAGED_BY}=${MANAGER},${ROLE_LABEL}=jumpbox`;
  const list = await client.call('listing jumpbox pods', () =>
    namespace ? core.listNamespacedPod({ namespace, labelSelector: selector }) : core.listPodForAllNamespaces({ labelSelector: selector }),
  );
  return list.items;
}
