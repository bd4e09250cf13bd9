// Finding a registry's CA over the network, trust on first use and done openly: Harbor's
// /api/v2.0/systeminfo/getcert, then the Harbor 1.x path /api/systeminfo/getcert (the
// embedded Harbor of vSphere 7), then the root of the chain the TLS server presents.
// Nothing fetched here is trusted until the caller has shown its fingerprint and had it
// pinned (--fingerprint) or confirmed.
import https from 'node:https';
import tls from 'node:tls';
import crypto from 'node:crypto';
import { NetworkError } from '../errors.js';
import { fromNetworkError } from '../translate.js';
import { describe, parseCertificates, type CertInfo } from './ca.js';

export type CaRoute = 'getcert-v2' | 'getcert-v1' | 'tls-chain';

export interface FetchedCa {
  certs: CertInfo[];
  route: CaRoute;
  /** Said to the user when the route had to guess (no root in the chain). */
  note?: string;
}

function split(host: string): { hostname: string; port: number } {
  const u = new URL(`https://${host}`);
  return { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443) };
}

function getcert(host: string, path: string, timeoutMs: number): Promise<Buffer | undefined> {
  const { hostname, port } = split(host);
  return new Promise((resolve, reject) => {
    const req = https.get({ hostname, port, path, rejectUnauthorized: false, timeout: timeoutMs, headers: { 'User-Agent': 'kubectl-harbor' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks) : undefined));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

function chain(host: string, timeoutMs: number): Promise<crypto.X509Certificate[]> {
  const { hostname, port } = split(host);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: hostname, port, rejectUnauthorized: false, servername: /^[0-9.]+$|:/.test(hostname) ? undefined : hostname, timeout: timeoutMs }, () => {
      const out: crypto.X509Certificate[] = [];
      const seen = new Set<string>();
      for (let c: tls.DetailedPeerCertificate | undefined = s.getPeerCertificate(true); c?.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
        seen.add(c.fingerprint256);
        out.push(new crypto.X509Certificate(c.raw));
      }
      s.destroy();
      resolve(out);
    });
    s.on('timeout', () => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    s.on('error', reject);
  });
}

export async function fetchRegistryCa(host: string, timeoutMs: number): Promise<FetchedCa> {
  const doing = `fetching the CA of ${host}`;
  const wrap = (e: unknown): unknown => fromNetworkError(e, { doing, target: host }) ?? e;
  try {
    for (const [route, path] of [['getcert-v2', '/api/v2.0/systeminfo/getcert'], ['getcert-v1', '/api/systeminfo/getcert']] as const) {
      const body = await getcert(host, path, timeoutMs);
      if (!body || !body.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) continue;
      return { certs: parseCertificates(body, `${host}${path}`), route };
    }
    const certs = (await chain(host, timeoutMs)).map(describe);
    if (certs.length === 0) throw new NetworkError('NO_CERT', `${doing}: the server presented no certificate`);
    const top = certs[certs.length - 1]!;
    return top.selfSigned
      ? { certs: [top], route: 'tls-chain' }
      : { certs: [top], route: 'tls-chain', note: `the server sent no root certificate; taking the top of its chain, "${top.subject}", which is not self-signed (issued by "${top.issuer}")` };
  } catch (e) {
    throw wrap(e);
  }
}
