// `kubectl harbor trust`: load and show the CA, then install it in (or remove it from)
// each chosen target. Targets fail independently; the exit code is 1 if any failed.
import path from 'node:path';
import type { CommandIo } from '../commands/base.js';
import { UsageError } from '../errors.js';
import { checkDryRun } from '../flags.js';
import { supervisorContextFor } from '../kube/vsphere.js';
import { attempt, plural, summarize, type Outcome } from '../output/summary.js';
import { parseRegistry } from '../registry/endpoint.js';
import { caNameFor, checkCaName, normalizeFingerprint, type CertInfo } from '../tls/ca.js';
import { loadCa } from '../tls/load.js';
import { clusterTrust, supervisorBundle, tkgsTrust, type Change, type Entry } from './trust.js';

export interface TrustFlags {
  registry: string | undefined;
  caFile: string | undefined;
  fromRegistry: string | undefined;
  fingerprint: string | undefined;
  yes: boolean;
  allowLeaf: boolean;
  name: string | undefined;
  supervisor: boolean;
  tkgs: boolean;
  cluster: string | undefined;
  local: boolean;
  containerdDir: string | undefined;
  remove: boolean;
  dryRun: string | boolean | undefined;
}

async function confirmer(io: CommandIo): Promise<((q: string) => Promise<boolean>) | undefined> {
  const { isTty, ask } = await import('../output/prompt.js');
  if (!isTty(io.stdin) || !isTty(io.stderr)) return undefined;
  return async (q) => /^y(es)?$/i.test((await ask(q, io.stdin as never, io.stderr as never, false)).trim());
}

export async function trust(io: CommandIo, f: TrustFlags): Promise<number> {
  checkDryRun(f.dryRun);
  const p = io.printer;
  const host = f.registry ? parseRegistry(f.registry).host : f.fromRegistry ? parseRegistry(f.fromRegistry).host : undefined;
  const fromRegistry = f.fromRegistry ?? (f.registry && !f.caFile ? host : undefined);
  const targets = [f.supervisor, f.tkgs, Boolean(f.cluster), f.local].filter(Boolean).length;
  if (f.containerdDir && !f.local) throw new UsageError('--containerd-dir goes with --local');
  if (f.local && !host) throw new UsageError('--local needs the registry: name it (host[:port]), the certs.d directory is per host');
  if (f.remove && targets === 0) throw new UsageError('--remove needs a target: --supervisor, --tkgs, --cluster NAME or --local');
  const confirm = await confirmer(io);

  // The CA: loaded and shown; for --remove, the name or fingerprint may be enough.
  let certs: CertInfo[] = [];
  if (f.caFile || fromRegistry) {
    certs = (await loadCa({ caFile: f.caFile, fromRegistry, fingerprint: f.fingerprint, yes: f.yes || f.remove || targets === 0, allowLeaf: f.allowLeaf }, { printer: p, timeoutMs: io.timeoutMs, confirm })).certs;
  } else if (!f.remove) {
    throw new UsageError('say where the CA comes from: name the registry, or --ca-file FILE, or --from-registry HOST[:PORT]');
  } else if (!f.name && !f.fingerprint) {
    throw new UsageError('--remove needs the CA: --name NAME, --fingerprint sha256:…, --ca-file or the registry');
  }
  const baseName = checkCaName(f.name ?? (host ? caNameFor(host) : f.caFile ? path.basename(f.caFile).replace(/\.(pem|crt|cer|der)$/i, '') : 'harbor-ca'));
  const pinned = f.fingerprint && certs.length === 0 ? normalizeFingerprint(f.fingerprint) : undefined;
  const entries: Entry[] = certs.map((cert, i) => ({ name: i === 0 ? baseName : `${baseName}-${i + 1}`, cert }));

  if (targets === 0) {
    for (const c of certs) p.line(c.pem.trimEnd());
    p.status('no target given (--supervisor, --tkgs, --cluster, --local): the CA is printed above');
    return 0;
  }
  if (f.cluster && !f.yes && !io.dryRun) {
    const ok = confirm ? await confirm(`Changing the trust of cluster ${f.cluster} rolls all its nodes. Go on? [y/N] `) : undefined;
    if (ok === undefined) throw new UsageError(`changing the trust of cluster ${f.cluster} rolls all its nodes: pass --yes to go on (or use push-ca to add the CA without a roll)`);
    if (!ok) return 1;
  }

  const results: Outcome[] = [];
  const show = (c: Change): string => {
    p.result(c.object as never, c.action);
    for (const n of c.notes) p.warn(n);
    return c.action;
  };
  if (f.supervisor || f.tkgs || f.cluster) {
    const client = await io.kube();
    const v = client.target.vsphere;
    const sup = v?.kind === 'tkc' ? await io.kubeFor(supervisorContextFor(client.target.kc, client.target.contextName)) : client;
    if (f.supervisor) {
      results.push(
        await attempt(p, 'supervisor', async () => {
          if (f.remove && certs.length === 0 && !pinned) throw new UsageError('--supervisor --remove needs the fingerprint (the bundle has no names): --fingerprint sha256:… or the CA itself');
          const list = certs.length ? certs : [{ fingerprint: pinned! } as CertInfo];
          return show(await supervisorBundle(sup, list, { remove: f.remove, dryRun: io.dryRun }));
        }),
      );
    }
    const named: Entry[] = entries.length ? entries : [{ name: baseName, cert: { fingerprint: pinned ?? '' } as CertInfo }];
    if (f.tkgs) {
      results.push(
        await attempt(p, 'tkgs', async () => {
          const action = show(await tkgsTrust(sup, named, { remove: f.remove, dryRun: io.dryRun }));
          if (!f.remove && action !== 'unchanged') p.warn('TkgServiceConfiguration reaches only clusters created (or rolled) from now on; for existing ones run `kubectl harbor push-ca CLUSTER`');
          return action;
        }),
      );
    }
    if (f.cluster) {
      results.push(
        await attempt(p, `cluster ${f.cluster}`, async () => {
          const changes = await clusterTrust(sup, sup.target.namespace, f.cluster!, named, { remove: f.remove, dryRun: io.dryRun });
          const actions = changes.map(show);
          if (actions.some((a) => a !== 'unchanged') && !io.dryRun) p.warn(`cluster ${f.cluster} will now roll its nodes to pick up the change`);
          return actions.find((a) => a !== 'unchanged') ?? 'unchanged';
        }),
      );
    }
  }
  if (f.local) {
    const { localTargets, writeLocal, removeLocal } = await import('../local/certsd.js');
    for (const t of localTargets(io.homedir, f.containerdDir, process.getuid?.() === 0, io.env)) {
      results.push(
        await attempt(p, `local ${t.kind}`, async () => {
          if (io.dryRun) {
            p.status(`would ${f.remove ? 'remove' : 'write'} ${path.join(t.dir, host!, 'ca.crt')} (dry run)`);
            return 'unchanged';
          }
          const done = f.remove ? removeLocal(t, host!) : writeLocal(t, host!, certs.map((c) => c.pem).join(''));
          for (const d of done) p.line(`${d.file} ${d.action}`);
          return done.some((d) => d.action !== 'unchanged') ? (f.remove ? 'deleted' : 'configured') : 'unchanged';
        }),
      );
    }
  }
  return summarize(p, `trust: ${plural(results.length, 'target')}`, results);
}
