// The registry as a node's runtime meets it, one request at a time, for `doctor`: GET /v2/
// (the challenge), a token from the realm with or without credentials and scope, the
// manifest, and Harbor's project. Nothing here judges: each call returns the status it
// got, and a network or TLS failure becomes a ProbeError whose code is the doctor code
// (ca-untrusted, ip-san-missing, name-mismatch, cert-expired, plain-http, dns,
// unreachable, timeout). Bounded like every request of the plugin (net/http.ts).
import { CliError, systemCode } from '../errors.js';
import { httpGet, type HttpReply } from '../net/http.js';
import { peerChain, splitHost } from '../net/peer.js';
import { fromNetworkError } from '../translate.js';
import { baseUrl, type Registry } from './endpoint.js';
import { HarborApi, HarborApiError } from './harbor.js';
import { type Credentials, parseChallenge, type VerifyOptions } from './verify.js';

export type NetCode =
  | 'ca-untrusted'
  | 'ip-san-missing'
  | 'name-mismatch'
  | 'cert-expired'
  | 'plain-http'
  | 'dns'
  | 'unreachable'
  | 'timeout';

const BY_NETWORK_CODE: Record<string, NetCode> = {
  TLS_UNKNOWN_CA: 'ca-untrusted',
  TLS_EXPIRED: 'cert-expired',
  TLS_NOT_YET_VALID: 'cert-expired',
  TLS_NO_IP_SAN: 'ip-san-missing',
  TLS_NAME: 'name-mismatch',
  TLS_PLAIN_HTTP: 'plain-http',
  DNS: 'dns',
  REFUSED: 'unreachable',
  UNREACHABLE: 'unreachable',
  RESET: 'unreachable',
  TIMEOUT: 'timeout',
};

export class ProbeError extends CliError {
  constructor(
    readonly probe: NetCode,
    message: string,
  ) {
    super(`PROBE_${probe}`, message);
  }
}

async function get(url: string, o: VerifyOptions, headers: Record<string, string> = {}): Promise<HttpReply> {
  try {
    return await httpGet(url, {
      tls: o.tls,
      timeoutMs: o.timeoutMs,
      headers,
      log: o.log,
      maxBytes: 64 << 10,
      overflow: 'truncate',
    });
  } catch (e) {
    if (e instanceof CliError) throw e;
    const net = fromNetworkError(e, { doing: 'connecting', target: new URL(url).host });
    const code = net && BY_NETWORK_CODE[net.code];
    if (net && code) throw new ProbeError(code, net.message);
    if (net || systemCode(e)) throw new ProbeError('unreachable', net?.message ?? (e as Error).message);
    throw e;
  }
}

const basic = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

export interface ChallengeReply {
  status: number;
  scheme: string | undefined;
  /** The token service with its `service`, for a Bearer challenge. */
  realm: string | undefined;
}

/** GET /v2/ without credentials. */
export async function challenge(registry: Registry, o: VerifyOptions): Promise<ChallengeReply> {
  const r = await get(`${baseUrl(registry)}/v2/`, o);
  const c = parseChallenge(r.headers['www-authenticate'] as string | undefined);
  let realm: string | undefined;
  if (c?.scheme === 'bearer' && c.params.realm) {
    try {
      const u = new URL(c.params.realm);
      if (c.params.service) u.searchParams.set('service', c.params.service);
      realm = u.toString();
    } catch {
      realm = undefined;
    }
  }
  return { status: r.status, scheme: c?.scheme, realm };
}

export interface TokenReply {
  status: number;
  token: string | undefined;
}

/** A token from `realm`, with Basic credentials when given, for `scope` when given. */
export async function token(
  realm: string,
  creds: Credentials | undefined,
  scope: string | undefined,
  o: VerifyOptions,
): Promise<TokenReply> {
  const u = new URL(realm);
  if (creds) u.searchParams.set('account', creds.username);
  if (scope) u.searchParams.set('scope', scope);
  const r = await get(u.toString(), o, creds ? { Authorization: basic(creds) } : {});
  if (r.status !== 200) return { status: r.status, token: undefined };
  try {
    const j = JSON.parse(r.body.toString('utf8')) as { token?: string; access_token?: string };
    return { status: 200, token: j.token ?? j.access_token };
  } catch {
    return { status: 200, token: undefined };
  }
}

const MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The status of the manifest request (containerd sends HEAD; a bounded GET answers the same). */
export async function manifest(
  registry: Registry,
  repository: string,
  reference: string,
  authorization: string | undefined,
  o: VerifyOptions,
): Promise<number> {
  const url = `${baseUrl(registry)}/v2/${repository}/manifests/${reference}`;
  const r = await get(url, o, { Accept: MANIFESTS, ...(authorization ? { Authorization: authorization } : {}) });
  return r.status;
}

export const basicAuthorization = basic;

/** Harbor's answer to GET /api/v2.0/projects/<p> with `creds`: 200, 401, 403, 404, or 0 when not Harbor. */
export async function projectStatus(
  registry: Registry,
  creds: Credentials,
  project: string,
  o: VerifyOptions,
): Promise<number> {
  try {
    await new HarborApi(registry, creds, o).project(project);
    return 200;
  } catch (e) {
    if (e instanceof HarborApiError) return e.status;
    if (e instanceof CliError) return 0;
    throw e;
  }
}

/**
 * What is wrong with the certificate a server presents besides its issuer, read without
 * trusting it (Node reports an unknown CA before a wrong name or an expiry): the name or
 * IP the image uses missing from its SANs, or its validity. [] when it cannot be read.
 */
export async function leafProblems(
  host: string,
  timeoutMs: number,
): Promise<Array<{ probe: NetCode; message: string }>> {
  const leaf = (await peerChain(host, timeoutMs || 10_000).catch(() => []))[0];
  if (!leaf) return [];
  const { hostname } = splitHost(host);
  const out: Array<{ probe: NetCode; message: string }> = [];
  const isIp = /^[0-9.]+$|:/.test(hostname);
  const names = (leaf.subjectAltName ?? '').replace(/\s+/g, ' ');
  if (isIp ? !leaf.checkIP(hostname) : !leaf.checkHost(hostname))
    out.push({
      probe: isIp ? 'ip-san-missing' : 'name-mismatch',
      message: `the certificate of ${host} is not valid for ${isIp ? 'IP ' : ''}${hostname} (${names || 'no SANs'})`,
    });
  const now = Date.now();
  if (Date.parse(leaf.validTo) < now || Date.parse(leaf.validFrom) > now)
    out.push({
      probe: 'cert-expired',
      message: `the certificate of ${host} is valid from ${leaf.validFrom} to ${leaf.validTo}`,
    });
  return out;
}
