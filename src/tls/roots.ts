// Which CAs a TLS connection trusts: --ca-file when given; otherwise the system's roots
// (SSL_CERT_FILE, else the distribution's bundle) together with Node's own list, as Go
// clients such as docker and containerd do. --insecure-skip-tls-verify is never implied.
// --ca-file is read by tls/cafile.ts, as for trust and push-ca: PEM (one, a chain, a
// bundle) or DER.
import fs from 'node:fs';
import tls from 'node:tls';
import type { TlsSettings } from '../net/http.js';
import { readCaFile } from './cafile.js';

export type { TlsSettings };

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
  if (o.caFile) return { ca: readCaFile(o.caFile).map((c) => c.pem), rejectUnauthorized: true };
  return { ca: systemRoots(env), rejectUnauthorized: true };
}
