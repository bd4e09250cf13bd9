// Work on a cluster's nodes over SSH: find them (VirtualMachines), read the node key,
// open the path (through the jumpbox relay, or --direct), connect with pinned host keys,
// run the work on each node in a bounded pool; a node that fails, fails alone.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { deleteJumpbox, ensureJumpbox, jumpboxName, readJumpbox } from '../kube/jumpbox.js';
import { clusterNodes, type Node, type Role } from '../kube/virtualmachines.js';
import { Tally } from '../output/spinner.js';
import { mapPool } from '../pool.js';
import { KnownHosts, knownHostsFile } from '../ssh/knownhosts.js';
import { connect, nodeCredentials, run, type NodeCredentials, type RunResult } from '../ssh/session.js';
import { direct, execRelay } from '../ssh/tunnel.js';
import { translate } from '../translate.js';
import type { Session } from './session.js';

export type { Node, Role };

/** Which nodes: every one, one role, or named ones (VM name, unique prefix or IP). */
export type NodePick = { kind: 'all' } | { kind: 'role'; role: Role } | { kind: 'names'; names: string[] };

/** How to reach the nodes: the jumpbox pod (image, pull secrets, lifetime) or directly; host keys; concurrency. */
export interface NodeAccess {
  image: string;
  pullSecrets: string[];
  ttlSeconds: number;
  keep: boolean;
  direct: boolean;
  acceptNewHostKey: boolean;
  parallel: number;
}

/** NODE as the user names it: a VM name, a unique prefix, or an IP. */
export function pickNode(nodes: readonly Node[], want: string): Node {
  const exact = nodes.find((n) => n.name === want || n.ip === want);
  if (exact) return exact;
  const prefixed = nodes.filter((n) => n.name.startsWith(want));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1)
    throw new CliError(
      'AMBIGUOUS_NODE',
      `"${want}" matches ${prefixed.length} nodes (${prefixed.map((n) => n.name).join(', ')}); give more of the name`,
    );
  throw new CliError(
    'NO_NODE',
    `no node "${want}"; nodes are ${nodes.map((n) => `${n.name} (${n.ip ?? 'no IP'})`).join(', ')}`,
  );
}

/** The nodes a pick names, in the cluster's order for all and role, in the user's order (once each) for names. */
export function selectNodes(pick: NodePick): (nodes: readonly Node[]) => Node[] {
  return (nodes) => {
    if (pick.kind === 'all') return [...nodes];
    if (pick.kind === 'role') return nodes.filter((n) => n.role === pick.role);
    return [...new Set(pick.names.map((n) => pickNode(nodes, n)))];
  };
}

/** A way to open an SSH session to a node, through the jumpbox or directly. */
interface Path {
  open: (ip: string) => Promise<Duplex>;
  done: () => Promise<void>;
}

async function openPath(
  s: Session,
  client: KubeClient,
  namespace: string,
  cluster: string,
  f: NodeAccess,
  quiet = false,
): Promise<Path> {
  if (f.direct) return { open: (ip) => direct(ip, s.timeoutMs), done: async () => undefined };
  const { pod, created } = await ensureJumpbox(client, namespace, cluster, {
    image: f.image,
    pullSecrets: f.pullSecrets,
    ttlSeconds: f.ttlSeconds,
    progress: (l) => s.printer.status(l),
    spin: quiet ? undefined : (text) => s.spinner(text),
    signal: s.signal,
  });
  const name = pod.metadata!.name!;
  // Once the pod is found gone (deleted under the run), every node not yet started fails with that.
  let gone: CliError | undefined;
  const open = async (ip: string): Promise<Duplex> => {
    if (gone) throw gone;
    try {
      return await execRelay(client, namespace, name, 'relay', ip);
    } catch (e) {
      const now = await readJumpbox(client, namespace, cluster).catch(() => pod);
      if (now && !now.metadata?.deletionTimestamp) throw e;
      gone = new CliError(
        'JUMPBOX_GONE',
        `not started: pod/${name} in namespace "${namespace}" was deleted during the run`,
      );
      throw gone;
    }
  };
  return {
    open,
    done: async () => {
      if (created && !f.keep) await deleteJumpbox(client, namespace, cluster).catch(() => undefined);
    },
  };
}

const SILENT = { update: () => undefined, stop: () => undefined };

export interface NodeSession {
  node: Node;
  conn: Client;
  run: (command: string, stdin?: string) => Promise<RunResult>;
}

/**
 * One node's outcome: the work's result, the one line that says why it failed, or that it
 * was never started because the run was interrupted.
 */
export type NodeResult<R> =
  | { node: Node; result: R; error?: undefined; skipped?: undefined }
  | { node: Node; result?: undefined; error: string; skipped?: undefined }
  | { node: Node; result?: undefined; error?: undefined; skipped: 'interrupted' };

/** Thrown by work that finds the run interrupted before it began: the node is reported as skipped. */
export class NotStarted extends Error {
  constructor() {
    super('not started: interrupted');
  }
}

/** How a batch of node work shows and stops. */
export interface NodeRun {
  /** The progress label, `push-ca` in `push-ca: 2/5 nodes done`. */
  label: string;
  /**
   * On Ctrl-C or SIGTERM, stop the commands in flight (`jumpbox exec`: SIGINT, then close)
   * instead of letting them end (push-ca: its node script is short and must not be cut).
   */
  abortInFlight: boolean;
  /** The cluster's vSphere Namespace (default: -n, else the context's). */
  namespace?: string | undefined;
  /** One of several clusters at once: no spinners and no interrupt notice of its own (the cluster pool has them). */
  quiet?: boolean;
}

interface Reach {
  cluster: string;
  creds: NodeCredentials;
  known: KnownHosts;
  path: Path;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

async function onNode<R>(node: Node, reach: Reach, work: (n: NodeSession) => Promise<R>): Promise<NodeResult<R>> {
  if (!node.ip) return { node, error: `${node.name} has no IP yet (its VirtualMachine reports none)` };
  const ip = node.ip;
  let session: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    const sock = await reach.path.open(ip);
    session = await connect(sock, {
      cluster: reach.cluster,
      ip,
      creds: reach.creds,
      knownHosts: reach.known,
      timeoutMs: reach.timeoutMs,
    });
    const conn = session.conn;
    return {
      node,
      result: await work({ node, conn, run: (cmd, stdin) => run(conn, cmd, stdin, reach.signal) }),
    };
  } catch (e) {
    if (e instanceof NotStarted) return { node, skipped: 'interrupted' };
    // A node the user can do something about fails alone; anything else is a bug and propagates.
    const err = translate(e, { doing: `node ${node.name} (${ip})`, target: ip });
    if (!(err instanceof CliError)) throw err;
    const named = err.message.includes(ip) || err.message.includes(node.name);
    return { node, error: named ? err.message : `${node.name} (${ip}): ${err.message}` };
  } finally {
    session?.close();
  }
}

/**
 * Connect to the picked nodes (concurrently, bounded) and run `work` on each; a node that
 * fails to connect or run fails alone. The shared core of `jumpbox exec|ssh` and `push-ca`.
 * Ctrl-C or SIGTERM: no node starts after it (those are `skipped`), the ones in flight end
 * (or are stopped, with `abortInFlight`), the jumpbox this run created is deleted, and the
 * run exits 130 or 143.
 */
export async function onNodes<R>(
  s: Session,
  cluster: string,
  pick: (nodes: readonly Node[]) => Node[],
  f: NodeAccess,
  o: NodeRun,
  work: (n: NodeSession) => Promise<R>,
): Promise<Array<NodeResult<R>>> {
  const [client, namespace] = await Promise.all([s.supervisor(), o.namespace ?? s.clusterNamespace()]);
  const nodes = pick(await clusterNodes(client, namespace, cluster));
  const creds = await nodeCredentials(client, namespace, cluster);
  const known = new KnownHosts(knownHostsFile(s.env, s.homedir), f.acceptNewHostKey, (l) => s.printer.status(l));
  const leftBehind =
    f.direct || f.keep
      ? undefined
      : `pod/${jumpboxName(cluster)} may be left behind: kubectl harbor jumpbox delete ${cluster} -n ${namespace}`;
  const notice = (): void =>
    s.printer.status(
      `interrupted: starting no more nodes; ${o.abortInFlight ? 'stopping' : 'finishing'} those in flight, then cleaning up (again to exit at once)`,
    );
  return s.cancellable(async () => {
    if (!o.quiet) s.signal.addEventListener('abort', notice, { once: true });
    try {
      const path = await openPath(s, client, namespace, cluster, f, o.quiet);
      const reach = {
        cluster,
        creds,
        known,
        path,
        timeoutMs: s.timeoutMs,
        signal: o.abortInFlight ? s.signal : undefined,
      };
      const tally = o.quiet
        ? new Tally(o.label, nodes.length, 'nodes', SILENT)
        : await s.tally(o.label, nodes.length, 'nodes');
      try {
        return await mapPool(nodes, f.parallel, (node) =>
          s.signal.aborted
            ? Promise.resolve<NodeResult<R>>({ node, skipped: 'interrupted' })
            : tally.run(node.name, () => onNode(node, reach, work)),
        );
      } finally {
        tally.stop();
        await path.done();
      }
    } finally {
      s.signal.removeEventListener('abort', notice);
    }
  }, leftBehind);
}
