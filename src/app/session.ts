// What one run of a command works with: the printer and prompter, stdio and the
// environment, and the Kubernetes clients it opens (built on first use, each once, all
// closed at the end). The Supervisor of a TKC context is resolved here and nowhere else.
import type { Readable, Writable } from 'node:stream';
import type { DryRun } from '../dryrun.js';
import { UsageError } from '../errors.js';
import { type Interruption, NEVER } from '../interrupt.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeTarget } from '../kube/config.js';
import type { Printer } from '../output/printer.js';
import { Prompter } from '../output/prompt.js';
import { type Progress, startProgress, Tally } from '../output/spinner.js';
import { colorEnabled } from '../output/style.js';

export interface Stdio {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** The user's home directory (~/.kube/config, ~/.docker/config.json, known_hosts). */
  homedir: string;
  /** Ctrl-C and SIGTERM (main.ts); none in-process. */
  interrupt?: Interruption;
}

/** The flags every command shares, parsed. */
export interface GlobalRequest {
  kubeconfig: string | undefined;
  context: string | undefined;
  /** -n as given; undefined means the context's namespace. */
  namespace: string | undefined;
  /** --supervisor-context: the Supervisor to use from a TKC context. */
  supervisorContext: string | undefined;
  /** 0: no limit. */
  timeoutMs: number;
  verbose: number;
  dryRun: DryRun;
}

export class Session {
  readonly prompter: Prompter;
  private readonly clients = new Map<string, KubeClient>();

  constructor(
    readonly printer: Printer,
    readonly stdio: Stdio,
    readonly global: GlobalRequest,
  ) {
    this.prompter = new Prompter(stdio.stdin, stdio.stderr);
  }

  get env(): NodeJS.ProcessEnv {
    return this.stdio.env;
  }

  get homedir(): string {
    return this.stdio.homedir;
  }

  get timeoutMs(): number {
    return this.global.timeoutMs;
  }

  /** Aborted by Ctrl-C or SIGTERM during a `cancellable` stretch of work. */
  get signal(): AbortSignal {
    return (this.stdio.interrupt ?? NEVER).signal;
  }

  /**
   * Run work that stops cleanly on `signal` (start nothing new, let what is in flight end,
   * undo what it created): a signal meanwhile aborts it instead of killing the process, and
   * the run exits 130 (SIGINT) or 143 (SIGTERM). `leftBehind`: what exiting at once (a
   * second signal) would leave, to say so.
   */
  async cancellable<T>(work: () => Promise<T>, leftBehind?: string): Promise<T> {
    const release = (this.stdio.interrupt ?? NEVER).hold(leftBehind);
    try {
      return await work();
    } finally {
      release();
    }
  }

  get dryRun(): DryRun {
    return this.global.dryRun;
  }

  /** A line logger for -vv, or undefined. */
  get trace(): ((line: string) => void) | undefined {
    return this.global.verbose >= 2 ? (line) => this.printer.debug(line, 2) : undefined;
  }

  /** The kubeconfig target of a context (default: the chosen one); no client is built. */
  async target(context = this.global.context): Promise<KubeTarget> {
    const { resolveTarget } = await import('../kube/config.js');
    return resolveTarget(
      { kubeconfig: this.global.kubeconfig, context, namespace: this.global.namespace },
      { env: this.env, homedir: this.homedir },
    );
  }

  /** The client of the chosen context. */
  kube(): Promise<KubeClient> {
    return this.clientFor(this.global.context);
  }

  /** The client of a context of the same kubeconfig (-n applies to it too), built once. */
  async clientFor(context: string | undefined): Promise<KubeClient> {
    const key = context ?? '';
    const have = this.clients.get(key);
    if (have) return have;
    const [{ KubeClient }, target] = await Promise.all([import('../kube/client.js'), this.target(context)]);
    const client = new KubeClient(target, { timeoutMs: this.timeoutMs, log: this.trace });
    this.clients.set(key, client);
    this.printer.debug(
      `context "${target.contextName}", server ${target.cluster.server}, namespace "${target.namespace}" (from ${target.namespaceSource})`,
    );
    return client;
  }

  /**
   * The Supervisor behind the chosen context: --supervisor-context when given; for a TKC
   * context, the one Supervisor context of the same vSphere user; else the context itself.
   */
  async supervisor(): Promise<KubeClient> {
    if (this.global.supervisorContext) return this.clientFor(this.global.supervisorContext);
    const me = await this.kube();
    if (me.target.vsphere?.kind !== 'tkc') return me;
    const { supervisorContextFor } = await import('../kube/vsphere.js');
    return this.clientFor(supervisorContextFor(me.target.kc, me.target.contextName));
  }

  /**
   * The vSphere Namespace a cluster lives in: -n; else the chosen context's namespace,
   * unless that context is a TKC's (which does not know it): then the namespace of
   * --supervisor-context when it sets one, else the user must say.
   */
  async clusterNamespace(): Promise<string> {
    if (this.global.namespace) return this.global.namespace;
    const me = await this.target();
    if (me.vsphere?.kind !== 'tkc' && !this.global.supervisorContext) return me.namespace;
    if (this.global.supervisorContext) {
      const sup = await this.target(this.global.supervisorContext);
      if (sup.context.namespace) return sup.context.namespace;
      if (me.vsphere?.kind !== 'tkc') return me.namespace;
    }
    throw new UsageError(
      `context "${me.contextName}" is a Tanzu Kubernetes cluster: pass -n with the cluster's vSphere Namespace, or use that namespace's context`,
    );
  }

  /** A spinner on stderr while `text` is being waited for: only on a terminal, never with -o json|yaml. */
  spinner(text: string): Promise<Progress> {
    const { stderr, env } = this.stdio;
    const enabled = !this.printer.structured;
    return startProgress(text, stderr, enabled, (o) => (this.printer.overlay = o), colorEnabled(stderr, env));
  }

  /** `label: n/total noun done, waiting on X (12s), 45s` on a terminal, for a batch of more than one item. */
  async tally(label: string, total: number, noun: string): Promise<Tally> {
    const progress = total > 1 ? await this.spinner(`${label}: 0/${total} ${noun} done`) : { update() {}, stop() {} };
    return new Tally(label, total, noun, progress);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
