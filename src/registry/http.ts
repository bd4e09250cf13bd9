// One HTTPS (or, with --plain-http, HTTP) request to a registry, with its TLS settings,
// a timeout, and a size cap on what is read back. Headers are never logged: they carry
// credentials.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { TlsSettings } from '../tls/roots.js';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpOptions {
  tls: TlsSettings;
  timeoutMs: number;
  headers?: Record<string, string>;
  log?: ((line: string) => void) | undefined;
}

const MAX_BODY = 1 << 20;

export async function httpGet(url: string, o: HttpOptions): Promise<HttpReply> {
  const u = new URL(url);
  const lib = u.protocol === 'http:' ? http : https;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: 'GET',
        headers: { 'User-Agent': 'kubectl-harbor', Accept: 'application/json', ...o.headers },
        ...(u.protocol === 'https:' ? { ca: o.tls.ca, rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
        ...(o.timeoutMs > 0 ? { signal: AbortSignal.timeout(o.timeoutMs) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on('end', () => {
          o.log?.(`GET ${u.origin}${u.pathname} ${res.statusCode} in ${Date.now() - t0} ms`);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
