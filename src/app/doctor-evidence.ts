// The evidence `doctor` reads from the cluster, with one list call per kind and namespace:
// pods, ServiceAccounts, dockerconfigjson secrets and events. A pod's effective pull
// secrets are its own `imagePullSecrets`; when it has none, its ServiceAccount's (the
// admission controller copies them at creation, so a pod made before a binding has none).
import type { CoreV1EventList, V1Pod, V1PodList, V1Secret, V1SecretList } from '@kubernetes/client-node';
import type { V1ServiceAccount, V1ServiceAccountList } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { DOCKERCONFIGJSON } from '../kube/dockerconfigjson.js';
import { corePath, eventTime, type Wire } from '../kube/wire.js';
import { latestByImage, type PullEvent, parsePullEvent } from './doctor-events.js';

export interface NamespaceEvidence {
  namespace: string;
  /** As the server sent them: no Date fields are read. */
  pods: Wire<V1Pod>[];
  serviceAccounts: Map<string, Wire<V1ServiceAccount>>;
  /** dockerconfigjson secrets by name. */
  secrets: Map<string, V1Secret>;
  /** Pull events by pod name, oldest first. */
  events: Map<string, PullEvent[]>;
}

export interface PodEvidence {
  namespace: string;
  /** '-' for `--image` without a pod. */
  name: string;
  node: string;
  serviceAccount: string;
  images: string[];
  /** The secrets the runtime is given, and where the list came from. */
  pullSecrets: string[];
  pullSecretsFrom: 'pod' | 'serviceaccount' | 'none';
  events: PullEvent[];
  /** Containers waiting on a pull: image -> reason. */
  waiting: Map<string, string>;
  /** A controller owns the pod (it makes a new one when this one is deleted). */
  owned: boolean;
}

export async function readNamespace(client: KubeClient, namespace: string, pod?: string): Promise<NamespaceEvidence> {
  const get = <T>(plural: string, query?: Record<string, string>) =>
    client.rest<T>('GET', corePath(namespace, plural), query ? { query } : {});
  const [pods, sas, secrets, events] = await Promise.all([
    pod
      ? client.call(`reading pod "${pod}" in namespace "${namespace}"`, async () => ({
          items: [await client.rest<Wire<V1Pod>>('GET', corePath(namespace, 'pods', pod))],
        }))
      : client.call(`listing pods in namespace "${namespace}"`, () => get<Wire<V1PodList>>('pods')),
    client.call(`listing serviceaccounts in namespace "${namespace}"`, () =>
      get<Wire<V1ServiceAccountList>>('serviceaccounts'),
    ),
    client.call(`listing secrets in namespace "${namespace}"`, () => get<V1SecretList>('secrets')),
    client.call(`listing events in namespace "${namespace}"`, () =>
      get<Wire<CoreV1EventList>>('events', pod ? { fieldSelector: `involvedObject.name=${pod}` } : undefined),
    ),
  ]);
  const byPod = new Map<string, PullEvent[]>();
  for (const e of [...events.items].sort((a, b) => eventTime(a) - eventTime(b))) {
    if (e.involvedObject?.kind !== 'Pod' || !e.involvedObject.name) continue;
    const parsed = parsePullEvent(e.message ?? '');
    if (!parsed) continue;
    byPod.set(e.involvedObject.name, [...(byPod.get(e.involvedObject.name) ?? []), parsed]);
  }
  return {
    namespace,
    pods: pods.items,
    serviceAccounts: new Map(sas.items.map((s) => [s.metadata?.name ?? '', s])),
    secrets: new Map(secrets.items.filter((s) => s.type === DOCKERCONFIGJSON).map((s) => [s.metadata?.name ?? '', s])),
    events: byPod,
  };
}

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff']);

export function podEvidence(pod: Wire<V1Pod>, ns: NamespaceEvidence): PodEvidence {
  const name = pod.metadata?.name ?? '';
  const serviceAccount = pod.spec?.serviceAccountName || 'default';
  const own = (pod.spec?.imagePullSecrets ?? []).map((r) => r.name ?? '').filter(Boolean);
  const sa = (ns.serviceAccounts.get(serviceAccount)?.imagePullSecrets ?? []).map((r) => r.name ?? '').filter(Boolean);
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const waiting = new Map<string, string>();
  for (const s of statuses) {
    const reason = s.state?.waiting?.reason;
    if (reason && PULL_REASONS.has(reason)) waiting.set(s.image, reason);
  }
  return {
    namespace: ns.namespace,
    name,
    node: pod.spec?.nodeName ?? '',
    serviceAccount,
    images: [...new Set(containers.map((c) => c.image ?? '').filter(Boolean))],
    pullSecrets: own.length ? own : sa,
    pullSecretsFrom: own.length ? 'pod' : sa.length ? 'serviceaccount' : 'none',
    events: ns.events.get(name) ?? [],
    waiting,
    owned: (pod.metadata?.ownerReferences ?? []).some((o) => o.controller === true),
  };
}

/** The pods of a namespace that fail to pull: a container waiting on a pull, or a pull-failure event not since pulled. */
export function failingPods(ns: NamespaceEvidence): PodEvidence[] {
  return ns.pods.map((p) => podEvidence(p, ns)).filter((p) => p.waiting.size > 0 || latestByImage(p.events).size > 0);
}

/** `--image` without a pod: a pod of the namespace's default ServiceAccount that does not exist yet. */
export function imageOnly(image: string, ns: NamespaceEvidence): PodEvidence {
  const sa = (ns.serviceAccounts.get('default')?.imagePullSecrets ?? []).map((r) => r.name ?? '').filter(Boolean);
  return {
    namespace: ns.namespace,
    name: '-',
    node: '',
    serviceAccount: 'default',
    images: [image],
    pullSecrets: sa,
    pullSecretsFrom: sa.length ? 'serviceaccount' : 'none',
    events: [],
    waiting: new Map(),
    owned: false,
  };
}
