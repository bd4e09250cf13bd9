// A stand-in for the kubelet: pods go Pending -> Running after a delay, or fail to pull
// their image (ErrImagePull, then ImagePullBackOff) with the events a real kubelet writes,
// and end with DeadlineExceeded when activeDeadlineSeconds runs out.
import crypto from 'node:crypto';
import type { Registry } from './rest.js';
import type { Obj, ResourceType } from './types.js';

export interface KubeletOptions {
  /** Time from creation to Running (or to the first pull failure). Default 100 ms. */
  startDelayMs?: number;
  /** The runtime's error for pulling `image`, or undefined when the pull works. */
  pullError?: (image: string, pod: Obj) => string | undefined;
  nodeName?: string;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class Kubelet {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();
  private podIp = 10;
  private seq = 0;
  readonly nodeName: string;

  constructor(
    private readonly reg: Registry,
    private readonly opts: KubeletOptions = {},
  ) {
    this.nodeName = opts.nodeName ?? 'esx-01a.lab.local';
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
  event(pod: Obj, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const events = this.reg.type('', 'events')!;
    const ts = now();
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
      source: reason === 'Scheduled' ? {} : { component: 'kubelet', host: this.nodeName },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet',
      reportingInstance: reason === 'Scheduled' ? '' : this.nodeName,
    });
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

  private start(namespace: string, name: string): void {
    const pod = this.reg.store.get(this.pods, namespace, name);
    if (!pod) return;
    const containers: Obj[] = pod.spec?.containers ?? [];
    this.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${this.nodeName}`);
    const failing = containers.map((c) => ({ c, err: this.opts.pullError?.(c.image, pod) })).find((x) => x.err);
    const ip = `10.244.0.${this.podIp++ % 250}`;
    if (failing) {
      const { c, err } = failing;
      this.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c.name);
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${err}`, c.name);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', c.name);
      this.setWaiting(namespace, name, ip, 'ErrImagePull', `${err}`);
      this.later(pod.metadata.uid, this.opts.startDelayMs ?? 100, () => {
        const p = this.reg.store.get(this.pods, namespace, name);
        if (!p) return;
        this.event(p, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c.name);
        this.event(p, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
        this.setWaiting(namespace, name, ip, 'ImagePullBackOff', `Back-off pulling image "${c.image}"`);
      });
      return;
    }
    for (const c of containers) {
      this.event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
      this.event(pod, 'Normal', 'Created', `Created container ${c.name}`, c.name);
      this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    }
    const ts = now();
    this.reg.mutate(this.pods, namespace, name, (p) => {
      p.spec.nodeName = this.nodeName;
      p.status = {
        phase: 'Running',
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: ts,
        })),
        hostIP: '192.168.100.11',
        podIP: ip,
        podIPs: [{ ip }],
        startTime: ts,
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

  private setWaiting(namespace: string, name: string, ip: string, reason: string, message: string): void {
    const ts = now();
    this.reg.mutate(this.pods, namespace, name, (p) => {
      p.spec.nodeName = this.nodeName;
      p.status = {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts },
          { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastProbeTime: null, lastTransitionTime: ts },
        ],
        hostIP: '192.168.100.11',
        podIP: ip,
        podIPs: [{ ip }],
        startTime: ts,
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
