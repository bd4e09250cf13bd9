// A kubelet that really runs containers, for the pods of DaemonSets. There is no image
// runtime in the lab: a "container" is a process the ContainerSpawner makes from the
// container's command and args (in the lab: the host's binaries inside the node's own mount
// and network namespaces, lab/nodes/podrun.ts). What the kubelet reports is real:
//  - images: imagePullPolicy Never with an image not in the Node's status.images waits in
//    ErrImageNeverPull (`Container image "X" is not present with pull policy of Never`);
//    IfNotPresent pulls what is missing and Always pulls, through the kubelet's pull hook;
//  - an image without a shell (nodes.ts imageHasShell) cannot start a command: StartError,
//    exit code 128, `exec: "/bin/sh": stat /bin/sh: no such file or directory`; a container
//    with no command idles, as pause does;
//  - initContainers run in order to completion, then the containers; stdout and stderr are
//    the pod log; an exit is `terminated` (Completed or Error) and, with restartPolicy Always
//    or OnFailure, a restart after the kubelet's back-off (immediately the first time, then
//    base, 2 x base, ... up to maxBackoffMs) with CrashLoopBackOff in between;
//  - deleting the pod kills its processes (SIGTERM, SIGKILL 2 s later).
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ContainerSpawner, containerEnv, mountsOf, sandboxSpawner } from './container.js';

export { type ContainerRun, type ContainerSpawner, containerEnv, hostContainerSpawner, mountsOf } from './container.js';
import type { Kubelet, KubeletNode } from './kubelet.js';
import { imageHasShell, nodeHasImage } from './nodes.js';
import type { PodLogs } from './podlogs.js';
import type { Registry } from './rest.js';
import type { Obj } from './types.js';

export interface RuntimeOptions {
  /** Default: sandboxSpawner (container.ts) under a temporary directory, `PodRuntime.sandboxRoot`. */
  spawn?: ContainerSpawner;
  /** The kubelet's restart back-off base (10 s in Kubernetes). Default 1000 ms. */
  backoffMs?: number;
  /** Its ceiling (5 minutes in Kubernetes). Default 8 x backoffMs. */
  maxBackoffMs?: number;
  /** Which pods this runtime runs. Default: those a DaemonSet controls. */
  runs?: (pod: Obj) => boolean;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

interface CState {
  c: Obj;
  init: boolean;
  restartCount: number;
  state: Obj;
  lastState: Obj;
  ready: boolean;
  started: boolean;
  containerID?: string;
  imageID?: string;
}

interface Run {
  uid: string;
  namespace: string;
  name: string;
  node: KubeletNode;
  cs: Map<string, CState>;
  children: Set<ChildProcess>;
  timers: Set<NodeJS.Timeout>;
  gone: boolean;
  initialized: boolean;
  podIP: string;
  /** Created while the node's kubelet was down: starts when it is back. */
  waitingForNode: boolean;
}

export const controlledByDaemonSet = (pod: Obj): boolean =>
  (pod.metadata?.ownerReferences ?? []).some((r: Obj) => r.kind === 'DaemonSet' && r.controller === true);

export class PodRuntime {
  private readonly runsByUid = new Map<string, Run>();
  private ipSeq = 2;
  private sandbox?: string;
  private readonly downNodes = new Set<string>();

  constructor(
    private readonly reg: Registry,
    private readonly kubelet: Kubelet,
    private readonly logs: PodLogs,
    private readonly opts: RuntimeOptions = {},
    /** Called after a pull so the Node's status.images can be refreshed. */
    private readonly pulled: (node: string) => Promise<void> = async () => undefined,
  ) {}

  /** Where the default sandbox keeps each node's hostPaths (`<root>/<node>/<hostPath>`); undefined with a spawn option. */
  get sandboxRoot(): string | undefined {
    if (this.opts.spawn) return undefined;
    this.sandbox ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lab-pods-'));
    return this.sandbox;
  }

  private spawner(): ContainerSpawner {
    return this.opts.spawn ?? sandboxSpawner(this.sandboxRoot!);
  }

  /** The kubelet of `node` stops or comes back (ApiServer.setKubelet): new pods wait, running ones turn unready. */
  setNodeUp(node: string, up: boolean): void {
    if (up) this.downNodes.delete(node);
    else this.downNodes.add(node);
    for (const run of this.runsByUid.values()) {
      if (run.node.name !== node) continue;
      if (up && run.waitingForNode) {
        run.waitingForNode = false;
        this.later(run, 50, () => void this.startPod(run).catch((e) => this.internal(run, e)));
      }
      if (!up)
        this.reg.mutate(this.pods, run.namespace, run.name, (p) => {
          for (const c of p.status?.conditions ?? []) if (c.type === 'Ready') c.status = 'False';
        });
      else this.publish(run);
    }
  }

  runs(pod: Obj): boolean {
    return (this.opts.runs ?? controlledByDaemonSet)(pod);
  }

  private get pods() {
    return this.reg.type('', 'pods')!;
  }

  podCreated(pod: Obj): void {
    const node = this.kubelet.node(String(pod.spec?.nodeName ?? ''));
    if (!node) return; // no kubelet on that node: the pod stays Pending, as it would
    const all: Obj[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    const inits = new Set((pod.spec?.initContainers ?? []).map((c: Obj) => c.name));
    const run: Run = {
      uid: pod.metadata.uid,
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      node,
      cs: new Map(
        all.map((c) => [
          c.name,
          {
            c,
            init: inits.has(c.name),
            restartCount: 0,
            state: { waiting: { reason: inits.has(c.name) ? 'PodInitializing' : 'ContainerCreating' } },
            lastState: {},
            ready: false,
            started: false,
          },
        ]),
      ),
      children: new Set(),
      timers: new Set(),
      gone: false,
      initialized: inits.size === 0,
      waitingForNode: this.downNodes.has(node.name),
      podIP: pod.spec?.hostNetwork ? node.ip : `192.168.${this.ipSeq >> 8}.${this.ipSeq++ % 250}`,
    };
    this.runsByUid.set(run.uid, run);
    this.kubelet.event(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${run.namespace}/${run.name} to ${node.name}`,
    );
    this.publish(run);
    this.later(run, 50, () => void this.startPod(run).catch((e) => this.internal(run, e)));
  }

  podDeleted(pod: Obj): void {
    const run = this.runsByUid.get(pod.metadata.uid);
    if (!run) return;
    run.gone = true;
    for (const t of run.timers) clearTimeout(t);
    for (const child of run.children) kill(child);
    this.runsByUid.delete(run.uid);
    this.logs.forget(run.uid);
  }

  close(): void {
    for (const run of [...this.runsByUid.values()]) this.podDeleted({ metadata: { uid: run.uid } });
    if (this.sandbox) fs.rmSync(this.sandbox, { recursive: true, force: true });
  }

  /** `kubectl exec` into a pod this runtime runs: the command in a new process of the container's kind (same node, mounts, env). */
  execSpec(
    pod: Obj,
    container: string,
    command: string[],
  ): { file: string; args: string[]; env?: Record<string, string> } {
    const run = this.runsByUid.get(pod.metadata.uid);
    const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
      (x: Obj) => x.name === container,
    );
    if (!run || !c) return { file: command[0]!, args: command.slice(1) };
    return this.spawner()({
      pod,
      container: c,
      node: run.node,
      argv: command,
      env: containerEnv(pod, c, run),
      mounts: mountsOf(pod, c),
      privileged: c.securityContext?.privileged === true,
      readOnlyRoot: c.securityContext?.readOnlyRootFilesystem === true,
    });
  }

  private internal(run: Run, e: unknown): void {
    process.stderr.write(`pod runtime: ${run.namespace}/${run.name}: ${(e as Error).stack ?? e}\n`);
  }

  private later(run: Run, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      run.timers.delete(t);
      if (!run.gone) fn();
    }, ms);
    t.unref();
    run.timers.add(t);
  }

  private pod(run: Run): Obj | undefined {
    const p = this.reg.store.get(this.pods, run.namespace, run.name);
    return p && p.metadata.uid === run.uid ? p : undefined;
  }

  private event(run: Run, type: 'Normal' | 'Warning', reason: string, message: string, c?: CState): void {
    const p = this.pod(run);
    if (p) this.kubelet.event(p, type, reason, message, c?.c.name, run.node.name);
  }

  private async startPod(run: Run): Promise<void> {
    const inits = [...run.cs.values()].filter((s) => s.init);
    for (const s of inits) {
      const code = await this.runToEnd(run, s);
      if (run.gone) return;
      if (code !== 0) return; // restarted through the back-off (runToEnd resolves again after success)
    }
    run.initialized = true;
    this.publish(run);
    for (const s of [...run.cs.values()].filter((x) => !x.init)) void this.startContainer(run, s);
  }

  /** An init container, restarted per policy until it exits 0; resolves with the last exit code. */
  private async runToEnd(run: Run, s: CState): Promise<number> {
    for (;;) {
      const code = await this.attempt(run, s);
      if (run.gone || code === 0) return code ?? 1;
      if (this.policy(run) === 'Never') return code ?? 1;
      await this.backoff(run, s);
      if (run.gone) return 1;
    }
  }

  private policy(run: Run): string {
    return String(this.pod(run)?.spec?.restartPolicy ?? 'Always');
  }

  /** A container, restarted per policy for as long as the pod lives. */
  private async startContainer(run: Run, s: CState): Promise<void> {
    for (;;) {
      const code = await this.attempt(run, s);
      if (run.gone) return;
      const policy = this.policy(run);
      if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) return;
      await this.backoff(run, s);
      if (run.gone) return;
    }
  }

  /** Wait out the back-off in CrashLoopBackOff (none before the first restart), then count the restart. */
  private async backoff(run: Run, s: CState): Promise<void> {
    const base = this.opts.backoffMs ?? 1000;
    const ms =
      s.restartCount === 0 ? 0 : Math.min(base * 2 ** (s.restartCount - 1), this.opts.maxBackoffMs ?? base * 8);
    if (ms > 0) {
      s.lastState = s.state;
      const who = `${s.c.name} pod=${run.name}_${run.namespace}(${run.uid})`;
      s.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${formatSeconds(ms)} restarting failed container=${who}`,
        },
      };
      this.event(
        run,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${s.c.name} in pod ${run.name}_${run.namespace}(${run.uid})`,
        s,
      );
      this.publish(run);
      await new Promise<void>((ok) => this.later(run, ms, ok));
    }
    s.lastState = s.state.terminated ? s.state : s.lastState;
    s.restartCount++;
  }

  /** The image is there (or pulled), else the container waits; resolves true when it may start. */
  private async ensureImage(run: Run, s: CState): Promise<boolean> {
    const image = String(s.c.image);
    const policy = String(s.c.imagePullPolicy ?? 'IfNotPresent');
    const node = this.reg.store.get(this.reg.type('', 'nodes')!, undefined, run.node.name);
    const present = nodeHasImage(node, image);
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.event(run, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, s);
        return true;
      }
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      this.event(run, 'Warning', 'ErrImageNeverPull', msg, s);
      this.event(run, 'Warning', 'Failed', 'Error: ErrImageNeverPull', s);
      s.state = { waiting: { reason: 'ErrImageNeverPull', message: msg } };
      this.publish(run);
      return false;
    }
    this.event(run, 'Normal', 'Pulling', `Pulling image "${image}"`, s);
    const t0 = Date.now();
    const pod = this.pod(run);
    const err = pod ? await this.kubelet.pullImage(pod, run.node, image) : undefined;
    if (run.gone) return false;
    if (err) {
      this.event(run, 'Warning', 'Failed', `Failed to pull image "${image}": ${err}`, s);
      this.event(run, 'Warning', 'Failed', 'Error: ErrImagePull', s);
      s.state = { waiting: { reason: 'ErrImagePull', message: err } };
      this.publish(run);
      return false;
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(3);
    this.event(
      run,
      'Normal',
      'Pulled',
      `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting)`,
      s,
    );
    await this.pulled(run.node.name).catch(() => undefined);
    return true;
  }

  /** One instance of a container: image, start, exit. Resolves with the exit code (undefined: never started). */
  private async attempt(run: Run, s: CState): Promise<number | undefined> {
    for (let tries = 0; !(await this.ensureImage(run, s)); tries++) {
      if (run.gone) return undefined;
      const base = this.opts.backoffMs ?? 1000;
      const ms = Math.min(base * 2 ** tries, this.opts.maxBackoffMs ?? base * 8);
      if (s.state.waiting?.reason === 'ErrImagePull') {
        await new Promise<void>((ok) => this.later(run, Math.min(ms, base), ok));
        const image = String(s.c.image);
        this.event(run, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, s);
        this.event(run, 'Warning', 'Failed', 'Error: ImagePullBackOff', s);
        s.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
        this.publish(run);
      }
      await new Promise<void>((ok) => this.later(run, ms, ok));
      if (run.gone) return undefined;
    }
    const pod = this.pod(run);
    if (!pod || run.gone) return undefined;
    const argv = [...(s.c.command ?? []), ...(s.c.args ?? [])].map(String);
    s.containerID = `containerd://${crypto.randomBytes(32).toString('hex')}`;
    s.imageID = `${String(s.c.image).split(':')[0]}@sha256:${crypto.createHash('sha256').update(String(s.c.image)).digest('hex')}`;
    this.event(run, 'Normal', 'Created', `Created container ${s.c.name}`, s);
    if (argv.length && !imageHasShell(String(s.c.image))) return this.startError(run, s, argv[0]!);
    this.logs.restart(run.uid, s.c.name);
    const startedAt = now();
    const spec = this.spawner()({
      pod,
      container: s.c,
      node: run.node,
      argv: argv.length ? argv : ['sleep', 'infinity'],
      env: containerEnv(pod, s.c, run),
      mounts: mountsOf(pod, s.c),
      privileged: s.c.securityContext?.privileged === true,
      readOnlyRoot: s.c.securityContext?.readOnlyRootFilesystem === true,
    });
    const child = spawn(spec.file, spec.args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    run.children.add(child);
    child.stdout!.on('data', (d: Buffer) => this.logs.append(run.uid, s.c.name, d));
    child.stderr!.on('data', (d: Buffer) => this.logs.append(run.uid, s.c.name, d));
    const exited = new Promise<number>((ok) => {
      child.on('error', (e) => {
        this.logs.append(run.uid, s.c.name, `${e.message}\n`);
        ok(127);
      });
      child.on('close', (code, signal) => ok(code ?? 128 + (SIGNALS[signal ?? ''] ?? 9)));
    });
    this.event(run, 'Normal', 'Started', `Started container ${s.c.name}`, s);
    s.state = { running: { startedAt } };
    s.started = true;
    s.ready = !s.init;
    this.publish(run);
    const code = await exited;
    run.children.delete(child);
    this.logs.end(run.uid, s.c.name);
    if (run.gone) return code;
    s.state = {
      terminated: {
        exitCode: code,
        reason: code === 0 ? 'Completed' : 'Error',
        startedAt,
        finishedAt: now(),
        containerID: s.containerID,
      },
    };
    s.ready = false;
    s.started = false;
    this.publish(run);
    return code;
  }

  private startError(run: Run, s: CState, cmd: string): number {
    const why = cmd.startsWith('/')
      ? `exec: "${cmd}": stat ${cmd}: no such file or directory`
      : `exec: "${cmd}": executable file not found in $PATH`;
    const msg = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`;
    this.event(run, 'Warning', 'Failed', `Error: ${msg}`, s);
    s.state = {
      terminated: {
        exitCode: 128,
        reason: 'StartError',
        message: msg,
        startedAt: '1970-01-01T00:00:00Z',
        finishedAt: now(),
        containerID: s.containerID,
      },
    };
    s.ready = false;
    this.publish(run);
    return 128;
  }

  /** Write the pod's status as the kubelet reports it. */
  private publish(run: Run): void {
    const ts = now();
    const all = [...run.cs.values()];
    const mains = all.filter((s) => !s.init);
    const ready = mains.every((s) => s.ready);
    const everStarted = mains.every((s) => s.started || s.restartCount > 0 || s.state.terminated);
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => ({
      type,
      status: ok ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: ts,
      ...(ok || !reason ? {} : { reason, ...(message ? { message } : {}) }),
    });
    const unready = mains.filter((s) => !s.ready).map((s) => s.c.name);
    const uninit = all.filter((s) => s.init && s.state.terminated?.exitCode !== 0).map((s) => s.c.name);
    const view = (s: CState): Obj => ({
      name: s.c.name,
      image: s.c.image,
      imageID: s.imageID ?? '',
      ...(s.containerID ? { containerID: s.containerID } : {}),
      ready: s.ready,
      started: s.init ? undefined : s.started,
      restartCount: s.restartCount,
      state: s.state,
      lastState: s.lastState,
    });
    this.reg.mutate(this.pods, run.namespace, run.name, (p) => {
      p.status = {
        phase: run.initialized && everStarted ? 'Running' : 'Pending',
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond(
            'Initialized',
            run.initialized,
            'ContainersNotInitialized',
            `containers with incomplete status: [${uninit.join(' ')}]`,
          ),
          cond('Ready', ready, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`),
          cond(
            'ContainersReady',
            ready,
            'ContainersNotReady',
            `containers with unready status: [${unready.join(' ')}]`,
          ),
          cond('PodScheduled', true),
        ],
        hostIP: run.node.ip,
        hostIPs: [{ ip: run.node.ip }],
        podIP: run.podIP,
        podIPs: [{ ip: run.podIP }],
        startTime: p.status?.startTime ?? ts,
        qosClass: 'BestEffort',
        ...(all.some((s) => s.init) ? { initContainerStatuses: all.filter((s) => s.init).map(view) } : {}),
        containerStatuses: mains.map(view),
      };
    });
  }
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

function kill(child: ChildProcess): void {
  const group = (sig: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      /* gone */
    }
  };
  group('SIGTERM');
  setTimeout(() => group('SIGKILL'), 2000).unref();
}
