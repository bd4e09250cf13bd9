// `kubectl harbor trust`: load and show the CA, then install it in (or remove it from)
// each chosen trust store. Stores fail independently; the exit code is 1 if any failed.
import type { DryRun } from '../dryrun.js';
import { UsageError } from '../errors.js';
import type { Printer } from '../output/printer.js';
import { plural, Report } from '../output/report.js';
import type { CertInfo } from '../tls/ca.js';
import { trustEntries, type ApplyOptions, type Change, type Entry, type TrustStore } from '../trust/store.js';
import { type CaSource, loadCa } from './ca.js';
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
  cluster: string | undefined;
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
  const targets = [f.supervisor, f.tkgs, Boolean(f.cluster), f.local].filter(Boolean).length;

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
  const distributed =
    !f.remove && !f.evenIfDistributed && (f.cluster || f.tkgs) ? await distributedByVks(s, certs) : undefined;
  if (distributed) p.status(distributed);
  if (f.cluster && !distributed && !f.yes && !f.dryRun) {
    const ok = await s.prompter.confirm(
      `Changing the trust of cluster ${f.cluster} rolls all its nodes. Go on? [y/N] `,
    );
    if (ok === undefined)
      throw new UsageError(
        `changing the trust of cluster ${f.cluster} rolls all its nodes: pass --yes to go on (or use push-ca to add the CA without a roll)`,
      );
    if (!ok) return 1;
  }

  const entries = trustEntries(certs, f.name, f.source.fingerprint);
  const o: ApplyOptions = { remove: f.remove, dryRun: f.dryRun };
  const report = new Report(p, (outcomes) => `trust: ${plural(outcomes.length, 'target')}`);
  for (const store of await trustStores(s, f)) {
    const reachedByVks = store.label === 'tkgs' || store.label.startsWith('cluster/');
    if (distributed && reachedByVks) report.add({ target: store.label, action: 'unchanged' });
    else await report.attempt(store.label, () => applyTo(p, store, entries, o));
  }
  return report.exitCode();
}

/** Apply to one store and show what it did; returns the store's outcome for the closing line. */
async function applyTo(p: Printer, store: TrustStore, entries: Entry[], o: ApplyOptions): Promise<string> {
  const changes = await store.apply(entries, o);
  for (const c of changes) show(p, c);
  const changed = changes.filter((c) => c.action !== 'unchanged');
  if (changed.length === 0) return 'unchanged';
  const note = store.afterChange?.(o);
  if (note) p.warn(note);
  // Files count as one change to the store: configured, or deleted.
  if (changed[0]!.file !== undefined) return o.remove ? 'deleted' : 'configured';
  return changed[0]!.action;
}

function show(p: Printer, c: Change): void {
  if (c.object) p.result(c.object, c.action);
  else if (c.would) p.status(`would ${c.would} ${c.file} (dry run)`);
  else p.line(`${c.file} ${c.action}`);
  for (const n of c.notes) p.warn(n);
}
