// One CA for `trust` and `push-ca`: from --ca-file, or fetched from the registry, shown
// before anything is written (subject, issuer, validity, fingerprint, CA, self-signed),
// checked, and, when it came from the network, pinned (--fingerprint) or confirmed
// (--yes, or a question on a terminal): trust on first use, done openly.
import { CliError, UsageError } from '../errors.js';
import { checkUsable, daysLeft, type CertInfo } from '../tls/ca.js';
import { readCaFile } from '../tls/cafile.js';
import { fetchRegistryCa, type CaRoute } from '../tls/fetch.js';
import type { Session } from './session.js';

/** Where the CA comes from, as the flags said it (checked: not both, fingerprint normalised). */
export interface CaSource {
  caFile: string | undefined;
  fromRegistry: string | undefined;
  /** `sha256:<hex>`. */
  fingerprint: string | undefined;
  yes: boolean;
  allowLeaf: boolean;
}

export interface LoadedCa {
  /** The CA certificates to install (one, or each CA of a bundle). */
  certs: CertInfo[];
  source: string;
  route: CaRoute | 'file';
}

export function describeLines(c: CertInfo): string[] {
  const left = daysLeft(c);
  return [
    `  subject:     ${c.subject}`,
    `  issuer:      ${c.issuer}`,
    `  valid:       ${c.notBefore.toISOString().slice(0, 10)} to ${c.notAfter.toISOString().slice(0, 10)} (${left} days left)`,
    `  fingerprint: ${c.fingerprint}`,
    `  CA:          ${c.isCa ? 'yes' : 'no'}, ${c.selfSigned ? 'self-signed' : 'not self-signed'}`,
  ];
}

export async function loadCa(s: Session, f: CaSource): Promise<LoadedCa> {
  if (!f.caFile && !f.fromRegistry)
    throw new UsageError(
      'say where the CA comes from: --ca-file FILE, or --from-registry HOST[:PORT] (or name the registry)',
    );
  const p = s.printer;
  let loaded: LoadedCa;
  if (f.caFile) {
    const all = readCaFile(f.caFile);
    // A chain file (leaf first) brings the server certificate along: keep only the CAs.
    const cas = all.filter((c) => c.isCa);
    loaded = { certs: cas.length ? cas : all, source: f.caFile, route: 'file' };
  } else {
    const got = await fetchRegistryCa(f.fromRegistry!, s.timeoutMs);
    const how =
      got.route === 'getcert-v2'
        ? 'Harbor /api/v2.0/systeminfo/getcert'
        : got.route === 'getcert-v1'
          ? 'Harbor 1.x /api/systeminfo/getcert'
          : 'the TLS chain it presents';
    p.status(`CA of ${f.fromRegistry}, from ${how}:`);
    if (got.note) p.warn(got.note);
    loaded = { certs: got.certs, source: f.fromRegistry!, route: got.route };
  }
  if (f.caFile) p.status(`CA from ${f.caFile}:`);
  for (const c of loaded.certs) for (const l of describeLines(c)) p.status(l);
  for (const c of loaded.certs) checkUsable(c, { allowLeaf: f.allowLeaf });
  if (f.fingerprint) {
    const want = f.fingerprint;
    if (!loaded.certs.some((c) => c.fingerprint === want)) {
      throw new CliError(
        'FINGERPRINT_MISMATCH',
        `the CA's fingerprint is ${loaded.certs.map((c) => c.fingerprint).join(', ')}, not the pinned ${want}; nothing was changed`,
      );
    }
    loaded.certs = loaded.certs.filter((c) => c.fingerprint === want);
  } else if (loaded.route !== 'file' && !f.yes) {
    const ok = await s.prompter.confirm(`Trust this CA for ${loaded.source}? [y/N] `);
    if (ok === undefined) {
      throw new UsageError(
        `the CA came from the network: pin it with --fingerprint ${loaded.certs[0]!.fingerprint} after checking it out of band, or pass --yes`,
      );
    }
    if (!ok) throw new CliError('DECLINED', 'not trusted; nothing was changed');
  }
  return loaded;
}
