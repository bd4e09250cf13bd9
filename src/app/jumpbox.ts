// The jumpbox commands: the pod's life cycle, and commands on nodes over SSH through it.
import type { Client, ClientChannel } from 'ssh2';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { deleteJumpbox, ensureJumpbox, jumpboxName, listJumpboxes } from '../tanzu/jumpbox.js';
import { clusterNodes, pickNode } from '../tanzu/nodes.js';
import { shellQuote } from '../ssh/session.js';
import { onNodes, selectNodes, type NodeAccess, type NodePick } from './nodes.js';
import type { Session } from './session.js';

export interface JumpboxCreateRequest {
  cluster: string;
  access: NodeAccess;
}

export interface JumpboxExecRequest {
  cluster: string;
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

/** The Supervisor client and the cluster's vSphere Namespace. */
export async function supervisorAndNamespace(s: Session): Promise<{ client: KubeClient; namespace: string }> {
  const [client, namespace] = await Promise.all([s.supervisor(), s.clusterNamespace()]);
  return { client, namespace };
}

export async function jumpboxCreate(s: Session, r: JumpboxCreateRequest): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  const cluster = r.cluster;
  await clusterNodes(client, namespace, cluster);
  const { pod, created } = await ensureJumpbox(client, namespace, cluster, { image: r.access.image, pullSecrets: r.access.pullSecrets, ttlSeconds: r.access.ttlSeconds, timeoutMs: 120_000, progress: (l) => s.printer.status(l) });
  s.printer.result({ ...pod, apiVersion: 'v1', kind: 'Pod' }, created ? 'created' : 'unchanged');
  return 0;
}

export async function jumpboxStatus(s: Session, cluster: string): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  const [pods, nodes] = await Promise.all([listJumpboxes(client, namespace), clusterNodes(client, namespace, cluster)]);
  const pod = pods.find((p) => p.metadata?.name === jumpboxName(cluster));
  const doc = {
    cluster,
    namespace,
    jumpbox: pod ? { name: pod.metadata?.name, phase: pod.status?.phase, image: pod.spec?.containers?.[0]?.image, deadlineSeconds: pod.spec?.activeDeadlineSeconds } : null,
    nodes: nodes.map((n) => ({ name: n.name, role: n.role, ip: n.ip ?? null })),
  };
  await s.printer.document(doc, () =>
    [
      `Jumpbox: ${pod ? `${pod.metadata?.name} ${pod.status?.phase} (${pod.spec?.containers?.[0]?.image})` : 'none'}`,
      'Nodes:',
      ...nodes.map((n) => `  ${n.name.padEnd(40)} ${n.role.padEnd(13)} ${n.ip ?? '<no IP yet>'}`),
      '',
    ].join('\n'),
  );
  return 0;
}

export async function jumpboxDelete(s: Session, cluster: string | undefined, all: boolean): Promise<number> {
  const { client, namespace } = await supervisorAndNamespace(s);
  const clusters = all ? (await listJumpboxes(client, namespace)).map((p) => p.metadata?.labels?.['kubectl-harbor/cluster'] ?? '').filter(Boolean) : [cluster!];
  for (const c of clusters) {
    const gone = await deleteJumpbox(client, namespace, c);
    s.printer.result({ apiVersion: 'v1', kind: 'Pod', metadata: { name: jumpboxName(c), namespace } }, gone ? 'deleted' : 'unchanged');
  }
  if (all && clusters.length === 0) s.printer.status(`no jumpbox in namespace "${namespace}"`);
  return 0;
}

export async function jumpboxList(s: Session, all: boolean): Promise<number> {
  const client = await s.supervisor();
  const pods = await listJumpboxes(client, all ? undefined : await s.clusterNamespace());
  if (s.printer.output) {
    for (const p of pods) s.printer.result({ ...p, apiVersion: 'v1', kind: 'Pod' }, 'unchanged');
    return 0;
  }
  if (pods.length === 0) s.printer.status('no jumpbox pods');
  s.printer.table(
    ['NAMESPACE', 'NAME', 'CLUSTER', 'PHASE', 'IMAGE'],
    pods.map((p) => [p.metadata?.namespace ?? '', p.metadata?.name ?? '', p.metadata?.labels?.['kubectl-harbor/cluster'] ?? '', p.status?.phase ?? '', p.spec?.containers?.[0]?.image ?? '']),
  );
  return 0;
}

export async function jumpboxExec(s: Session, f: JumpboxExecRequest): Promise<number> {
  const command = f.sudo ? `sudo -n -- ${shellQuote(f.command)}` : shellQuote(f.command);
  const p = s.printer;
  const json = p.structured;
  const results = await onNodes(s, f.cluster, selectNodes(f.pick), f.access, async (n) => {
    const r = await n.run(command);
    if (!json) {
      for (const l of r.stdout.split('\n').slice(0, r.stdout.endsWith('\n') ? -1 : undefined)) p.line(`[${n.node.name}] ${l}`);
      for (const l of r.stderr.split('\n').filter(Boolean)) p.status(`[${n.node.name}] ${l}`);
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

export async function jumpboxSsh(s: Session, f: JumpboxSshRequest): Promise<number> {
  const stdin = s.stdio.stdin as NodeJS.ReadStream;
  const stdout = s.stdio.stdout as NodeJS.WriteStream;
  const tty = Boolean(stdin.isTTY && stdout.isTTY);
  const results = await onNodes(s, f.cluster, (nodes) => [pickNode(nodes, f.node)], { ...f.access, parallel: 1 }, (n) => shell(n.conn, stdin, stdout, s.stdio.stderr, tty, s.env.TERM));
  const r = results[0]!;
  if (r.error) throw new CliError('SSH', r.error);
  return r.result!;
}

/** An interactive shell: a PTY that follows the window size on a terminal, plain pipes otherwise; resolves with the exit code. */
function shell(conn: Client, stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream, stderr: NodeJS.WritableStream, tty: boolean, term: string | undefined): Promise<number> {
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
      ch.stderr.pipe(stderr, { end: false });
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
