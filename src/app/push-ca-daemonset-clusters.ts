// `push-ca --via daemonset` on several clusters (CLUSTER arguments, or --all-clusters over -n,
// --namespaces or -A), as pushCaClusters does over SSH: each cluster's API reached on its own
// (its context, else its kubeconfig secret in the vSphere Namespace it was found in), its
// DaemonSet applied and waited for, at most --parallel-clusters at once; a cluster that fails
// (no access, PodSecurity, no image, a node that failed) fails alone. Each cluster's status
// lines are tagged `push-ca [tkc-1]`; the node rows of all gain a CLUSTER column, a summary per
// cluster follows, and -o json nests the nodes under `clusters[]`.
import {
  type ClusterOutcome,
  type ClusterRef,
  clusterLabel,
  finishClusters,
  fromNodes,
  onClusters,
} from './clusters.js';
import {
  advise,
  type Base,
  planFor,
  printRows,
  type PushCaDaemonSetRequest,
  runPlan,
  type Where,
} from './push-ca-daemonset.js';
import type { DsOutcome } from './push-ca-daemonset-results.js';
import type { Session } from './session.js';

type Nodes = { nodes: DsOutcome[] };
const NO_NODES: Nodes = { nodes: [] };

/** One cluster: reached, installed or removed; its rows. */
async function onCluster(s: Session, f: PushCaDaemonSetRequest, w: Where, base: Base): Promise<DsOutcome[]> {
  const { access, plan, nodes } = await planFor(s, f, w, base);
  try {
    return await runPlan(s, f, w, plan, nodes);
  } finally {
    access.close();
  }
}

/** The node rows of every cluster, with a CLUSTER column, then a blank line before the summary. */
function printAllRows(s: Session, outcomes: ReadonlyArray<ClusterOutcome<Nodes>>): void {
  const label = clusterLabel(outcomes);
  const rows = outcomes.flatMap((o) => o.data.nodes.map((n) => ({ n, c: label(o) })));
  printRows(
    s.printer,
    rows.map((r) => r.n),
    rows.map((r) => r.c),
  );
  if (rows.length > 0) s.printer.line('');
}

export async function dsClusters(
  s: Session,
  f: PushCaDaemonSetRequest,
  { refs, failed }: { refs: ClusterRef[]; failed: Array<ClusterOutcome<Nodes>> },
  base: Base,
  fp: string[],
): Promise<number> {
  const run = {
    label: f.remove ? 'push-ca --remove' : 'push-ca',
    inFlight: 'finishing' as const,
    parallel: f.clusters.parallel,
  };
  const advice = new Map<string, () => boolean>();
  const key = (r: ClusterRef): string => `${r.namespace}/${r.cluster}`;
  const done = await onClusters(s, refs, run, NO_NODES, async (ref, label) => {
    const w: Where = { cluster: ref.cluster, namespace: ref.namespace, label };
    const rows = await onCluster(s, f, w, base);
    // Said after the tables, each tagged with its cluster, in the order of the summary.
    advice.set(key(ref), () => advise(s, f, w, rows, fp));
    const outcome = fromNodes(
      rows.map((r) => r.result),
      { nodes: rows },
    );
    // Not done yet where containerd has no config_path: the cluster says so (and the run exits 1, as for one cluster).
    const needs = outcome.result === 'done' && rows.some((r) => r.result === 'needs-restart');
    return needs ? { ...outcome, result: 'needs-restart' } : outcome;
  });
  const outcomes = [...failed, ...done];
  if (!s.printer.structured) printAllRows(s, outcomes);
  const code = await finishClusters(s, `push-ca${f.remove ? ' --remove' : ''}`, outcomes, {
    registry: f.host,
    via: 'daemonset',
    ca: fp,
  });
  const needs = outcomes.map((o) => advice.get(key(o))?.() ?? false).some(Boolean);
  return needs ? Math.max(code, 1) : code;
}
