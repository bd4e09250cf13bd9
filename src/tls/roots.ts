// Which CAs a TLS connection trusts: --ca-file when given; otherwise the system's roots
// (SSL_CERT_FILE, else the distribution's bundle) together with Node's own list, as Go
// clients such as docker and containerd do. --insecure-skip-tls-verify is never implied.
import fs from 'node:fs';
import tls from 'node:tls';
import { CliError } from '../errors.js';

const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu
  '/etc/pki/tls/certs/ca-bundle.crt', // RHEL, Photon
  '/etc/ssl/ca-bundle.pem', // SUSE
  '/etc/ssl/cert.pem', // Alpine, macOS
];

export interface TrustOptions {
  caFile?: string | undefined;
  insecure?: boolean | undefined;
}

export interface TlsSettings {
  ca?: string[];
  rejectUnauthorized: boolean;
}

export function systemRoots(env: NodeJS.ProcessEnv): string[] {
  const files = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : SYSTEM_BUNDLES;
  for (const f of files) {
    try {
      return [...tls.rootCertificates, fs.readFileSync(f, 'utf8')];
    } catch {
      /* next */
    }
  }
  return [...tls.rootCertificates];
}

export function tlsSettings(o: TrustOptions, env: NodeJS.ProcessEnv): TlsSettings {
  if (o.insecure) return { rejectUnauthorized: false };
  if (o.caFile) {
    let text: string;
    try {
      text = fs.readFileSync(o.caFile, 'utf8');
    } catch (e) {
      throw new CliError('CA_FILE', `cannot read --ca-file ${o.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) throw new CliError('CA_FILE', `--ca-file ${o.caFile} holds no PEM certificate`);
    return { ca: [text], rejectUnauthorized: true };
  }
  return { ca: systemRoots(env), rejectUnauthorized: true };
}
