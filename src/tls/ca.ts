// Certificates as `trust` and `push-ca` take them: read from PEM (one, a chain or a
// bundle) or DER, described (subject, issuer, validity, SHA-256 fingerprint, CA or not,
// self-signed or not), and refused with one clear line when they cannot serve as a CA.
import crypto from 'node:crypto';
import { CliError } from '../errors.js';
import { beginLines, decodeBody, describe, pemBlocks, type CertInfo } from './pem.js';

// Described where the one PEM scanner decodes (pem.ts, so the two modules do not import each other); re-exported for the callers of this module.
export { describe, type CertInfo } from './pem.js';

export class CertificateError extends CliError {
  constructor(message: string) {
    super('CERTIFICATE', message);
  }
}

/** Every certificate in `data` (PEM text or DER bytes); anything else is a clear error. */
export function parseCertificates(data: Buffer, source: string): CertInfo[] {
  if (data.length === 0 || data.toString('utf8').trim() === '') throw new CertificateError(`${source} is empty`);
  const text = data.toString('utf8');
  if (text.includes('-----BEGIN')) {
    const blocks = pemBlocks(text);
    const begins = beginLines(text);
    const kinds = blocks.map((b) => b.label);
    if (kinds.some((k) => /PRIVATE KEY/.test(k)))
      throw new CertificateError(
        `${source} holds a private key, not a certificate; give the CA certificate (never share the key)`,
      );
    if (kinds.some((k) => /CERTIFICATE REQUEST/.test(k)))
      throw new CertificateError(`${source} is a certificate signing request, not a certificate`);
    if (blocks.length < begins)
      throw new CertificateError(`${source} has a PEM block without its END line: the file is truncated`);
    const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    if (certs.length === 0)
      throw new CertificateError(
        `${source} holds no certificate (found ${[...new Set(kinds)].join(', ') || 'nothing usable'})`,
      );
    return certs.map((b, i) => {
      const c = decodeBody(b.body);
      if (!c)
        throw new CertificateError(
          `${source}: certificate ${i + 1} is damaged (its base64 does not decode to a certificate)`,
        );
      return c;
    });
  }
  try {
    return [describe(new crypto.X509Certificate(data))];
  } catch {
    throw new CertificateError(`${source} is neither a PEM nor a DER certificate`);
  }
}

export const daysLeft = (c: CertInfo, now = new Date()): number =>
  Math.floor((c.notAfter.getTime() - now.getTime()) / 86_400_000);

/** Refuse what cannot be trusted as a CA: expired, not yet valid, not a CA (unless allowLeaf for a self-signed server certificate). */
export function checkUsable(c: CertInfo, opts: { allowLeaf?: boolean; now?: Date } = {}): void {
  const now = opts.now ?? new Date();
  if (c.notAfter < now)
    throw new CertificateError(
      `the certificate "${c.subject}" expired on ${c.notAfter.toISOString().slice(0, 10)}; get the registry's current CA`,
    );
  if (c.notBefore > now)
    throw new CertificateError(
      `the certificate "${c.subject}" is not valid before ${c.notBefore.toISOString()}; check this machine's clock`,
    );
  if (!c.isCa) {
    if (!opts.allowLeaf)
      throw new CertificateError(
        `the certificate "${c.subject}" is not a CA (basicConstraints CA:FALSE or missing); give the CA that signed it, or --allow-leaf for a self-signed server certificate`,
      );
    if (!c.selfSigned)
      throw new CertificateError(
        `the certificate "${c.subject}" is a server certificate signed by "${c.issuer}": --allow-leaf takes only a self-signed one; give that CA instead`,
      );
  }
}
