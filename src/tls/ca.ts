// Certificates as `trust` and `push-ca` take them: read from PEM (one, a chain or a
// bundle) or DER, described (subject, issuer, validity, SHA-256 fingerprint, CA or not,
// self-signed or not), and refused with one clear line when they cannot serve as a CA.
import crypto from 'node:crypto';
import { CliError } from '../errors.js';

export interface CertInfo {
  pem: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** `sha256:` and 64 lower-case hex digits. */
  fingerprint: string;
  isCa: boolean;
  selfSigned: boolean;
}

export class CertificateError extends CliError {
  constructor(message: string) {
    super('CERTIFICATE', message);
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

const oneLine = (dn: string): string => dn.split('\n').filter(Boolean).join(', ');

export function describe(x: crypto.X509Certificate): CertInfo {
  const pem = x.toString().replace(/\r\n/g, '\n').trim() + '\n';
  let selfSigned = false;
  try {
    // Not checkIssued: OpenSSL also wants keyCertSign there, which a self-signed server certificate lacks.
    selfSigned = x.subject === x.issuer && x.verify(x.publicKey);
  } catch {
    selfSigned = false;
  }
  return {
    pem,
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    notBefore: new Date(x.validFrom),
    notAfter: new Date(x.validTo),
    fingerprint: `sha256:${x.fingerprint256.replace(/:/g, '').toLowerCase()}`,
    isCa: x.ca,
    selfSigned,
  };
}

/** Every certificate in `data` (PEM text or DER bytes); anything else is a clear error. */
export function parseCertificates(data: Buffer, source: string): CertInfo[] {
  if (data.length === 0 || data.toString('utf8').trim() === '') throw new CertificateError(`${source} is empty`);
  const text = data.toString('utf8');
  if (text.includes('-----BEGIN')) {
    const blocks = [...text.matchAll(PEM_BLOCK)];
    const begins = (text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length;
    const kinds = blocks.map((b) => b[1]!);
    if (kinds.some((k) => /PRIVATE KEY/.test(k))) throw new CertificateError(`${source} holds a private key, not a certificate; give the CA certificate (never share the key)`);
    if (kinds.some((k) => /CERTIFICATE REQUEST/.test(k))) throw new CertificateError(`${source} is a certificate signing request, not a certificate`);
    if (blocks.length < begins) throw new CertificateError(`${source} has a PEM block without its END line: the file is truncated`);
    const certs = blocks.filter((b) => b[1] === 'CERTIFICATE' || b[1] === 'TRUSTED CERTIFICATE');
    if (certs.length === 0) throw new CertificateError(`${source} holds no certificate (found ${[...new Set(kinds)].join(', ') || 'nothing usable'})`);
    return certs.map((b, i) => {
      try {
        return describe(new crypto.X509Certificate(`-----BEGIN CERTIFICATE-----${b[2]}-----END CERTIFICATE-----\n`));
      } catch {
        throw new CertificateError(`${source}: certificate ${i + 1} is damaged (its base64 does not decode to a certificate)`);
      }
    });
  }
  try {
    return [describe(new crypto.X509Certificate(data))];
  } catch {
    throw new CertificateError(`${source} is neither a PEM nor a DER certificate`);
  }
}

export const daysLeft = (c: CertInfo, now = new Date()): number => Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000);

/** Refuse what cannot be trusted as a CA: expired, not yet valid, not a CA (unless allowLeaf for a self-signed server certificate). */
export function checkUsable(c: CertInfo, opts: { allowLeaf?: boolean; now?: Date } = {}): void {
  const now = opts.now ?? new Date();
  if (c.notAfter < now) throw new CertificateError(`the certificate "${c.subject}" expired on ${c.notAfter.toISOString().slice(0, 10)}; get the registry's current CA`);
  if (c.notBefore > now) throw new CertificateError(`the certificate "${c.subject}" is not valid before ${c.notBefore.toISOString()}; check this machine's clock`);
  if (!c.isCa) {
    if (!opts.allowLeaf) throw new CertificateError(`the certificate "${c.subject}" is not a CA (basicConstraints CA:FALSE or missing); give the CA that signed it, or --allow-leaf for a self-signed server certificate`);
    if (!c.selfSigned) throw new CertificateError(`the certificate "${c.subject}" is a server certificate signed by "${c.issuer}": --allow-leaf takes only a self-signed one; give that CA instead`);
  }
}

/** The certificates of a bundle with their fingerprints, for "already present?" checks. */
export function bundleFingerprints(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
    try {
      out.add(describe(new crypto.X509Certificate(m[0])).fingerprint);
    } catch {
      /* a damaged entry is kept as it is, never matched */
    }
  }
  return out;
}

/**
 * Append `pem` to a bundle, keeping what is there byte for byte: only a missing final
 * newline is supplied (in the file's own line ending) so the new block starts on its own line.
 */
export function appendToBundle(bundle: string, pem: string): string {
  if (bundle === '') return pem;
  const eol = bundle.includes('\r\n') ? '\r\n' : '\n';
  const sep = bundle.endsWith('\n') ? '' : eol;
  return bundle + sep + (eol === '\r\n' ? pem.replace(/\n/g, '\r\n') : pem);
}
