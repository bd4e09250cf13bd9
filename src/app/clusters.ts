// Many clusters in one command (push-ca, jumpbox exec, trust --cluster): the clusters a
// request names (CLUSTER arguments, or --all-clusters: every TanzuKubernetesCluster and
// Cluster in -n, --namespaces or -A, once each), worked on in a bounded pool in which a
// failing cluster fails alone, then a summary per cluster (text) or one document that nests
// each cluster's rows (-o json|yaml). Ctrl-C or SIGTERM: no cluster starts after it.
import { ApiError, CliError } from '../errors.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { plural, Report } from '../output/report.js';
import { mapPool } from '../pool.js';
import { translate } from '../translate.js';
import { listClusters } from '../trust/cluster-list.js';
import type { Session } from './session.js';

export type ClusterSelection = { kind: 'named'; names: string[] } | { kind: 'all'; namespaces: NamespaceSelection };

export interface ClusterChoice {
  selection: ClusterSelection;
  /** Clusters worked on at once. */
  parallel: number;
}

export interface ClusterRef {
  namespace: string;
  cluster: string;
}

/** Exactly one CLUSTER and no --all-clusters: the command prints what it always printed for one cluster. */
export function singleCluster(c: ClusterChoice): string | undefined {
  return c.selection.kind === 'named' && c.selection.names.length === 1 ? c.selection.names[0] : undefined;
}

/** What one cluster's work comes to: `done`, `failed` or a store's action; the summary's detail; its rows. */
export interface ClusterResult<D extends object> {
  result: string;
  detail: string;
  error?: string;
  /** The cluster's rows for -o json|yaml, e.g. `{nodes: [...]}`. */
  data: D;
}

export type ClusterOutcome<D extends object> = ClusterRef & ClusterResult<D>;

/** The clusters' names as shown: `cluster`, or `namespace/cluster` when they span namespaces. */
export function clusterLabel(refs: readonly ClusterRef[]): (ref: ClusterRef) => string {
  const spans = new Set(refs.map((r) => r.namespace)).size > 1;
  return (ref) => (spans ? `${ref.namespace}/${ref.cluster}` : ref.cluster);
}

async function namespacesOf(s: Session, sel: NamespaceSelection): Promise<string[]> {
  if (sel.kind === 'context') return [await s.clusterNamespace()];
  return resolveNamespaces(sel, await s.supervisor());
}

/**
 * The clusters a choice names: CLUSTER arguments in the cluster namespace (-n, else the
 * context's), or every cluster of the chosen namespaces. A namespace whose clusters cannot
 * be listed is a failed row of its own, except under -A where one the user may not list in is
 * skipped (said once); finding no cluster at all is an error.
 */
export async function resolveClusters<D extends object>(
  s: Session,
  c: ClusterChoice,
  empty: D,
): Promise<{ refs: ClusterRef[]; failed: Array<ClusterOutcome<D>> }> {
  if (c.selection.kind === 'named') {
    const namespace = await s.clusterNamespace();
    return { refs: c.selection.names.map((cluster) => ({ namespace, cluster })), failed: [] };
  }
  const everywhere = c.selection.namespaces.kind === 'all';
  const [client, namespaces] = await Promise.all([s.supervisor(), namespacesOf(s, c.selection.namespaces)]);
  const listed = await mapPool(namespaces, 8, async (namespace) => {
    try {
      return { namespace, names: await listClusters(client, namespace) };
    } catch (e) {
      const err = translate(e, { doing: `listing the clusters in namespace "${namespace}"` });
      if (!(err instanceof CliError)) throw err;
      if (everywhere && err instanceof ApiError && err.status === 403) return { namespace, names: [], forbidden: true };
      if (!s.printer.structured) s.printer.error(err.message);
      return { namespace, names: [], error: err.message };
    }
  });
  const forbidden = listed.filter((l) => l.forbidden).map((l) => l.namespace);
  if (forbidden.length > 0)
    s.printer.status(
      `-A: skipped ${plural(forbidden.length, 'namespace')} this user may not list clusters in: ${forbidden.join(', ')}`,
    );
  const refs = listed.flatMap((l) => l.names.map((cluster) => ({ namespace: l.namespace, cluster })));
  const failed = listed.flatMap((l) =>
    l.error === undefined
      ? []
      : [{ namespace: l.namespace, cluster: '-', result: 'failed', detail: l.error, error: l.error, data: empty }],
  );
  if (refs.length === 0 && failed.length === 0)
    throw new CliError(
      'NO_CLUSTERS',
      `no TanzuKubernetesCluster or Cluster in ${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.map((n) => `"${n}"`).join(', ')}`,
    );
  return { refs, failed };
}

/** How a batch of clusters shows and stops. */
export interface ClusterRun {
  /** `push-ca` in `push-ca: 2/5 clusters done`. */
  label: string;
  /** What happens to the work in flight on Ctrl-C: `stopping` (jumpbox exec) or `finishing` (push-ca). */
  inFlight: 'stopping' | 'finishing';
  parallel: number;
}

/**
 * Run `work` on each cluster, at most `parallel` at once; a cluster whose work throws a
 * failure the user can act on fails alone (its one line is its detail). After Ctrl-C or
 * SIGTERM no cluster starts: those are `skipped (interrupted)`.
 */
export async function onClusters<D extends object>(
  s: Session,
  refs: readonly ClusterRef[],
  o: ClusterRun,
  empty: D,
  work: (ref: ClusterRef, label: string) => Promise<ClusterResult<D>>,
): Promise<Array<ClusterOutcome<D>>> {
  const label = clusterLabel(refs);
  const notice = (): void =>
    s.printer.status(
      `interrupted: starting no more clusters or nodes; ${o.inFlight} those in flight, then cleaning up (again to exit at once)`,
    );
  return s.cancellable(async () => {
    s.signal.addEventListener('abort', notice, { once: true });
    const tally = await s.tally(o.label, refs.length, 'clusters');
    try {
      return await mapPool(refs, o.parallel, async (ref): Promise<ClusterOutcome<D>> => {
        if (s.signal.aborted) return { ...ref, result: 'skipped (interrupted)', detail: 'not started', data: empty };
        return { ...ref, ...(await tally.run(label(ref), () => attempt(s, ref, label(ref), empty, work))) };
      });
    } finally {
      tally.stop();
      s.signal.removeEventListener('abort', notice);
    }
  });
}

/** One cluster's work; a failure the user can act on is its one `error:` line (text) and its summary detail. */
async function attempt<D extends object>(
  s: Session,
  ref: ClusterRef,
  label: string,
  empty: D,
  work: (ref: ClusterRef, label: string) => Promise<ClusterResult<D>>,
): Promise<ClusterResult<D>> {
  try {
    return await work(ref, label);
  } catch (e) {
    const err = translate(e, { doing: `cluster ${ref.cluster} in namespace "${ref.namespace}"` });
    if (!(err instanceof CliError)) throw err;
    const line = err.message.includes(ref.cluster) ? err.message : `cluster ${label}: ${err.message}`;
    if (!s.printer.structured) s.printer.error(line);
    return { result: 'failed', detail: line, error: line, data: empty };
  }
}

/** `3 nodes: 2 installed, 1 failed` from each node's result. */
export function nodeDetail(results: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  return `${plural(results.length, 'node')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** A cluster's result from its nodes' (`failed` for a failed node): failed if any failed, interrupted if any was not started. */
export function fromNodes<D extends object>(results: readonly string[], data: D): ClusterResult<D> {
  const failed = results.filter((r) => r === 'failed').length;
  const skipped = results.some((r) => r.startsWith('skipped'));
  return {
    result: failed ? 'failed' : skipped ? 'interrupted' : 'done',
    detail: nodeDetail(results),
    ...(failed ? { error: `${plural(failed, 'node')} failed` } : {}),
    data,
  };
}

/**
 * The end of a multi-cluster run: with -o json|yaml one document, `{...top, clusters: [{namespace,
 * cluster, result, error?, ...data}]}`; else (but for -o name) the summary table (CLUSTER NAMESPACE RESULT DETAIL)
 * and the closing count on stderr. Returns 1 when any cluster failed.
 */
export async function finishClusters<D extends object>(
  s: Session,
  subject: string,
  outcomes: ReadonlyArray<ClusterOutcome<D>>,
  top: Record<string, unknown> = {},
): Promise<number> {
  const p = s.printer;
  const label = clusterLabel(outcomes);
  if (p.structured) {
    const clusters = outcomes.map((o) => ({
      namespace: o.namespace,
      cluster: o.cluster,
      result: o.result,
      ...(o.error !== undefined ? { error: o.error } : {}),
      ...o.data,
    }));
    await p.document({ ...top, clusters }, () => '');
  } else if (p.output !== 'name') {
    p.table(
      ['CLUSTER', 'NAMESPACE', 'RESULT', 'DETAIL'],
      outcomes.map((o) => [o.cluster, o.namespace, o.result, o.detail]),
    );
  }
  const report = new Report(p, (all) => `${subject}: ${plural(all.length, 'cluster')}`);
  for (const o of outcomes)
    report.add(o.error !== undefined ? { target: label(o), error: o.error } : { target: label(o), action: o.result });
  return report.exitCode();
}
