// Finding a registry's CA over the network, trust on first use and done openly: Harbor's
// /api/v2.0/systeminfo/getcert, then the Harbor 1.x path /api/systeminfo/getcert (the
// embedded Harbor of vSphere 7), then the root of the chain the TLS server presents.
// Nothing fetched here is trusted until the caller has shown its fingerprint and had it
// pinned (--fingerprint) or confirmed.
// Every read is bounded by --request-timeout as a total deadline; getcert replies are
// capped at 1 MiB and a larger one is an error (a CA bundle that size cannot be stored in
// a Kubernetes object anyway, and a truncated PEM would only mislead).
import { CliError, NetworkError } from '../errors.js';
import { httpGet, MAX_REPLY } from '../net/http.js';
import { peerChain } from '../net/peer.js';
import { fromNetworkError } from '../translate.js';
import { describe, parseCertificates, type CertInfo } from './ca.js';

export type CaRoute = 'getcert-v2' | 'getcert-v1' | 'tls-chain';

export interface FetchedCa {
  certs: CertInfo[];
  route: CaRoute;
  /** Said to the user when the route had to guess (no root in the chain). */
  note?: string;
}

const GETCERT = [
  ['getcert-v2', '/api/v2.0/systeminfo/getcert'],
  ['getcert-v1', '/api/systeminfo/getcert'],
] as const;

/** The body of a 200 reply, undefined for any other status. The server is not verified: its CA is what we are fetching. */
export async function getcert(host: string, path: string, timeoutMs: number): Promise<Buffer | undefined> {
  const r = await httpGet(`https://${host}${path}`, {
    tls: { rejectUnauthorized: false },
    timeoutMs,
    headers: { Accept: '*/*' },
    maxBytes: MAX_REPLY,
    overflow: 'error',
  });
  return r.status === 200 ? r.body : undefined;
}

export async function fetchRegistryCa(host: string, timeoutMs: number): Promise<FetchedCa> {
  const doing = `fetching the CA of ${host}`;
  try {
    for (const [route, path] of GETCERT) {
      const body = await getcert(host, path, timeoutMs);
      if (!body?.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) continue;
      return { certs: parseCertificates(body, `${host}${path}`), route };
    }
    const certs = (await peerChain(host, timeoutMs)).map(describe);
    if (certs.length === 0) throw new NetworkError('NO_CERT', `${doing}: the server presented no certificate`);
    const top = certs[certs.length - 1]!;
    return top.selfSigned
      ? { certs: [top], route: 'tls-chain' }
      : {
          certs: [top],
          route: 'tls-chain',
          note: `the server sent no root certificate; taking the top of its chain, "${top.subject}", which is not self-signed (issued by "${top.issuer}")`,
        };
  } catch (e) {
    throw e instanceof CliError ? e : (fromNetworkError(e, { doing, target: host }) ?? e);
  }
}
