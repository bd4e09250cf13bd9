// Commands on a cluster's nodes over SSH through the jumpbox: `jumpbox exec` (one command
// on the chosen nodes, output prefixed by node, failures counted) and `jumpbox ssh` (an
// interactive shell on one node, on the session's stdio).
import type { Readable, Writable } from 'node:stream';
import tty from 'node:tty';
import type { Client, ClientChannel } from 'ssh2';
import { CliError } from '../errors.js';
import { plural, Report } from '../output/report.js';
import type { Printer } from '../output/printer.js';
import { shellQuote, type RunResult } from '../ssh/session.js';
import {
  onNodes,
  pickNode,
  selectNodes,
  type NodeAccess,
  type NodePick,
  type NodeResult,
  type NodeSession,
} from './nodes.js';
import {
  type ClusterChoice,
  finishClusters,
  fromNodes,
  onClusters,
  resolveClusters,
  singleCluster,
} from './clusters.js';
import type { Session } from './session.js';

export interface JumpboxExecRequest {
  clusters: ClusterChoice;
  access: NodeAccess;
  pick: NodePick;
  sudo: boolean;
  command: string[];
}

export interface JumpboxSshRequest {
  cluster: string;
  access: NodeAccess;
  node: string;
}

/** The command line a node runs: the words quoted, through `sudo -n` when asked. */
export const remoteCommand = (words: string[], sudo: boolean): string =>
  sudo ? `sudo -n -- ${shellQuote(words)}` : shellQuote(words);

/** A node's output as text: stdout lines on stdout, stderr lines on stderr, each prefixed by the node. */
function echo(p: Printer, node: string, r: RunResult): void {
  for (const l of r.stdout.split('\n').slice(0, r.stdout.endsWith('\n') ? -1 : undefined)) p.line(`[${node}] ${l}`);
  for (const l of r.stderr.split('\n').filter(Boolean)) p.status(`[${node}] ${l}`);
}

/** One record per node for -o json|yaml. */
const execRecord = (r: NodeResult<RunResult>) => ({
  node: r.node.name,
  ip: r.node.ip ?? null,
  role: r.node.role,
  exitCode: r.result?.code ?? null,
  stdout: r.result?.stdout ?? '',
  stderr: r.result?.stderr ?? '',
  error: r.skipped ? `skipped (${r.skipped})` : (r.error ?? null),
});

/** A node's line in the closing count: succeeded, skipped (interrupted), or why it failed. */
function outcome(r: NodeResult<RunResult>, prefix = ''): { target: string; action?: string; error?: string } {
  const target = r.node.name;
  if (r.skipped) return { target, action: `skipped (${r.skipped})` };
  if (r.error !== undefined) return { target, error: r.error };
  if (r.result.code !== 0) return { target, error: `[${prefix}${target}] exited ${r.result.code}` };
  return { target, action: 'succeeded' };
}

/** One cluster's nodes run the command; text output prefixed by `prefix` + node as it arrives. */
function execOn(
  s: Session,
  f: JumpboxExecRequest,
  cluster: string,
  prefix = '',
  /** One of several clusters, in this namespace. */
  namespace?: string,
): Promise<Array<NodeResult<RunResult>>> {
  const command = remoteCommand(f.command, f.sudo);
  const p = s.printer;
  const run = {
    label: 'jumpbox exec',
    abortInFlight: true,
    ...(namespace ? { namespace, quiet: true } : {}),
  };
  return onNodes(s, cluster, selectNodes(f.pick), f.access, run, async (n) => {
    const r = await n.run(command);
    if (!p.structured) echo(p, `${prefix}${n.node.name}`, r);
    return r;
  });
}

export async function jumpboxExec(s: Session, f: JumpboxExecRequest): Promise<number> {
  const one = singleCluster(f.clusters);
  if (one === undefined) return execClusters(s, f);
  const p = s.printer;
  const results = await execOn(s, f, one);
  const report = new Report(p, (o) => `jumpbox exec: ${plural(o.length, 'node')}`);
  for (const r of results) {
    const o = outcome(r);
    if (o.error && !p.structured) p.error(o.error);
    report.add(o);
  }
  if (p.structured) await p.document(results.map(execRecord), () => '');
  return report.exitCode();
}

/** Several clusters: each one's nodes, lines prefixed by cluster/node, then a summary per cluster. */
async function execClusters(s: Session, f: JumpboxExecRequest): Promise<number> {
  const p = s.printer;
  const empty = { nodes: [] as Array<ReturnType<typeof execRecord>> };
  const { refs, failed } = await resolveClusters(s, f.clusters, empty);
  const run = { label: 'jumpbox exec', inFlight: 'stopping' as const, parallel: f.clusters.parallel };
  const done = await onClusters(s, refs, run, empty, async (ref, label) => {
    const results = await execOn(s, f, ref.cluster, `${label}/`, ref.namespace);
    const outcomes = results.map((r) => outcome(r, `${label}/`));
    for (const o of outcomes) if (o.error && !p.structured) p.error(o.error);
    return fromNodes(
      outcomes.map((o) => o.action ?? 'failed'),
      { nodes: results.map(execRecord) },
    );
  });
  if (!p.structured && done.length > 0) p.line('');
  return finishClusters(s, 'jumpbox exec', [...failed, ...done]);
}

/** The local end of an interactive shell: the session's streams, and the terminal when both ends are one. */
interface ShellIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  terminal?: { input: tty.ReadStream; output: tty.WriteStream; term: string };
}

export async function jumpboxSsh(s: Session, f: JumpboxSshRequest): Promise<number> {
  const { stdin, stdout, stderr } = s.stdio;
  const terminal =
    stdin instanceof tty.ReadStream && stdout instanceof tty.WriteStream && stdin.isTTY && stdout.isTTY
      ? { input: stdin, output: stdout, term: s.env.TERM || 'xterm-256color' }
      : undefined;
  const io: ShellIo = { stdin, stdout, stderr, ...(terminal ? { terminal } : {}) };
  const [r] = await onNodes(
    s,
    f.cluster,
    (nodes) => [pickNode(nodes, f.node)],
    { ...f.access, parallel: 1 },
    { label: 'jumpbox ssh', abortInFlight: true },
    (n: NodeSession) => shell(n.conn, io, s.signal),
  );
  if (!r) throw new Error('jumpbox ssh: no node result');
  if (r.skipped) throw new CliError('INTERRUPTED', `interrupted before the shell on ${r.node.name} started`);
  if (r.error !== undefined) throw new CliError('SSH', r.error);
  return r.result;
}

/**
 * An interactive shell: a PTY that follows the window size on a terminal, plain pipes
 * otherwise; resolves with the exit code. Settles however it ends: the channel's close, an
 * error of the channel or the connection, the connection closing under it, or `signal`
 * (SIGTERM; Ctrl-C on a terminal is a key for the remote shell).
 */
function shell(conn: Client, io: ShellIo, signal: AbortSignal): Promise<number> {
  const t = io.terminal;
  return new Promise((resolve, reject) => {
    let why: string | undefined;
    const onError = (e: Error): void => void (why = e.message);
    const lost = (): void => reject(new CliError('SSH', `connection lost during the shell (${why ?? 'closed'})`));
    conn.on('error', onError).on('close', lost).on('end', lost);
    const pty = t ? { term: t.term, rows: t.output.rows, cols: t.output.columns } : false;
    conn.shell(pty, (err: Error | undefined, ch: ClientChannel) => {
      if (err) return reject(new CliError('SSH', err.message));
      const stop = (): void => ch.close();
      signal.addEventListener('abort', stop, { once: true });
      ch.on('error', (e: Error) => reject(new CliError('SSH', e.message)));
      const resize = (): void => void ch.setWindow(t?.output.rows ?? 24, t?.output.columns ?? 80, 0, 0);
      t?.input.setRawMode(true);
      t?.output.on('resize', resize);
      io.stdin.pipe(ch);
      ch.pipe(io.stdout, { end: false });
      ch.stderr.pipe(io.stderr, { end: false });
      ch.on('close', (code: number | null) => {
        signal.removeEventListener('abort', stop);
        conn.off('error', onError).off('close', lost).off('end', lost);
        io.stdin.unpipe(ch);
        t?.input.setRawMode(false);
        t?.output.off('resize', resize);
        io.stdin.pause();
        resolve(code ?? 0);
      });
    });
  });
}
