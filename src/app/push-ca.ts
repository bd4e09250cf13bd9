// `kubectl harbor push-ca`: the CA onto every chosen node of a running cluster, over the
// jumpbox tunnel, concurrently, idempotently, one control-plane node at a time.
import { plural, Report } from '../output/report.js';
import type { Printer } from '../output/printer.js';
import type { CertInfo } from '../tls/pem.js';
import { type CaSource, loadCa } from './ca.js';
import {
  type ClusterChoice,
  type ClusterOutcome,
  type ClusterRef,
  clusterLabel,
  finishClusters,
  fromNodes,
  onClusters,
  resolveClusters,
  singleCluster,
} from './clusters.js';
import { distributedByVks } from './distributed.js';
import script from './node-trust.sh';
import { nodeOutcome, nodeTrustStdin, type NodeOutcome, type Restart } from './node-trust.js';
import { NotStarted, onNodes, selectNodes, type NodeAccess, type NodePick } from './nodes.js';
import type { Session } from './session.js';

export interface PushCaRequest {
  clusters: ClusterChoice;
  access: NodeAccess;
  source: CaSource;
  /** host[:port] the nodes pull from. */
  host: string;
  /** File name of the CA on the nodes (checked). */
  name: string;
  pick: NodePick;
  restart: Restart;
  /** Install the CA even when VKS already distributes it (the Harbor Supervisor Service CA). */
  evenIfDistributed: boolean;
  dryRun: boolean;
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

/** A node's row in push-ca's table, whichever way the node was reached (SSH or a DaemonSet). */
export type NodeRow = Omit<NodeOutcome, 'result'> & { result: string };

/**
 * The node table (a CLUSTER column first with several clusters), then the error lines:
 * by default each failed node's error as it is; `errorLine` words them otherwise.
 */
export function printRows<R extends NodeRow>(
  p: Printer,
  rows: R[],
  clusters?: string[],
  errorLine: (r: R, i: number) => string | undefined = (r) => (r.result === 'failed' ? r.error : undefined),
): void {
  const wide = p.output === 'wide';
  p.table(
    [
      ...(clusters ? ['CLUSTER'] : []),
      'NODE',
      'ROLE',
      'IP',
      'RESULT',
      'RESTARTED',
      'VERIFIED',
      ...(wide ? ['CHANGES'] : []),
    ],
    rows.map((r, i) => [
      ...(clusters ? [clusters[i]!] : []),
      r.node,
      r.role,
      r.ip ?? '<none>',
      r.result === 'skipped' ? `skipped (${r.error})` : r.result,
      r.restarted ? 'yes' : 'no',
      r.verified,
      ...(wide ? [r.changes.join(',') || '-'] : []),
    ]),
  );
  for (const [i, r] of rows.entries()) {
    const line = r.error ? errorLine(r, i) : undefined;
    if (line) p.error(line);
  }
}

const NO_NODES = { nodes: [] as NodeOutcome[] };

/** The CA and the script input, ready for any number of clusters. */
interface Prepared {
  certs: CertInfo[];
  input: string;
}

export async function pushCa(s: Session, f: PushCaRequest): Promise<number> {
  const p = s.printer;
  // Several clusters are found before the CA is shown: finding none is the first thing to say.
  const target = singleCluster(f.clusters) ?? (await resolveClusters(s, f.clusters, NO_NODES));
  const { certs } = await loadCa(s, f.source);
  const distributed = f.evenIfDistributed ? undefined : await distributedByVks(s, certs);
  if (distributed) {
    p.status(`push-ca: ${distributed}; the nodes were not contacted`);
    return 0;
  }
  const input = nodeTrustStdin(script, {
    name: f.name,
    host: f.host,
    restart: f.restart,
    dryRun: f.dryRun,
    pem: certs.map((c) => c.pem.trimEnd()).join('\n'),
  });
  if (typeof target !== 'string') return pushCaClusters(s, f, target, { certs, input });
  const rows = await pushCaNodes(s, f, input, target);
  if (p.structured)
    await p.document({ cluster: target, registry: f.host, ca: certs.map((c) => c.fingerprint), nodes: rows }, () => '');
  else printRows(p, rows);
  const report = new Report(p, (o) => `push-ca: ${plural(o.length, 'node')}`);
  for (const r of rows)
    report.add(
      r.result === 'failed'
        ? { target: r.node, error: r.error }
        : { target: r.node, action: r.result === 'skipped' ? `skipped (${r.error})` : r.result },
    );
  return report.exitCode();
}

/** One cluster's nodes: the script on each, the control plane one at a time. */
async function pushCaNodes(
  s: Session,
  f: PushCaRequest,
  input: string,
  cluster: string,
  /** One of several clusters, in this namespace. */
  namespace?: string,
): Promise<NodeOutcome[]> {
  const queue = controlPlaneQueue();
  const results = await onNodes(
    s,
    cluster,
    selectNodes(f.pick),
    f.access,
    { label: 'push-ca', abortInFlight: false, ...(namespace ? { namespace, quiet: true } : {}) },
    (n) =>
      queue(n.node.role === 'controlplane', async () => {
        // A control-plane node still queued when the run is interrupted does not start.
        if (s.signal.aborted) throw new NotStarted();
        return n.run('sudo -n -- sh -s', input);
      }),
  );
  return results.map(nodeOutcome);
}

/** Several clusters: each one's nodes as above, the node rows of all, then a summary per cluster. */
async function pushCaClusters(
  s: Session,
  f: PushCaRequest,
  { refs, failed }: { refs: ClusterRef[]; failed: Array<ClusterOutcome<typeof NO_NODES>> },
  prepared: Prepared,
): Promise<number> {
  const p = s.printer;
  const run = { label: 'push-ca', inFlight: 'finishing' as const, parallel: f.clusters.parallel };
  const done = await onClusters(s, refs, run, NO_NODES, async (ref) => {
    const nodes = await pushCaNodes(s, f, prepared.input, ref.cluster, ref.namespace);
    return fromNodes(
      nodes.map((n) => (n.result === 'skipped' ? `skipped (${n.error})` : n.result)),
      { nodes },
    );
  });
  const outcomes = [...failed, ...done];
  if (!p.structured) {
    const label = clusterLabel(outcomes);
    const rows = outcomes.flatMap((o) => o.data.nodes.map((n) => ({ n, c: label(o) })));
    printRows(
      p,
      rows.map((r) => r.n),
      rows.map((r) => r.c),
    );
    if (rows.length > 0) p.line('');
  }
  return finishClusters(s, 'push-ca', outcomes, {
    registry: f.host,
    ca: prepared.certs.map((c) => c.fingerprint),
  });
}
