// The DaemonSet controller of a TKC emulator, as kube-controller-manager runs it: for each
// DaemonSet, one pod per Node that the template's nodeSelector and required node affinity
// select and whose NoSchedule/NoExecute taints the tolerations tolerate. Pods are named
// `<ds>-<5 chars>` (generateName), carry the template's labels plus
// controller-revision-hash and pod-template-generation, a controller ownerReference, the
// tolerations the controller adds, node affinity on metadata.name and spec.nodeName. They
// are created through admission (PodSecurity can refuse them: a FailedCreate event
// `Error creating: pods "<ds>-" is forbidden: ...` on the DaemonSet). Pods on nodes no
// longer selected are deleted; a template change replaces pods one at a time
// (RollingUpdate, maxUnavailable 1); status counts are kept as the controller keeps them.
// Deleting the DaemonSet deletes its pods (server.ts garbage collection).
import crypto from 'node:crypto';
import type { Registry } from './rest.js';
import { StatusError } from './status.js';
import type { StoreEvent } from './store.js';
import type { Obj, ResourceType } from './types.js';

/** The tolerations the DaemonSet controller adds to every pod (daemon/util AddOrUpdateDaemonPodTolerations). */
const DAEMON_TOLERATIONS: Obj[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export interface DaemonSetHooks {
  /** Create a pod as the controller's client would (admission applies); throws a StatusError when refused. */
  createPod: (namespace: string, pod: Obj) => Obj;
  deletePod: (namespace: string, name: string) => void;
  /** Write an Event on the DaemonSet (source daemonset-controller). */
  event: (ds: Obj, type: 'Normal' | 'Warning', reason: string, message: string) => void;
}

const matchLabels = (sel: Obj | undefined, labels: Obj): boolean =>
  Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v);

function matchExpression(e: Obj, value: string | undefined): boolean {
  const values: string[] = (e.values ?? []).map(String);
  switch (e.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** Whether the pod spec's nodeSelector and required node affinity select `node`. */
export function nodeSelected(spec: Obj, node: Obj): boolean {
  const labels: Obj = node.metadata?.labels ?? {};
  if (!matchLabels(spec.nodeSelector, labels)) return false;
  const terms: Obj[] =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return true;
  return terms.some(
    (t) =>
      (t.matchExpressions ?? []).every((e: Obj) => matchExpression(e, labels[e.key])) &&
      (t.matchFields ?? []).every((e: Obj) => e.key === 'metadata.name' && matchExpression(e, node.metadata.name)),
  );
}

const tolerates = (tol: Obj, taint: Obj): boolean =>
  (!tol.effect || tol.effect === taint.effect) &&
  (tol.operator === 'Exists'
    ? !tol.key || tol.key === taint.key
    : tol.key === taint.key && (tol.value ?? '') === (taint.value ?? ''));

/** Whether every taint of the node with one of `effects` is tolerated. */
export function taintsTolerated(spec: Obj, node: Obj, effects = ['NoSchedule', 'NoExecute']): boolean {
  const tolerations: Obj[] = [...(spec.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return (node.spec?.taints ?? [])
    .filter((t: Obj) => effects.includes(t.effect))
    .every((t: Obj) => tolerations.some((tol) => tolerates(tol, t)));
}

/** controller-revision-hash: a short, stable hash of the pod template. */
export function templateHash(template: Obj): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = crypto
    .createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest();
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

const controllerOf = (pod: Obj): string | undefined =>
  (pod.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true)?.uid;

export class DaemonSetController {
  private readonly pending = new Set<string>();
  private off?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly reg: Registry,
    private readonly hooks: DaemonSetHooks,
  ) {}

  private t(plural: string, group = ''): ResourceType {
    return this.reg.type(group, plural)!;
  }

  start(): void {
    this.off = this.reg.store.subscribe((e) => this.observe(e));
    for (const ds of this.reg.store.list(this.t('daemonsets', 'apps'))) this.enqueue(ds);
  }

  stop(): void {
    this.off?.();
    clearTimeout(this.timer);
  }

  private observe(e: StoreEvent): void {
    if (e.t.kind === 'DaemonSet' && e.type !== 'DELETED') this.enqueue(e.obj);
    else if (e.t.kind === 'Node') for (const ds of this.reg.store.list(this.t('daemonsets', 'apps'))) this.enqueue(ds);
    else if (e.t.kind === 'Pod') {
      const owner = controllerOf(e.obj);
      if (!owner) return;
      const ds = this.reg.store
        .list(this.t('daemonsets', 'apps'), e.obj.metadata.namespace)
        .find((d) => d.metadata.uid === owner);
      if (ds) this.enqueue(ds);
    }
  }

  private enqueue(ds: Obj): void {
    this.pending.add(`${ds.metadata.namespace}/${ds.metadata.name}`);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const keys = [...this.pending];
      this.pending.clear();
      for (const k of keys) {
        const [ns, name] = k.split('/') as [string, string];
        try {
          this.sync(ns, name);
        } catch (err) {
          process.stderr.write(`daemonset controller: ${k}: ${(err as Error).stack}\n`);
        }
      }
    }, 20);
    this.timer.unref();
  }

  /** One reconcile of one DaemonSet. */
  sync(namespace: string, name: string): void {
    const ds = this.reg.store.get(this.t('daemonsets', 'apps'), namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const template: Obj = ds.spec?.template ?? {};
    const spec: Obj = template.spec ?? {};
    const hash = templateHash(template);
    const nodes = this.reg.store.list(this.t('nodes'));
    const wanted = nodes.filter((n) => nodeSelected(spec, n) && taintsTolerated(spec, n));
    const pods = this.reg.store.list(this.t('pods'), namespace).filter((p) => controllerOf(p) === ds.metadata.uid);
    for (const p of pods)
      if (!wanted.some((n) => n.metadata.name === p.spec?.nodeName)) this.hooks.deletePod(namespace, p.metadata.name);
    for (const n of wanted) {
      if (pods.some((p) => p.spec?.nodeName === n.metadata.name)) continue;
      try {
        this.hooks.createPod(namespace, this.podFor(ds, n.metadata.name, hash));
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
        this.hooks.event(ds, 'Warning', 'FailedCreate', `Error creating: ${e.message}`);
        break;
      }
    }
    const live = this.reg.store.list(this.t('pods'), namespace).filter((p) => controllerOf(p) === ds.metadata.uid);
    const outdated = live.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== hash);
    const unready = live.filter((p) => !isReady(p));
    // RollingUpdate: replace outdated pods, at most maxUnavailable of the desired ones unavailable at a time.
    if (outdated.length && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const budget = maxUnavailable(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, wanted.length);
      const room = budget - unready.filter((p) => !outdated.includes(p)).length;
      const victims = [...outdated.filter((p) => !isReady(p)), ...outdated.filter(isReady)].slice(0, Math.max(0, room));
      for (const v of victims) this.hooks.deletePod(namespace, v.metadata.name);
    }
    this.writeStatus(ds, wanted, hash);
  }

  private podFor(ds: Obj, node: string, hash: string): Obj {
    const template: Obj = structuredClone(ds.spec?.template ?? {});
    const spec: Obj = template.spec ?? {};
    const tolerations: Obj[] = [...(spec.tolerations ?? [])];
    for (const t of DAEMON_TOLERATIONS)
      if (!tolerations.some((x) => x.key === t.key && x.effect === t.effect)) tolerations.push(t);
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: {
          ...(template.metadata?.labels ?? {}),
          'controller-revision-hash': hash,
          'pod-template-generation': String(ds.metadata.generation ?? 1),
        },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: ds.metadata.name,
            uid: ds.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        ...spec,
        nodeName: node,
        tolerations,
        affinity: {
          ...(spec.affinity ?? {}),
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
            },
          },
        },
      },
    };
  }

  private writeStatus(ds: Obj, wanted: Obj[], hash: string): void {
    const pods = this.reg.store
      .list(this.t('pods'), ds.metadata.namespace)
      .filter((p) => controllerOf(p) === ds.metadata.uid);
    const onWanted = pods.filter((p) => wanted.some((n) => n.metadata.name === p.spec?.nodeName));
    const ready = onWanted.filter(isReady).length;
    const status: Obj = {
      currentNumberScheduled: onWanted.length,
      desiredNumberScheduled: wanted.length,
      numberMisscheduled: pods.length - onWanted.length,
      numberReady: ready,
      numberAvailable: ready,
      ...(wanted.length - ready > 0 ? { numberUnavailable: wanted.length - ready } : {}),
      updatedNumberScheduled: onWanted.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length,
      observedGeneration: ds.metadata.generation ?? 1,
    };
    this.reg.mutate(this.t('daemonsets', 'apps'), ds.metadata.namespace, ds.metadata.name, (o) => {
      o.status = status;
    });
  }
}

/** maxUnavailable as an absolute number: an int, or a percentage of `desired` rounded up; at least 1. */
export function maxUnavailable(v: unknown, desired: number): number {
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : undefined;
  const n = m ? Math.ceil((Number(m[1]) * desired) / 100) : typeof v === 'number' ? v : Number(v ?? 1);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

const isReady = (p: Obj): boolean =>
  (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
