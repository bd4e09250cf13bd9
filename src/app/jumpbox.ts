// The jumpbox pod's life cycle: create (or reuse), status (the pod and the cluster's
// nodes), list, delete. Commands on the nodes through it are in jumpbox-exec.ts.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { deleteJumpbox, ensureJumpbox, jumpboxCluster, jumpboxName, listJumpboxes } from '../kube/jumpbox.js';
import { clusterNodes } from '../kube/virtualmachines.js';
import type { NodeAccess } from './nodes.js';
import type { Session } from './session.js';

export interface JumpboxCreateRequest {
  cluster: string;
  access: NodeAccess;
}

export interface JumpboxStatusRequest {
  cluster: string;
}

export type JumpboxDeleteRequest = { kind: 'one'; cluster: string } | { kind: 'all' };

export interface JumpboxListRequest {
  allNamespaces: boolean;
}

const asPod = (p: V1Pod): V1Pod => ({ ...p, apiVersion: 'v1', kind: 'Pod' });
const imageOf = (p: V1Pod): string => p.spec?.containers?.[0]?.image ?? '';

/** The Supervisor client and the cluster's vSphere Namespace. */
async function supervisorAndNamespace(s: Session): Promise<{ client: KubeClient; namespace: string }> {
  const [client, namespace] = await Promise.all([s.supervisor(), s.clusterNamespace()]);
  return { client, namespace };
}

export async function jumpboxCreate(s: Session, r: JumpboxCreateRequest): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  await clusterNodes(client, namespace, r.cluster);
  const { image, pullSecrets, ttlSeconds } = r.access;
  // Ctrl-C while the pod starts: stop waiting and delete the pod this run created.
  const { pod, created } = await s.cancellable(() =>
    ensureJumpbox(client, namespace, r.cluster, {
      image,
      pullSecrets,
      ttlSeconds,
      progress: (l) => s.printer.status(l),
      spin: (text) => s.spinner(text),
      signal: s.signal,
    }),
  );
  s.printer.result(asPod(pod), created ? 'created' : 'unchanged');
  return 0;
}

export async function jumpboxStatus(s: Session, r: JumpboxStatusRequest): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  const [pods, nodes] = await Promise.all([
    listJumpboxes(client, namespace),
    clusterNodes(client, namespace, r.cluster),
  ]);
  const pod = pods.find((p) => p.metadata?.name === jumpboxName(r.cluster));
  const p = s.printer;
  if (p.structured) {
    const jumpbox = pod
      ? {
          name: pod.metadata?.name,
          phase: pod.status?.phase,
          image: imageOf(pod),
          deadlineSeconds: pod.spec?.activeDeadlineSeconds,
        }
      : null;
    await p.document(
      {
        cluster: r.cluster,
        namespace,
        jumpbox,
        nodes: nodes.map((n) => ({ name: n.name, role: n.role, ip: n.ip ?? null })),
      },
      () => '',
    );
    return 0;
  }
  p.line(`Jumpbox: ${pod ? `${pod.metadata?.name} ${pod.status?.phase} (${imageOf(pod)})` : 'none'}`);
  p.line('');
  p.table(
    ['NODE', 'ROLE', 'IP'],
    nodes.map((n) => [n.name, n.role, n.ip ?? '<no IP yet>']),
  );
  return 0;
}

export async function jumpboxDelete(s: Session, r: JumpboxDeleteRequest): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  const clusters =
    r.kind === 'all' ? (await listJumpboxes(client, namespace)).map(jumpboxCluster).filter(Boolean) : [r.cluster];
  for (const c of clusters) {
    const gone = await deleteJumpbox(client, namespace, c);
    s.printer.result(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: jumpboxName(c), namespace } },
      gone ? 'deleted' : 'unchanged',
    );
  }
  if (r.kind === 'all' && clusters.length === 0) s.printer.status(`no jumpbox in namespace "${namespace}"`);
  return 0;
}

export async function jumpboxList(s: Session, r: JumpboxListRequest): Promise<number> {
  const client = await s.supervisor();
  const pods = await listJumpboxes(client, r.allNamespaces ? undefined : await s.clusterNamespace());
  const p = s.printer;
  if (p.structured) {
    await p.document(
      { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: pods.map(asPod) },
      () => '',
    );
    return 0;
  }
  if (p.output === 'name') {
    for (const pod of pods) p.result(asPod(pod), 'unchanged');
    return 0;
  }
  if (pods.length === 0) p.status('no jumpbox pods');
  p.table(
    ['NAMESPACE', 'NAME', 'CLUSTER', 'PHASE', 'IMAGE'],
    pods.map((pod) => [
      pod.metadata?.namespace ?? '',
      pod.metadata?.name ?? '',
      jumpboxCluster(pod),
      pod.status?.phase ?? '',
      imageOf(pod),
    ]),
  );
  return 0;
}
