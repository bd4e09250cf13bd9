// Waiting for every node's DaemonSet pod to report, with a deadline: each round lists this
// run's pods, reads the log of each pod that started and has not reported yet, fails a node
// at once on a reason that will not resolve (ErrImageNeverPull, CrashLoopBackOff, ...), and
// reads the DaemonSet's events while a node has no pod: a PodSecurity refusal ends the run.
// At the deadline a node that never reported is failed with the last thing known about it.
import type { V1Pod } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { eventsFor, listPods, podLog } from '../kube/daemonset.js';
import type { ClusterNode } from '../kube/nodes.js';
import { mapPool } from '../pool.js';
import {
  type DsOutcome,
  failure,
  outcomeFor,
  parseLog,
  podSecurityRefusal,
  podState,
  type Reported,
} from './push-ca-daemonset-results.js';
import type { Session } from './session.js';

/** The namespace's PodSecurity level refuses the pods; `detail` is the admission message. */
export class PodSecurityRefused extends CliError {
  constructor(readonly refusal: string) {
    super('POD_SECURITY', refusal);
  }
}

export interface WaitSpec {
  client: KubeClient;
  /** The DaemonSet whose events say why pods are missing. */
  daemonSet: string;
  /** Its uid: events of an earlier DaemonSet of the same name (kept for an hour) are not about this one. */
  uid: string | undefined;
  /** This run's pods. */
  selector: string;
  nodes: readonly ClusterNode[];
  /** Epoch ms. */
  deadline: number;
  /** Progress label. */
  label: string;
  /** No progress of its own (one of several clusters, whose progress is shown). */
  quiet?: boolean;
  /** Time between rounds; default 1 s. */
  pollMs?: number;
}

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** The newest live pod on each node. */
function podsByNode(pods: V1Pod[]): Map<string, V1Pod> {
  const out = new Map<string, V1Pod>();
  const at = (p: V1Pod) => String(p.metadata?.creationTimestamp ?? '');
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (!node || p.metadata?.deletionTimestamp) continue;
    const have = out.get(node);
    if (!have || at(p) >= at(have)) out.set(node, p);
  }
  return out;
}

/** Why pods are missing, from the DaemonSet's FailedCreate events; throws on a PodSecurity refusal. */
async function createFailure(w: WaitSpec): Promise<string | undefined> {
  const events = await eventsFor(w.client, 'DaemonSet', w.daemonSet);
  const messages = events
    .filter((e) => e.reason === 'FailedCreate' && (!w.uid || e.involvedObject?.uid === w.uid))
    .map((e) => e.message ?? '');
  const refused = podSecurityRefusal(messages);
  if (refused) throw new PodSecurityRefused(refused);
  return messages.at(-1);
}

interface Round {
  done: Map<string, Reported>;
  /** The last problem seen per node, for the deadline. */
  seen: Map<string, string>;
}

async function oneRound(w: WaitSpec, r: Round, report: (node: string) => void): Promise<Map<string, V1Pod>> {
  const pods = podsByNode(await listPods(w.client, w.selector));
  const pending = w.nodes.filter((n) => !r.done.has(n.name));
  await mapPool(pending, 8, async (n) => {
    const pod = pods.get(n.name);
    if (!pod) return;
    const name = pod.metadata?.name ?? '';
    const st = podState(pod);
    const logged = st.started ? parseLog(await podLog(w.client, name)) : undefined;
    if (logged) r.done.set(n.name, logged);
    else if (st.problem?.final) r.done.set(n.name, failure(`pod/${name}: ${st.problem.reason}`));
    else r.seen.set(n.name, `pod/${name}: ${st.problem?.reason ?? `${pod.status?.phase ?? 'Pending'}, no result yet`}`);
    if (r.done.has(n.name)) report(n.name);
  });
  return pods;
}

/** Wait until every node reported or the deadline passed; one row per node, in `nodes` order. */
export async function waitForNodes(s: Session, w: WaitSpec): Promise<DsOutcome[]> {
  const r: Round = { done: new Map(), seen: new Map() };
  const tally = w.quiet ? undefined : await s.tally(w.label, w.nodes.length, 'nodes');
  for (const n of w.nodes) tally?.begin(n.name);
  try {
    for (;;) {
      const pods = await oneRound(w, r, (node) => tally?.end(node));
      const pending = w.nodes.filter((n) => !r.done.has(n.name));
      if (pending.length === 0) break;
      const why = pending.some((n) => !pods.has(n.name)) ? await createFailure(w) : undefined;
      const over = Date.now() >= w.deadline;
      if (over || s.signal.aborted) {
        for (const n of pending) {
          const reason = s.signal.aborted
            ? 'interrupted before it reported'
            : (r.seen.get(n.name) ?? `no pod was created on this node${why ? `: ${why}` : ''}`);
          r.done.set(n.name, failure(over && !s.signal.aborted ? `did not report in time (${reason})` : reason));
        }
        break;
      }
      await pause(w.pollMs ?? 1000, s.signal);
    }
  } finally {
    tally?.stop();
  }
  return w.nodes.map((n) => outcomeFor(n, r.done.get(n.name)!));
}
