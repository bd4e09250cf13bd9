// The contract with node-trust.sh, which push-ca runs under sudo on each node: its inputs
// travel on stdin as single-quoted shell assignments ahead of the script (nothing is
// interpolated into a command line), and its last line says what it did:
// `RESULT <installed|unchanged|would-install> <restarted yes|no> <verified yes|no|unknown> <changes|none>`.
import type { RunResult } from '../ssh/session.js';
import type { NodeResult } from './nodes.js';

export type Restart = 'auto' | 'always' | 'never';

const RESULTS = ['installed', 'unchanged', 'would-install'] as const;
const VERIFIED = ['yes', 'no', 'unknown'] as const;

export interface NodeOutcome {
  node: string;
  role: string;
  ip: string | null;
  /** skipped: never started (the run was interrupted); error then says why. */
  result: (typeof RESULTS)[number] | 'failed' | 'skipped';
  restarted: boolean;
  verified: (typeof VERIFIED)[number];
  changes: string[];
  error?: string;
}

export interface NodeTrustInputs {
  /** File name of the CA on the node. */
  name: string;
  /** host[:port] the node pulls from. */
  host: string;
  restart: Restart;
  dryRun: boolean;
  /** The CA certificates, PEM. */
  pem: string;
}

/** POSIX single quotes: the value is data, whatever it holds. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const isOneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T =>
  (values as readonly string[]).includes(v ?? '');

/** The script's stdin: its inputs as shell assignments, then the script. */
export function nodeTrustStdin(script: string, o: NodeTrustInputs): string {
  return [
    `NAME=${sq(o.name)}`,
    `HOST=${sq(o.host)}`,
    `RESTART=${sq(o.restart)}`,
    `DRY=${o.dryRun ? 1 : 0}`,
    `CA=${sq(o.pem)}`,
    script,
  ].join('\n');
}

/** Why a node's script failed, in one line: a denied sudo is named, else its last stderr line. */
function failure(out: RunResult): string {
  if (/sudo: a (terminal|password) is required|sudo:.*password/.test(out.stderr))
    return 'sudo was denied (vmware-system-user needs passwordless sudo)';
  return out.stderr.trim().split('\n').pop() || `exit ${out.code}`;
}

/** A node's row from its run: the script's RESULT line, or the one line that says why it failed. */
export function nodeOutcome(r: NodeResult<RunResult>): NodeOutcome {
  const base = { node: r.node.name, role: r.node.role, ip: r.node.ip ?? null };
  const failed = (error: string): NodeOutcome => ({
    ...base,
    result: 'failed',
    restarted: false,
    verified: 'unknown',
    changes: [],
    error,
  });
  if (r.skipped) return { ...failed(r.skipped), result: 'skipped' };
  if (r.error !== undefined) return failed(r.error);
  const m = /^RESULT (\S+) (\S+) (\S+) (\S+)$/m.exec(r.result.stdout);
  if (r.result.code !== 0 || !m) return failed(`${r.node.name}: ${failure(r.result)}`);
  const [, result, restarted, verified, changes] = m;
  if (!isOneOf(RESULTS, result) || !isOneOf(VERIFIED, verified))
    return failed(`${r.node.name}: unexpected script result "${m[0]}"`);
  return {
    ...base,
    result,
    restarted: restarted === 'yes',
    verified,
    changes: changes === 'none' || !changes ? [] : changes.split(','),
  };
}
