// A stand-in for the kubelet: pods go Pending -> Running after a delay, or fail to pull
// their image (ErrImagePull, then ImagePullBackOff) with the events a real kubelet writes,
// and end with DeadlineExceeded when activeDeadlineSeconds runs out. A `pull` hook makes
// the pull real: the kubelet resolves the pod's pull secrets (pullsecrets.ts), picks a node
// (spec.nodeName, else round-robin) and reports the runtime's own error text; with
// `retryMs` it retries a failed pull, as the kubelet's back-off does.
import crypto from 'node:crypto';
import { type PullAuth, resolvePullAuths } from './pullsecrets.js';
import type { Registry } from './rest.js';
import type { Obj, ResourceType } from './types.js';

export interface KubeletNode {
  name: string;
  ip: string;
}

export interface PullContext {
  pod: Obj;
  node: KubeletNode;
  /** The credentials resolved from the pod's (else its ServiceAccount's) pull secrets; empty: anonymous. */
  auths: PullAuth[];
}

export interface KubeletOptions {
  /** Time from creation to Running (or to the first pull failure). Default 100 ms. */
  startDelayMs?: number;
  /** The runtime's error for pulling `image`, or undefined when the pull works. */
  pullError?: (image: string, pod: Obj) => string | undefined;
  /** A real pull (asked when pullError gives no error): the runtime's error text, or undefined on success. */
  pull?: (image: string, ctx: PullContext) => Promise<string | undefined>;
  /** Retry a failed pull after this long, doubling up to 8 times as long, until it works or the pod goes. Default: no retry. */
  retryMs?: number;
  nodeName?: string;
  /** The nodes pods are scheduled on (round-robin when spec.nodeName is not set). Default: nodeName alone. */
  nodes?: KubeletNode[];
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class Kubelet {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private podIp = 10;
  private seq = 0;
  private next = 0;
  readonly nodeName: string;
  private nodes: KubeletNode[];
  private defaultNodes: boolean;

  constructor(
    private readonly reg: Registry,
    private readonly opts: KubeletOptions = {},
  ) {
    this.nodeName = opts.nodeName ?? opts.nodes?.[0]?.name ?? 'esx-01a.lab.local';
    this.defaultNodes = !opts.nodes?.length;
    this.nodes = opts.nodes?.length ? [...opts.nodes] : [{ name: this.nodeName, ip: '192.168.100.11' }];
  }

  /** A node joined: pods without spec.nodeName may land on it (the stand-in node goes once a real one joins). */
  addNode(n: KubeletNode): void {
    if (this.defaultNodes) [this.nodes, this.defaultNodes] = [[], false];
    if (!this.nodes.some((x) => x.name === n.name)) this.nodes.push(n);
  }

  removeNode(name: string): void {
    if (this.nodes.length > 1) this.nodes = this.nodes.filter((x) => x.name !== name);
  }

  /** The node named `name`, when the kubelet knows it. */
  node(name: string): KubeletNode | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  /** spec.nodeName when it names a node, else the next node round-robin. */
  private schedule(pod: Obj): KubeletNode {
    const named = this.nodes.find((n) => n.name === pod.spec?.nodeName);
    if (named) return named;
    if (pod.spec?.nodeName) return { name: String(pod.spec.nodeName), ip: this.nodes[0]!.ip };
    return this.nodes[this.next++ % this.nodes.length]!;
  }

  private get pods(): ResourceType {
    return this.reg.type('', 'pods')!;
  }

  private later(uid: string, ms: number, fn: () => void): void {
    const set = this.timers.get(uid) ?? new Set();
    const t = setTimeout(() => {
      set.delete(t);
      fn();
    }, ms);
    t.unref();
    set.add(t);
    this.timers.set(uid, set);
  }

  /** Write an Event the way the kubelet does (core v1, source kubelet). */
  event(
    pod: Obj,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    container?: string,
    host?: string,
  ): void {
    const events = this.reg.type('', 'events')!;
    const ts = now();
    const node = host ?? pod.spec?.nodeName ?? this.nodeName;
    const same = this.reg.store
      .list(events, pod.metadata.namespace)
      .find((e) => e.involvedObject?.uid === pod.metadata.uid && e.reason === reason && e.message === message);
    if (same) {
      this.reg.mutate(events, pod.metadata.namespace, same.metadata.name, (e) => {
        e.count = (e.count ?? 1) + 1;
        e.lastTimestamp = ts;
      });
      return;
    }
    this.reg.seed(events, {
      metadata: {
        name: `${pod.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++)).toString(16)}`,
        namespace: pod.metadata.namespace,
      },
      involvedObject: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pod.metadata.resourceVersion,
        ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
      },
      reason,
      message,
      source: reason === 'Scheduled' ? {} : { component: 'kubelet', host: node },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet',
      reportingInstance: reason === 'Scheduled' ? '' : node,
    });
  }

  /** Pull `image` for `pod` on `node` through the pull hooks: the runtime's error text, or undefined when it worked. */
  async pullImage(pod: Obj, node: KubeletNode, image: string): Promise<string | undefined> {
    const err = this.opts.pullError?.(image, pod);
    if (err) return err;
    if (!this.opts.pull) return undefined;
    const types = { secrets: this.reg.type('', 'secrets')!, serviceaccounts: this.reg.type('', 'serviceaccounts')! };
    return this.opts.pull(image, { pod, node, auths: resolvePullAuths(this.reg.store, types, pod, image) });
  }

  podCreated(pod: Obj): void {
    const uid = pod.metadata.uid as string;
    const { namespace, name } = pod.metadata;
    this.later(uid, this.opts.startDelayMs ?? 100, () => this.start(namespace, name));
    const deadline = pod.spec?.activeDeadlineSeconds;
    if (typeof deadline === 'number' && deadline > 0)
      this.later(uid, deadline * 1000, () => this.deadline(namespace, name));
  }

  podDeleted(pod: Obj): void {
    for (const t of this.timers.get(pod.metadata.uid) ?? []) clearTimeout(t);
    this.timers.delete(pod.metadata.uid);
  }

  close(): void {
    for (const set of this.timers.values()) for (const t of set) clearTimeout(t);
    this.timers.clear();
  }

  private start(namespace: string, name: string, attempt = 0): void {
    void this.attempt(namespace, name, attempt).catch(() => undefined);
  }

  /** The first error pulling the pod's images (pullError, then the real pull), after the events a kubelet writes. */
  private async pullAll(pod: Obj, node: KubeletNode): Promise<{ c: Obj; err: string } | undefined> {
    for (const c of (pod.spec?.containers ?? []) as Obj[]) {
      const err = this.opts.pullError?.(c.image, pod);
      if (err) {
        this.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c.name);
        return { c, err };
      }
      if (!this.opts.pull) continue;
      this.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c.name);
      const types = { secrets: this.reg.type('', 'secrets')!, serviceaccounts: this.reg.type('', 'serviceaccounts')! };
      const auths = resolvePullAuths(this.reg.store, types, pod, c.image);
      const t0 = Date.now();
      const real = await this.opts.pull(c.image, { pod, node, auths });
      if (real) return { c, err: real };
      const s = ((Date.now() - t0) / 1000).toFixed(3);
      const now = this.current(pod);
      if (!now) return undefined;
      this.event(
        now,
        'Normal',
        'Pulled',
        `Successfully pulled image "${c.image}" in ${s}s (${s}s including waiting)`,
        c.name,
      );
    }
    return undefined;
  }

  /** The pod as stored now, when it is still the same pod. */
  private current(pod: Obj): Obj | undefined {
    const p = this.reg.store.get(this.pods, pod.metadata.namespace, pod.metadata.name);
    return p && p.metadata.uid === pod.metadata.uid ? p : undefined;
  }

  private async attempt(namespace: string, name: string, attempt: number): Promise<void> {
    let pod = this.reg.store.get(this.pods, namespace, name);
    if (!pod) return;
    const node = this.schedule(pod);
    const ip = String(pod.status?.podIP ?? `10.244.0.${this.podIp++ % 250}`);
    if (attempt === 0) {
      pod = this.reg.mutate(this.pods, namespace, name, (p) => {
        p.spec.nodeName = node.name;
      }) as Obj;
      this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node.name}`);
    }
    const failing = await this.pullAll(pod, node);
    const now = this.current(pod);
    if (!now) return;
    if (failing) return this.failed(now, node, ip, failing, attempt);
    this.running(now, node, ip, this.opts.pull === undefined);
  }

  private failed(pod: Obj, node: KubeletNode, ip: string, failing: { c: Obj; err: string }, attempt: number): void {
    const { namespace, name, uid } = pod.metadata;
    const { c, err } = failing;
    this.event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${err}`, c.name);
    this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', c.name);
    this.setWaiting(namespace, name, node, ip, 'ErrImagePull', `${err}`);
    this.later(uid, this.opts.startDelayMs ?? 100, () => {
      const p = this.current(pod);
      if (!p) return;
      this.event(p, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c.name);
      this.event(p, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
      this.setWaiting(namespace, name, node, ip, 'ImagePullBackOff', `Back-off pulling image "${c.image}"`);
      // The kubelet's back-off doubles per failure (to 5 minutes there; to 8 × retryMs here).
      const retry = this.opts.retryMs;
      if (retry) this.later(uid, retry * 2 ** Math.min(attempt, 3), () => this.start(namespace, name, attempt + 1));
    });
  }

  private running(pod: Obj, node: KubeletNode, ip: string, present: boolean): void {
    const { namespace, name } = pod.metadata;
    const containers: Obj[] = pod.spec?.containers ?? [];
    for (const c of containers) {
      if (present)
        this.event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
      this.event(pod, 'Normal', 'Created', `Created container ${c.name}`, c.name);
      this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    }
    const ts = now();
    this.reg.mutate(this.pods, namespace, name, (p) => {
      p.spec.nodeName = node.name;
      p.status = {
        phase: 'Running',
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: ts,
        })),
        hostIP: node.ip,
        podIP: ip,
        podIPs: [{ ip }],
        startTime: p.status?.startTime ?? ts,
        qosClass: 'Burstable',
        containerStatuses: containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `${String(c.image).split(':')[0]}@sha256:${crypto.createHash('sha256').update(String(c.image)).digest('hex')}`,
          containerID: `containerd://${crypto.randomBytes(32).toString('hex')}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: ts } },
        })),
      };
    });
  }

  private setWaiting(
    namespace: string,
    name: string,
    node: KubeletNode,
    ip: string,
    reason: string,
    message: string,
  ): void {
    const ts = now();
    this.reg.mutate(this.pods, namespace, name, (p) => {
      p.spec.nodeName = node.name;
      p.status = {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts },
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastProbeTime: null, lastTransitionTime: ts },
        ],
        hostIP: node.ip,
        podIP: ip,
        podIPs: [{ ip }],
        startTime: p.status?.startTime ?? ts,
        qosClass: 'Burstable',
        containerStatuses: (p.spec.containers ?? []).map((c: Obj) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason, message } },
        })),
      };
    });
  }

  private deadline(namespace: string, name: string): void {
    const pod = this.reg.store.get(this.pods, namespace, name);
    if (!pod) return;
    this.event(pod, 'Warning', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
    const ts = now();
    this.reg.mutate(this.pods, namespace, name, (p) => {
      p.status = {
        ...p.status,
        phase: 'Failed',
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
        containerStatuses: (p.status?.containerStatuses ?? []).map((c: Obj) => ({
          ...c,
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode: 137,
              reason: 'Error',
              startedAt: c.state?.running?.startedAt ?? ts,
              finishedAt: ts,
            },
          },
        })),
      };
    });
  }
}
