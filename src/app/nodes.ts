// Work on a cluster's nodes over SSH: find them (VirtualMachines), read the node key,
// open the path (through the jumpbox relay, or --direct), connect with pinned host keys,
// run the work on each node in a bounded pool; a node that fails, fails alone.
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { mapPool } from '../pool.js';
import { KnownHosts, knownHostsFile } from '../ssh/knownhosts.js';
import { connect, nodeCredentials, run, type NodeCredentials } from '../ssh/session.js';
import { direct, execRelay } from '../ssh/tunnel.js';
import { deleteJumpbox, ensureJumpbox } from '../tanzu/jumpbox.js';
import { clusterNodes, pickNode, type Node } from '../tanzu/nodes.js';
import { translate } from '../translate.js';
import type { Session } from './session.js';

export type Role = 'controlplane' | 'node';

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

export function selectNodes(pick: NodePick): (nodes: Node[]) => Node[] {
  return (nodes) => (pick.kind === 'all' ? nodes : pick.kind === 'role' ? nodes.filter((n) => n.role === pick.role) : [...new Set(pick.names.map((n) => pickNode(nodes, n)))]);
}

/** A way to open an SSH session to a node, through the jumpbox or directly. */
interface Path {
  open: (ip: string) => Promise<Duplex>;
  done: () => Promise<void>;
}

async function openPath(s: Session, client: KubeClient, namespace: string, cluster: string, f: NodeAccess): Promise<Path> {
  if (f.direct) return { open: (ip) => direct(ip, s.timeoutMs), done: async () => undefined };
  const { pod, created } = await ensureJumpbox(client, namespace, cluster, { image: f.image, pullSecrets: f.pullSecrets, ttlSeconds: f.ttlSeconds, timeoutMs: 120_000, progress: (l) => s.printer.status(l) });
  return {
    open: (ip) => execRelay(client, namespace, pod.metadata!.name!, 'relay', ip),
    done: async () => {
      if (created && !f.keep) await deleteJumpbox(client, namespace, cluster).catch(() => undefined);
    },
  };
}

export interface NodeSession {
  node: Node;
  conn: Client;
  run: (command: string, stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;
  close: () => void;
}

/**
 * Connect to `nodes` (concurrently, bounded) and run `work` on each; a node that fails to
 * connect or run fails alone. The shared core of `jumpbox exec` and `push-ca`.
 */
export async function onNodes<R>(
  s: Session,
  cluster: string,
  pick: (nodes: Node[]) => Node[],
  f: NodeAccess,
  work: (n: NodeSession) => Promise<R>,
): Promise<Array<{ node: Node; result?: R; error?: string }>> {
  const [client, namespace] = await Promise.all([s.supervisor(), s.clusterNamespace()]);
  const nodes = pick(await clusterNodes(client, namespace, cluster));
  const creds: NodeCredentials = await nodeCredentials(client, namespace, cluster);
  const known = new KnownHosts(knownHostsFile(s.env, s.homedir), f.acceptNewHostKey, (l) => s.printer.status(l));
  const path = await openPath(s, client, namespace, cluster, f);
  try {
    return await mapPool(nodes, f.parallel, async (node) => {
      if (!node.ip) return { node, error: `${node.name} has no IP yet (its VirtualMachine reports none)` };
      let session: Awaited<ReturnType<typeof connect>> | undefined;
      try {
        const sock = await path.open(node.ip);
        session = await connect(sock, { cluster, ip: node.ip, creds, knownHosts: known, timeoutMs: s.timeoutMs });
        const c = session;
        return { node, result: await work({ node, conn: c.conn, run: (cmd, stdin) => run(c.conn, cmd, stdin), close: () => c.close() }) };
      } catch (e) {
        // A node the user can do something about fails alone; anything else is a bug and propagates.
        const err = translate(e, { doing: `node ${node.name} (${node.ip})`, target: node.ip });
        if (!(err instanceof CliError)) throw err;
        return { node, error: err.message };
      } finally {
        session?.close();
      }
    });
  } finally {
    await path.done();
  }
}
