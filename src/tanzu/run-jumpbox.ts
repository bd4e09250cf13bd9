// The jumpbox commands: the pod's life cycle, and commands on nodes over SSH through it.
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { CommandIo } from '../commands/base.js';
import { CliError, UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import type { KubeClient } from '../kube/client.js';
import { supervisorContextFor } from '../kube/vsphere.js';
import { mapPool } from '../pool.js';
import { KnownHosts, knownHostsFile } from '../ssh/knownhosts.js';
import { connect, nodeCredentials, run, shellQuote, type NodeCredentials } from '../ssh/session.js';
import { direct, execRelay } from '../ssh/tunnel.js';
import { translate } from '../translate.js';
import { deleteJumpbox, ensureJumpbox, jumpboxName, listJumpboxes } from './jumpbox.js';
import { clusterNodes, pickNode, type Node } from './nodes.js';

export interface JumpboxFlags {
  image: string;
  pullSecrets: string[];
  ttl: string;
  keep: boolean;
  direct: boolean;
  acceptNewHostKey: boolean;
  parallel: number;
}

/** The Supervisor client and namespace for a cluster: this context, or a TKC context's Supervisor. */
async function supervisor(io: CommandIo): Promise<{ client: KubeClient; namespace: string }> {
  const client = await io.kube();
  if (client.target.vsphere?.kind !== 'tkc') return { client, namespace: client.target.namespace };
  const sup = await io.kubeFor(supervisorContextFor(client.target.kc, client.target.contextName));
  if (!io.namespace) throw new UsageError(`context "${client.target.contextName}" is a TKC: pass -n with the cluster's vSphere Namespace, or use that namespace's context`);
  return { client: sup, namespace: io.namespace };
}

function ttlSeconds(ttl: string): number {
  const ms = parseDuration(ttl);
  if (!ms || ms < 60_000) throw new UsageError(`--ttl "${ttl}" must be a duration of at least 1m, such as 30m or 2h`);
  return Math.round(ms / 1000);
}

export async function jumpboxCreate(io: CommandIo, cluster: string, f: JumpboxFlags): Promise<number> {
  const { client, namespace } = await supervisor(io);
  await clusterNodes(client, namespace, cluster);
  const { pod, created } = await ensureJumpbox(client, namespace, cluster, { image: f.image, pullSecrets: f.pullSecrets, ttlSeconds: ttlSeconds(f.ttl), timeoutMs: 120_000, progress: (s) => io.printer.status(s) });
  io.printer.result({ ...pod, apiVersion: 'v1', kind: 'Pod' }, created ? 'created' : 'unchanged');
  return 0;
}

export async function jumpboxStatus(io: CommandIo, cluster: string): Promise<number> {
  const { client, namespace } = await supervisor(io);
  const [pods, nodes] = await Promise.all([listJumpboxes(client, namespace), clusterNodes(client, namespace, cluster)]);
  const pod = pods.find((p) => p.metadata?.name === jumpboxName(cluster));
  const doc = {
    cluster,
    namespace,
    jumpbox: pod ? { name: pod.metadata?.name, phase: pod.status?.phase, image: pod.spec?.containers?.[0]?.image, deadlineSeconds: pod.spec?.activeDeadlineSeconds } : null,
    nodes: nodes.map((n) => ({ name: n.name, role: n.role, ip: n.ip ?? null })),
  };
  await io.printer.document(doc, () =>
    [
      `Jumpbox: ${pod ? `${pod.metadata?.name} ${pod.status?.phase} (${pod.spec?.containers?.[0]?.image})` : 'none'}`,
      'Nodes:',
      ...nodes.map((n) => `  ${n.name.padEnd(40)} ${n.role.padEnd(13)} ${n.ip ?? '<no IP yet>'}`),
      '',
    ].join('\n'),
  );
  return 0;
}

export async function jumpboxDelete(io: CommandIo, cluster: string | undefined, all: boolean): Promise<number> {
  if (!cluster === !all) throw new UsageError('name the cluster, or pass --all');
  const { client, namespace } = await supervisor(io);
  const clusters = all ? (await listJumpboxes(client, namespace)).map((p) => p.metadata?.labels?.['kubectl-harbor/cluster'] ?? '').filter(Boolean) : [cluster!];
  for (const c of clusters) {
    const gone = await deleteJumpbox(client, namespace, c);
    io.printer.result({ apiVersion: 'v1', kind: 'Pod', metadata: { name: jumpboxName(c), namespace } }, gone ? 'deleted' : 'unchanged');
  }
  if (all && clusters.length === 0) io.printer.status(`no jumpbox in namespace "${namespace}"`);
  return 0;
}

export async function jumpboxList(io: CommandIo, all: boolean): Promise<number> {
  const client = await io.kube();
  const pods = await listJumpboxes(client, all ? undefined : client.target.namespace);
  if (io.printer.output) {
    for (const p of pods) io.printer.result({ ...p, apiVersion: 'v1', kind: 'Pod' }, 'unchanged');
    return 0;
  }
  const rows = [['NAMESPACE', 'NAME', 'CLUSTER', 'PHASE', 'IMAGE'], ...pods.map((p) => [p.metadata?.namespace ?? '', p.metadata?.name ?? '', p.metadata?.labels?.['kubectl-harbor/cluster'] ?? '', p.status?.phase ?? '', p.spec?.containers?.[0]?.image ?? ''])];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)) + 3);
  if (pods.length) io.printer.line(rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(w[i]!) : c)).join('')).join('\n'));
  else io.printer.status('no jumpbox pods');
  return 0;
}

/** A way to open an SSH session to a node, through the jumpbox or directly. */
interface Path {
  open: (ip: string) => Promise<Duplex>;
  done: () => Promise<void>;
}

async function openPath(io: CommandIo, client: KubeClient, namespace: string, cluster: string, f: JumpboxFlags): Promise<Path> {
  if (f.direct) return { open: (ip) => direct(ip, io.timeoutMs), done: async () => undefined };
  const { pod, created } = await ensureJumpbox(client, namespace, cluster, { image: f.image, pullSecrets: f.pullSecrets, ttlSeconds: ttlSeconds(f.ttl), timeoutMs: 120_000, progress: (s) => io.printer.status(s) });
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
  io: CommandIo,
  cluster: string,
  pick: (nodes: Node[]) => Node[],
  f: JumpboxFlags,
  work: (s: NodeSession) => Promise<R>,
): Promise<Array<{ node: Node; result?: R; error?: string }>> {
  const { client, namespace } = await supervisor(io);
  const nodes = pick(await clusterNodes(client, namespace, cluster));
  const creds: NodeCredentials = await nodeCredentials(client, namespace, cluster);
  const known = new KnownHosts(knownHostsFile(io.env, io.homedir), f.acceptNewHostKey, (l) => io.printer.status(l));
  const path = await openPath(io, client, namespace, cluster, f);
  try {
    return await mapPool(nodes, f.parallel, async (node) => {
      if (!node.ip) return { node, error: `${node.name} has no IP yet (its VirtualMachine reports none)` };
      let session: Awaited<ReturnType<typeof connect>> | undefined;
      try {
        const sock = await path.open(node.ip);
        session = await connect(sock, { cluster, ip: node.ip, creds, knownHosts: known, timeoutMs: io.timeoutMs });
        const s = session;
        return { node, result: await work({ node, conn: s.conn, run: (cmd, stdin) => run(s.conn, cmd, stdin), close: () => s.close() }) };
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

export function selectNodes(f: { nodes: string[]; role: string | undefined; all: boolean }): (nodes: Node[]) => Node[] {
  const chosen = [f.nodes.length > 0, f.role !== undefined, f.all].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('choose the nodes: --node NAME (repeatable), --role controlplane|node, or --all');
  if (f.role !== undefined && f.role !== 'controlplane' && f.role !== 'node') throw new UsageError(`--role must be controlplane or node, not "${f.role}"`);
  return (nodes) => (f.all ? nodes : f.role ? nodes.filter((n) => n.role === f.role) : [...new Set(f.nodes.map((n) => pickNode(nodes, n)))]);
}

export async function jumpboxExec(io: CommandIo, cluster: string, f: JumpboxFlags & { nodes: string[]; role: string | undefined; all: boolean; sudo: boolean; command: string[] }): Promise<number> {
  if (f.command.length === 0) throw new UsageError('give the command after --, e.g. jumpbox exec tkc-1 --all -- hostname');
  const pick = selectNodes(f);
  const command = f.sudo ? `sudo -n -- ${shellQuote(f.command)}` : shellQuote(f.command);
  const p = io.printer;
  const json = p.output === 'json' || p.output === 'yaml';
  const results = await onNodes(io, cluster, pick, f, async (s) => {
    const r = await s.run(command);
    if (!json) {
      for (const l of r.stdout.split('\n').slice(0, r.stdout.endsWith('\n') ? -1 : undefined)) p.line(`[${s.node.name}] ${l}`);
      for (const l of r.stderr.split('\n').filter(Boolean)) p.status(`[${s.node.name}] ${l}`);
    }
    return r;
  });
  let failed = 0;
  for (const r of results) {
    if (r.error) {
      failed++;
      if (!json) p.error(r.error);
    } else if (r.result!.code !== 0) {
      failed++;
      if (!json) p.error(`[${r.node.name}] exited ${r.result!.code}`);
    }
  }
  if (json) {
    await p.document(
      results.map((r) => ({ node: r.node.name, ip: r.node.ip ?? null, role: r.node.role, exitCode: r.result?.code ?? null, stdout: r.result?.stdout ?? '', stderr: r.result?.stderr ?? '', error: r.error ?? null })),
      () => '',
    );
  }
  return failed ? 1 : 0;
}

export async function jumpboxSsh(io: CommandIo, cluster: string, nodeName: string, f: JumpboxFlags): Promise<number> {
  const stdin = io.stdin as NodeJS.ReadStream;
  const stdout = process.stdout;
  const tty = Boolean(stdin.isTTY && stdout.isTTY);
  const results = await onNodes(io, cluster, (nodes) => [pickNode(nodes, nodeName)], { ...f, parallel: 1 }, (s) => shell(s.conn, stdin, stdout, tty, io.env.TERM));
  const r = results[0]!;
  if (r.error) throw new CliError('SSH', r.error);
  return r.result!;
}

/** An interactive shell: a PTY that follows the window size on a terminal, plain pipes otherwise; resolves with the exit code. */
function shell(conn: Client, stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream, tty: boolean, term: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const pty = tty ? { term: term || 'xterm-256color', rows: stdout.rows, cols: stdout.columns } : false;
    conn.shell(pty, (err: Error | undefined, ch: ClientChannel) => {
      if (err) return reject(new CliError('SSH', err.message));
      const resize = (): void => void ch.setWindow(stdout.rows, stdout.columns, 0, 0);
      if (tty) {
        stdin.setRawMode(true);
        stdout.on('resize', resize);
      }
      stdin.pipe(ch);
      ch.pipe(stdout, { end: false });
      ch.stderr.pipe(process.stderr, { end: false });
      ch.on('close', (code: number | null) => {
        stdin.unpipe(ch);
        if (tty) {
          stdin.setRawMode(false);
          stdout.off('resize', resize);
        }
        stdin.pause();
        resolve(code ?? 0);
      });
    });
  });
}
