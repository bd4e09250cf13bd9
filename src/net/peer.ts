// The certificates a TLS server presents, read without trusting them (rejectUnauthorized
// false: this is how a CA is found before it is trusted, and how an unknown CA is named),
// under a TOTAL deadline: a server that accepts and then stalls the handshake cannot hold
// us past it. Leaf first, then each issuer the server sent.
import crypto from 'node:crypto';
import tls from 'node:tls';
import { timedOut } from './http.js';

export function splitHost(host: string): { hostname: string; port: number } {
  const u = new URL(`https://${host}`);
  return { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443) };
}

/** host is `name[:port]` or `[v6]:port`; timeoutMs 0: no deadline. Rejects with the socket's error (a timeout as ETIMEDOUT). */
export function peerChain(host: string, timeoutMs: number): Promise<crypto.X509Certificate[]> {
  const { hostname, port } = splitHost(host);
  return new Promise((resolve, reject) => {
    const servername = /^[0-9.]+$|:/.test(hostname) ? undefined : hostname;
    const s = tls.connect({ host: hostname, port, rejectUnauthorized: false, servername }, () => {
      const out: crypto.X509Certificate[] = [];
      const seen = new Set<string>();
      for (
        let c: tls.DetailedPeerCertificate | undefined = s.getPeerCertificate(true);
        c?.raw && !seen.has(c.fingerprint256);
        c = c.issuerCertificate
      ) {
        seen.add(c.fingerprint256);
        out.push(new crypto.X509Certificate(c.raw));
      }
      clearTimeout(timer);
      s.destroy();
      resolve(out);
    });
    const timer = timeoutMs > 0 ? setTimeout(() => s.destroy(timedOut()), timeoutMs) : undefined;
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
