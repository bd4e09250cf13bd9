// `kubectl harbor push-ca`: the CA onto every chosen node of a running cluster, over the
// jumpbox tunnel, concurrently, idempotently, one control-plane node at a time.
import { plural, Report } from '../output/report.js';
import type { Printer } from '../output/printer.js';
import type { RunResult } from '../ssh/session.js';
import { type CaSource, loadCa } from './ca.js';
import script from './node-trust.sh';
import { onNodes, selectNodes, type NodeAccess, type NodePick, type NodeResult } from './nodes.js';
import type { Session } from './session.js';

export type Restart = 'auto' | 'always' | 'never';

export interface PushCaRequest {
  cluster: string;
  access: NodeAccess;
  source: CaSource;
  /** host[:port] the nodes pull from. */
  host: string;
  /** File name of the CA on the nodes (checked). */
  name: string;
  pick: NodePick;
  restart: Restart;
  dryRun: boolean;
}

const RESULTS = ['installed', 'unchanged', 'would-install'] as const;
const VERIFIED = ['yes', 'no', 'unknown'] as const;

export interface NodeOutcome {
  node: string;
  role: string;
  ip: string | null;
  result: (typeof RESULTS)[number] | 'failed';
  restarted: boolean;
  verified: (typeof VERIFIED)[number];
  changes: string[];
  error?: string;
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const isOneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T => (values as readonly string[]).includes(v ?? '');

/** The node script's stdin: its inputs as shell assignments (single-quoted), then the script. */
export function scriptInput(o: { name: string; host: string; restart: Restart; dryRun: boolean; pem: string }): string {
  return [`NAME=${sq(o.name)}`, `HOST=${sq(o.host)}`, `RESTART=${sq(o.restart)}`, `DRY=${o.dryRun ? 1 : 0}`, `CA=${sq(o.pem)}`, script].join('\n');
}

/** Why a node's script failed, in one line: a denied sudo is named, else its last stderr line. */
function failure(out: RunResult): string {
  if (/sudo: a (terminal|password) is required|sudo:.*password/.test(out.stderr)) return 'sudo was denied (vmware-system-user needs passwordless sudo)';
  return out.stderr.trim().split('\n').pop() || `exit ${out.code}`;
}

/** A node's row from its run: the script's last RESULT line, or the failure. */
export function nodeOutcome(r: NodeResult<RunResult>): NodeOutcome {
  const base = { node: r.node.name, role: r.node.role, ip: r.node.ip ?? null };
  const failed = (error: string): NodeOutcome => ({ ...base, result: 'failed', restarted: false, verified: 'unknown', changes: [], error });
  if (r.error !== undefined) return failed(r.error);
  const m = /^RESULT (\S+) (\S+) (\S+) (\S+)$/m.exec(r.result.stdout);
  if (r.result.code !== 0 || !m) return failed(`${r.node.name}: ${failure(r.result)}`);
  const [, result, restarted, verified, changes] = m;
  if (!isOneOf(RESULTS, result) || !isOneOf(VERIFIED, verified)) return failed(`${r.node.name}: unexpected script result "${m[0]}"`);
  return { ...base, result, restarted: restarted === 'yes', verified, changes: changes === 'none' || !changes ? [] : changes.split(',') };
}

/** Run work one at a time for the control plane (a restart there must not take two API servers down together), at once otherwise. */
function controlPlaneQueue(): <T>(controlPlane: boolean, work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (controlPlane, work) => {
    if (!controlPlane) return work();
    const mine = tail.then(work);
    tail = mine.catch(() => undefined);
    return mine;
  };
}

function printRows(p: Printer, rows: NodeOutcome[]): void {
  const wide = p.output === 'wide';
  p.table(
    ['NODE', 'ROLE', 'IP', 'RESULT', 'RESTARTED', 'VERIFIED', ...(wide ? ['CHANGES'] : [])],
    rows.map((r) => [r.node, r.role, r.ip ?? '<none>', r.result, r.restarted ? 'yes' : 'no', r.verified, ...(wide ? [r.changes.join(',') || '-'] : [])]),
  );
  for (const r of rows) if (r.error) p.error(r.error);
}

export async function pushCa(s: Session, f: PushCaRequest): Promise<number> {
  const p = s.printer;
  const { certs } = await loadCa(s, f.source);
  const input = scriptInput({ name: f.name, host: f.host, restart: f.restart, dryRun: f.dryRun, pem: certs.map((c) => c.pem.trimEnd()).join('\n') });
  const queue = controlPlaneQueue();
  const results = await onNodes(s, f.cluster, selectNodes(f.pick), f.access, (n) => queue(n.node.role === 'controlplane', () => n.run('sudo -n -- sh -s', input)));
  const rows = results.map(nodeOutcome);
  if (p.structured) await p.document({ cluster: f.cluster, registry: f.host, ca: certs.map((c) => c.fingerprint), nodes: rows }, () => '');
  else printRows(p, rows);
  const report = new Report(p, (o) => `push-ca: ${plural(o.length, 'node')}`);
  for (const r of rows) report.add(r.error ? { target: r.node, error: r.error } : { target: r.node, action: r.result });
  return report.exitCode();
}
