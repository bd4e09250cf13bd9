// `kubectl harbor push-ca`: the CA onto every chosen node of a running cluster, over the
// jumpbox tunnel, concurrently, idempotently, one control-plane node at a time.
import { plural, Report } from '../output/report.js';
import type { Printer } from '../output/printer.js';
import { type CaSource, loadCa } from './ca.js';
import { distributedByVks } from './distributed.js';
import script from './node-trust.sh';
import { nodeOutcome, nodeTrustStdin, type NodeOutcome, type Restart } from './node-trust.js';
import { NotStarted, onNodes, selectNodes, type NodeAccess, type NodePick } from './nodes.js';
import type { Session } from './session.js';

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

function printRows(p: Printer, rows: NodeOutcome[]): void {
  const wide = p.output === 'wide';
  p.table(
    ['NODE', 'ROLE', 'IP', 'RESULT', 'RESTARTED', 'VERIFIED', ...(wide ? ['CHANGES'] : [])],
    rows.map((r) => [
      r.node,
      r.role,
      r.ip ?? '<none>',
      r.result === 'skipped' ? `skipped (${r.error})` : r.result,
      r.restarted ? 'yes' : 'no',
      r.verified,
      ...(wide ? [r.changes.join(',') || '-'] : []),
    ]),
  );
  for (const r of rows) if (r.error && r.result === 'failed') p.error(r.error);
}

export async function pushCa(s: Session, f: PushCaRequest): Promise<number> {
  const p = s.printer;
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
  const queue = controlPlaneQueue();
  const results = await onNodes(
    s,
    f.cluster,
    selectNodes(f.pick),
    f.access,
    { label: 'push-ca', abortInFlight: false },
    (n) =>
      queue(n.node.role === 'controlplane', async () => {
        // A control-plane node still queued when the run is interrupted does not start.
        if (s.signal.aborted) throw new NotStarted();
        return n.run('sudo -n -- sh -s', input);
      }),
  );
  const rows = results.map(nodeOutcome);
  if (p.structured)
    await p.document(
      { cluster: f.cluster, registry: f.host, ca: certs.map((c) => c.fingerprint), nodes: rows },
      () => '',
    );
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
