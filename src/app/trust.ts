// `kubectl harbor trust`: load and show the CA, then install it in (or remove it from)
// each chosen target. Targets fail independently; the exit code is 1 if any failed.
import path from 'node:path';
import type { DryRun } from '../dryrun.js';
import { UsageError } from '../errors.js';
import { plural, Report } from '../output/report.js';
import type { CertInfo } from '../tls/ca.js';
import { clusterTrust, supervisorBundle, tkgsTrust, type Change, type Entry } from '../tanzu/trust.js';
import { type CaSource, loadCa } from './ca.js';
import type { Session } from './session.js';

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
  dryRun: DryRun;
}

export async function trust(s: Session, f: TrustRequest): Promise<number> {
  const p = s.printer;
  const host = f.host;
  const targets = [f.supervisor, f.tkgs, Boolean(f.cluster), f.local].filter(Boolean).length;

  // The CA: loaded and shown; for --remove, the name or fingerprint may be enough.
  let certs: CertInfo[] = [];
  if (f.source.caFile || f.source.fromRegistry) {
    certs = (await loadCa(s, { ...f.source, yes: f.yes || f.remove || targets === 0 })).certs;
  }
  const baseName = f.name;
  const pinned = f.source.fingerprint && certs.length === 0 ? f.source.fingerprint : undefined;
  const entries: Entry[] = certs.map((cert, i) => ({ name: i === 0 ? baseName : `${baseName}-${i + 1}`, cert }));

  if (targets === 0) {
    for (const c of certs) p.line(c.pem.trimEnd());
    p.status('no target given (--supervisor, --tkgs, --cluster, --local): the CA is printed above');
    return 0;
  }
  if (f.cluster && !f.yes && !f.dryRun) {
    const ok = await s.prompter.confirm(`Changing the trust of cluster ${f.cluster} rolls all its nodes. Go on? [y/N] `);
    if (ok === undefined) throw new UsageError(`changing the trust of cluster ${f.cluster} rolls all its nodes: pass --yes to go on (or use push-ca to add the CA without a roll)`);
    if (!ok) return 1;
  }

  const report = new Report(p, (o) => `trust: ${plural(o.length, 'target')}`);
  const show = (c: Change): string => {
    p.result(c.object, c.action);
    for (const n of c.notes) p.warn(n);
    return c.action;
  };
  if (f.supervisor || f.tkgs || f.cluster) {
    const sup = await s.supervisor();
    if (f.supervisor) {
      await report.attempt('supervisor', async () => {
          if (f.remove && certs.length === 0 && !pinned) throw new UsageError('--supervisor --remove needs the fingerprint (the bundle has no names): --fingerprint sha256:… or the CA itself');
          const list = certs.length ? certs : [{ fingerprint: pinned! } as CertInfo];
          return show(await supervisorBundle(sup, list, { remove: f.remove, dryRun: f.dryRun }));
        });
    }
    const named: Entry[] = entries.length ? entries : [{ name: baseName, cert: { fingerprint: pinned ?? '' } as CertInfo }];
    if (f.tkgs) {
      await report.attempt('tkgs', async () => {
          const action = show(await tkgsTrust(sup, named, { remove: f.remove, dryRun: f.dryRun }));
          if (!f.remove && action !== 'unchanged') p.warn('TkgServiceConfiguration reaches only clusters created (or rolled) from now on; for existing ones run `kubectl harbor push-ca CLUSTER`');
          return action;
        });
    }
    if (f.cluster) {
      await report.attempt(`cluster ${f.cluster}`, async () => {
          const changes = await clusterTrust(sup, await s.clusterNamespace(), f.cluster!, named, { remove: f.remove, dryRun: f.dryRun });
          const actions = changes.map(show);
          if (actions.some((a) => a !== 'unchanged') && !f.dryRun) p.warn(`cluster ${f.cluster} will now roll its nodes to pick up the change`);
          return actions.find((a) => a !== 'unchanged') ?? 'unchanged';
        });
    }
  }
  if (f.local) {
    const { localTargets, writeLocal, removeLocal } = await import('../local/certsd.js');
    for (const t of localTargets(s.homedir, f.containerdDir, process.getuid?.() === 0, s.env)) {
      await report.attempt(`local ${t.kind}`, async () => {
          if (f.dryRun) {
            p.status(`would ${f.remove ? 'remove' : 'write'} ${path.join(t.dir, host!, 'ca.crt')} (dry run)`);
            return 'unchanged';
          }
          const done = f.remove ? removeLocal(t, host!) : writeLocal(t, host!, certs.map((c) => c.pem).join(''));
          for (const d of done) p.line(`${d.file} ${d.action}`);
          return done.some((d) => d.action !== 'unchanged') ? (f.remove ? 'deleted' : 'configured') : 'unchanged';
        });
    }
  }
  return report.exitCode();
}
