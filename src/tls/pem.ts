// The one PEM scanner (the node script src/tanzu/node-trust.sh has its own, in awk, as it
// runs on the nodes). Blocks are found with their positions so a bundle can be edited
// keeping every other byte; certificates are decoded and described (subject, issuer,
// validity, SHA-256 fingerprint, CA or not, self-signed or not). A damaged block is kept
// as it is and never matched.
import crypto from 'node:crypto';

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

export interface PemBlock {
  /** The label: CERTIFICATE, PRIVATE KEY, CERTIFICATE REQUEST, ... */
  label: string;
  /** What lies between the BEGIN and END lines (base64 and line breaks). */
  body: string;
  /** The whole block, BEGIN line to END line, without the line break after it. */
  text: string;
  start: number;
  end: number;
}

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

/**
 * Every complete PEM block of any label, in order. A block never spans another BEGIN line,
 * so a cut-off block (BEGIN with no END, as a bad paste leaves it) cannot swallow the
 * complete certificate after it.
 */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----BEGIN )[\s\S])*?)-----END \1-----/g)].map((m) => ({
    label: m[1]!,
    body: m[2]!,
    text: m[0],
    start: m.index!,
    end: m.index! + m[0].length,
  }));
}

/** How many BEGIN lines the text has (more than pemBlocks found means a block is cut off). */
export const beginLines = (text: string): number => (text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? []).length;

/** A block that is not a readable certificate: cut off (BEGIN without END) or not decodable. */
export interface DamagedBlock {
  /** 1-based line of its BEGIN. */
  line: number;
  /** Bytes from its BEGIN to the next block (or the end). */
  length: number;
  why: 'no END line' | 'does not decode';
}

/** The damaged CERTIFICATE blocks of a bundle; they are kept as they are and never matched. */
export function damagedBlocks(text: string): DamagedBlock[] {
  const whole = pemBlocks(text);
  const starts = new Set(whole.map((b) => b.start));
  const begins = [...text.matchAll(/-----BEGIN CERTIFICATE-----/g)].map((m) => m.index!);
  const lineOf = (at: number): number => text.slice(0, at).split('\n').length;
  const out: DamagedBlock[] = [];
  begins.forEach((at, i) => {
    const next = begins[i + 1] ?? text.length;
    if (!starts.has(at)) out.push({ line: lineOf(at), length: next - at, why: 'no END line' });
  });
  for (const b of whole) {
    if (b.label === 'CERTIFICATE' && !decodeBody(b.body))
      out.push({ line: lineOf(b.start), length: b.text.length, why: 'does not decode' });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** One warning for the damaged blocks of a bundle, or undefined when there are none. */
export function damageNote(text: string, where: string): string | undefined {
  const d = damagedBlocks(text);
  if (d.length === 0) return undefined;
  const at = d.map((x) => `line ${x.line}, ${x.length} bytes, ${x.why}`).join('; ');
  return `${where} holds ${d.length === 1 ? 'a damaged PEM block' : `${d.length} damaged PEM blocks`} (${at}); kept as it is, and every complete certificate around it is still read`;
}

/** Decode a CERTIFICATE (or TRUSTED CERTIFICATE) block body; undefined when it is damaged. */
export function decodeBody(body: string): CertInfo | undefined {
  try {
    return describe(new crypto.X509Certificate(`-----BEGIN CERTIFICATE-----${body}-----END CERTIFICATE-----\n`));
  } catch {
    return undefined;
  }
}

/** The CERTIFICATE blocks of a text with their decoded certificate (undefined when damaged). */
export function certificateBlocks(text: string): Array<PemBlock & { cert: CertInfo | undefined }> {
  return pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => ({ ...b, cert: decodeBody(b.body) }));
}

/** The readable certificates of a text (a bundle, a ca.crt, a decoded trust entry). */
export const certificatesIn = (text: string): CertInfo[] =>
  certificateBlocks(text).flatMap((b) => (b.cert ? [b.cert] : []));

/** The certificates of a bundle with their fingerprints, for "already present?" checks. */
export const bundleFingerprints = (text: string): Set<string> =>
  new Set(certificatesIn(text).map((c) => c.fingerprint));

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

/** Remove every certificate with one of these fingerprints (and its line break) from a bundle; all other bytes stay. */
export function removeFromBundle(bundle: string, fingerprints: ReadonlySet<string>): string {
  let out = '';
  let at = 0;
  for (const b of certificateBlocks(bundle)) {
    if (!b.cert || !fingerprints.has(b.cert.fingerprint)) continue;
    const eol = /^\r?\n/.exec(bundle.slice(b.end, b.end + 2))?.[0] ?? '';
    out += bundle.slice(at, b.start);
    at = b.end + eol.length;
  }
  return out + bundle.slice(at);
}
