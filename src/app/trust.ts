// `kubectl harbor trust`: load and show the CA, then install it in (or remove it from)
// each chosen trust store. Stores fail independently; the exit code is 1 if any failed.
import type { DryRun } from '../dryrun.js';
import { UsageError } from '../errors.js';
import type { Printer } from '../output/printer.js';
import { plural, Report } from '../output/report.js';
import type { CertInfo } from '../tls/ca.js';
import { trustEntries, type ApplyOptions, type Change, type Entry, type TrustStore } from '../trust/store.js';
import { type CaSource, loadCa } from './ca.js';
import {
  type ClusterChoice,
  type ClusterOutcome,
  type ClusterRef,
  finishClusters,
  onClusters,
  resolveClusters,
  singleCluster,
} from './clusters.js';
import { distributedByVks } from './distributed.js';
import type { Session } from './session.js';
import { trustStores } from './trust-stores.js';

export interface TrustRequest {
  /** The registry host[:port] (from REGISTRY or --from-registry); needed by --local. */
  host: string | undefined;
  source: CaSource;
  /** The entry name (checked); a bundle's further CAs get -2, -3, ... */
  name: string;
  supervisor: boolean;
  tkgs: boolean;
  /** --cluster NAME... or --all-clusters; undefined when the cluster is no target. */
  clusters: ClusterChoice | undefined;
  local: boolean;
  containerdDir: string | undefined;
  remove: boolean;
  yes: boolean;
  /** Add the CA to clusters and TKGS even when VKS already distributes it (the Harbor Supervisor Service's). */
  evenIfDistributed: boolean;
  dryRun: DryRun;
}

export async function trust(s: Session, f: TrustRequest): Promise<number> {
  const p = s.printer;
  const targets = [f.supervisor, f.tkgs, Boolean(f.clusters), f.local].filter(Boolean).length;

  // The CA: loaded and shown; for --remove, the name or fingerprint may be enough.
  let certs: CertInfo[] = [];
  if (f.source.caFile || f.source.fromRegistry) {
    certs = (await loadCa(s, { ...f.source, yes: f.yes || f.remove || targets === 0 })).certs;
  }
  if (targets === 0) {
    for (const c of certs) p.line(c.pem.trimEnd());
    p.status('no target given (--supervisor, --tkgs, --cluster, --local): the CA is printed above');
    return 0;
  }
  const cluster = f.clusters && singleCluster(f.clusters);
  const many = f.clusters && cluster === undefined ? await resolveClusters(s, f.clusters, NO_OBJECTS) : undefined;
  const distributed =
    !f.remove && !f.evenIfDistributed && (f.clusters || f.tkgs) ? await distributedByVks(s, certs) : undefined;
  if (distributed) p.status(distributed);
  const names = cluster !== undefined ? [cluster] : (many?.refs.map((r) => r.cluster) ?? []);
  if (names.length > 0 && !distributed && !f.yes && !f.dryRun && !(await rollConfirmed(s, names))) return 1;

  const entries = trustEntries(certs, f.name, f.source.fingerprint);
  const o: ApplyOptions = { remove: f.remove, dryRun: f.dryRun };
  const report = new Report(p, (outcomes) => `trust: ${plural(outcomes.length, 'target')}`);
  const objects: object[] = [];
  const collect = many && p.structured ? (obj: object) => void objects.push(obj) : undefined;
  for (const store of await trustStores(s, { ...f, cluster })) {
    const reachedByVks = store.label === 'tkgs' || store.label.startsWith('cluster/');
    if (distributed && reachedByVks) report.add({ target: store.label, action: 'unchanged' });
    else await report.attempt(store.label, () => applyTo(p, store, entries, o, collect));
  }
  const code = report.exitCode();
  if (!many || !f.clusters) return code;
  const clusters = await trustClusters(s, many, {
    entries,
    o,
    distributed: Boolean(distributed),
    parallel: f.clusters.parallel,
  });
  return Math.max(
    code,
    await finishClusters(s, 'trust', clusters, f.supervisor || f.tkgs || f.local ? { objects } : {}),
  );
}

const NO_OBJECTS = { objects: [] as object[] };

/** Changing a cluster's trust rolls its nodes: ask first (a terminal), or refuse without --yes. */
async function rollConfirmed(s: Session, names: string[]): Promise<boolean> {
  const which = names.length === 1 ? `cluster ${names[0]}` : `clusters ${names.join(', ')}`;
  const ok = await s.prompter.confirm(
    `Changing the trust of ${which} rolls all ${names.length === 1 ? 'its' : 'their'} nodes. Go on? [y/N] `,
  );
  if (ok === undefined)
    throw new UsageError(
      `changing the trust of ${which} rolls all ${names.length === 1 ? 'its' : 'their'} nodes: pass --yes to go on (or use push-ca to add the CA without a roll)`,
    );
  return ok;
}

/** Several clusters' own trust, in a pool; each cluster's objects are its rows for -o json|yaml. */
async function trustClusters(
  s: Session,
  many: { refs: ClusterRef[]; failed: Array<ClusterOutcome<typeof NO_OBJECTS>> },
  w: { entries: Entry[]; o: ApplyOptions; distributed: boolean; parallel: number },
): Promise<Array<ClusterOutcome<typeof NO_OBJECTS>>> {
  const p = s.printer;
  const sup = await s.supervisor();
  const { ClusterStore } = await import('../trust/cluster.js');
  const run = { label: 'trust', inFlight: 'finishing' as const, parallel: w.parallel };
  const done = await onClusters(s, many.refs, run, NO_OBJECTS, async (ref) => {
    if (w.distributed) return { result: 'unchanged', detail: 'VKS installs this CA', data: { objects: [] } };
    const objects: object[] = [];
    const store = new ClusterStore(sup, ref.namespace, ref.cluster);
    const action = await applyTo(p, store, w.entries, w.o, p.structured ? (obj) => void objects.push(obj) : undefined);
    return { result: action, detail: store.label, data: { objects } };
  });
  return [...many.failed, ...done];
}

/** Apply to one store and show what it did; returns the store's outcome for the closing line. */
async function applyTo(
  p: Printer,
  store: TrustStore,
  entries: Entry[],
  o: ApplyOptions,
  collect?: (obj: object) => void,
): Promise<string> {
  const changes = await store.apply(entries, o);
  for (const c of changes) show(p, c, collect);
  const changed = changes.filter((c) => c.action !== 'unchanged');
  if (changed.length === 0) return 'unchanged';
  const note = store.afterChange?.(o);
  if (note) p.warn(note);
  // Files count as one change to the store: configured, or deleted.
  if (changed[0]!.file !== undefined) return o.remove ? 'deleted' : 'configured';
  return changed[0]!.action;
}

function show(p: Printer, c: Change, collect?: (obj: object) => void): void {
  if (c.object && collect) collect(c.object);
  else if (c.object) p.result(c.object, c.action);
  else if (c.would) p.status(`would ${c.would} ${c.file} (dry run)`);
  else p.line(`${c.file} ${c.action}`);
  for (const n of c.notes) p.warn(n);
}
