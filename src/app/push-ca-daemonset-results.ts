// How a node's result comes back from its DaemonSet pod. The pod prints one line to its log
// (`RESULT ...` as node-trust.sh does, or `FAILED <why>`) and idles; the log is read
// through the API (pods/log). Logs, not a ConfigMap the pods write: the pods then need no
// ServiceAccount token, no RBAC and no client in the image, and nothing is left to clean
// up. A pod that never prints is judged from its status: the kubelet's waiting reason
// (ErrImageNeverPull, CrashLoopBackOff, ...), a container that ended, or Pending.
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterNode } from '../kube/nodes.js';

export const DS_RESULTS = ['installed', 'unchanged', 'needs-restart', 'removed', 'would-install'] as const;
export type DsResult = (typeof DS_RESULTS)[number];
const VERIFIED = ['yes', 'no', 'unknown'] as const;

/** One node's row: the same fields as SSH mode's (node-trust.ts NodeOutcome). */
export interface DsOutcome {
  node: string;
  role: string;
  ip: string | null;
  result: DsResult | 'failed';
  restarted: boolean;
  verified: (typeof VERIFIED)[number];
  changes: string[];
  error?: string;
}

export type Reported = Omit<DsOutcome, 'node' | 'role' | 'ip'>;

const failed = (error: string): Reported => ({
  result: 'failed',
  restarted: false,
  verified: 'unknown',
  changes: [],
  error,
});

/** The last RESULT or FAILED line of a log; undefined when there is none yet. */
export function parseLog(log: string): Reported | undefined {
  const lines = log.split('\n').filter((l) => /^(RESULT|FAILED)\b/.test(l));
  const last = lines.pop();
  if (!last) return undefined;
  if (last.startsWith('FAILED')) return failed(last.slice(6).trim() || 'the pod reported a failure');
  const m = /^RESULT (\S+) (\S+) (\S+) (\S+)\s*$/.exec(last);
  const [, result, restarted, verified, changes] = m ?? [];
  const known = (DS_RESULTS as readonly string[]).includes(result ?? '');
  if (!m || !known || !(VERIFIED as readonly string[]).includes(verified ?? ''))
    return failed(`unexpected result line "${last.trim()}"`);
  return {
    result: result as DsResult,
    restarted: restarted === 'yes',
    verified: verified as (typeof VERIFIED)[number],
    changes: !changes || changes === 'none' ? [] : changes.split(','),
  };
}

/** Waiting reasons that do not resolve by themselves: the node fails at once. */
const FINAL_WAITING =
  /^(ErrImageNeverPull|InvalidImageName|ImagePullBackOff|CreateContainerConfigError|CreateContainerError|RunContainerError|CrashLoopBackOff|StartError)$/;

export interface PodState {
  /** The container has started at least once: its log is worth reading. */
  started: boolean;
  /** Why it has no result; `final`: waiting longer will not help. */
  problem?: { reason: string; final: boolean };
}

const ended = (t: { reason?: string; exitCode?: number; message?: string }): string =>
  `${t.reason ?? 'exit'} ${t.exitCode ?? ''}`.trim() + (t.message ? `: ${t.message}` : '');

/** What a pod's status says while it has printed nothing. */
export function podState(pod: V1Pod): PodState {
  const st = pod.status?.containerStatuses?.[0];
  const started = Boolean(st?.state?.running || st?.state?.terminated || st?.lastState?.terminated);
  const waiting = st?.state?.waiting;
  const last = st?.lastState?.terminated;
  if (waiting?.reason && FINAL_WAITING.test(waiting.reason)) {
    // A crash loop is named by its last exit (StartError: no /bin/sh, say), not by the back-off.
    const why = waiting.reason === 'CrashLoopBackOff' && last ? `container ended (${ended(last)})` : waiting.message;
    return { started, problem: { reason: `${waiting.reason}${why ? `: ${why}` : ''}`, final: true } };
  }
  const terminated = st?.state?.terminated;
  if (terminated) return { started, problem: { reason: `container ended (${ended(terminated)})`, final: true } };
  if (waiting?.reason)
    return {
      started,
      problem: { reason: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`, final: false },
    };
  if (pod.status?.phase === 'Pending') {
    const unscheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    return {
      started,
      problem: { reason: `Pending${unscheduled?.message ? `: ${unscheduled.message}` : ''}`, final: false },
    };
  }
  return { started };
}

/** A node's row from what was reported for it. */
export function outcomeFor(node: ClusterNode, r: Reported): DsOutcome {
  return { node: node.name, role: node.role, ip: node.ip ?? null, ...r };
}

export const failure = failed;

/** PodSecurity refused the pods (a FailedCreate event's message), or undefined. */
export function podSecurityRefusal(messages: readonly string[]): string | undefined {
  const m = messages.find((x) => /violates PodSecurity/.test(x));
  if (!m) return undefined;
  return m.slice(m.indexOf('violates PodSecurity'));
}
