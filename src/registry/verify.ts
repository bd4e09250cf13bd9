// Checking credentials the way docker login does, through the registry's own protocol:
// GET /v2/; on 401 with a Bearer challenge, a token from the realm with Basic auth, then
// /v2/ again with the token; on a Basic challenge, /v2/ with Basic. Only 200 is success.
// Failures become one line each; an unknown CA names the certificate the server presented.
// Each GET has --request-timeout as its total deadline; a reply over 1 MiB is an error
// (no registry's /v2/ or token reply is that large).
import { CliError, NetworkError, systemCode } from '../errors.js';
import { httpGet, type HttpReply, type TlsSettings } from '../net/http.js';
import { peerChain } from '../net/peer.js';
import { fromNetworkError } from '../translate.js';
import { baseUrl, type Registry } from './endpoint.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface VerifyOptions {
  tls: TlsSettings;
  timeoutMs: number;
  log?: ((line: string) => void) | undefined;
}

/** bearer: `realm` is the token service URL (with `service`), for scoped token requests. */
export type VerifyResult = { via: 'bearer'; realm: string } | { via: 'basic' } | { via: 'anonymous' };

export class AuthError extends CliError {
  constructor(message: string) {
    super('REGISTRY_AUTH', message);
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://h/service/token",service="harbor-registry"` */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
    params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

const basicAuth = (c: Credentials): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** What a TLS server presents, for the unknown-CA message: subject, issuer, SHA-256 fingerprint. */
export async function presentedCertificate(
  host: string,
  timeoutMs: number,
): Promise<{ subject: string; issuer: string; fingerprint: string } | undefined> {
  const x = await peerChain(host, timeoutMs || 10_000).then(
    (c) => c[0],
    () => undefined,
  );
  if (!x) return undefined;
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    fingerprint: `sha256:${x.fingerprint256.replace(/:/g, '').toLowerCase()}`,
  };
}

async function get(
  url: string,
  o: VerifyOptions,
  registry: Registry,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  try {
    return await httpGet(url, { tls: o.tls, timeoutMs: o.timeoutMs, headers, log: o.log, overflow: 'error' });
  } catch (e) {
    if (e instanceof CliError) throw e;
    const host = new URL(url).host;
    const net = fromNetworkError(e, { doing: `logging in to ${registry.host}`, target: host });
    if (net?.code === 'TLS_UNKNOWN_CA') {
      const cert = await presentedCertificate(host, o.timeoutMs);
      const what = cert
        ? `; the server presented "${cert.subject}" (${cert.fingerprint}), issued by "${cert.issuer}"`
        : '';
      throw new NetworkError(
        'TLS_UNKNOWN_CA',
        `logging in to ${registry.host}: x509: certificate signed by unknown authority${what}; trust its CA with \`kubectl harbor trust --from-registry ${host} --local\`, or pass --ca-file`,
      );
    }
    if (net) throw net;
    if (systemCode(e)) throw new NetworkError('NETWORK', `logging in to ${registry.host}: ${(e as Error).message}`);
    throw e;
  }
}

function unexpected(r: HttpReply, url: string): CliError {
  const snippet = r.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
  return new CliError('REGISTRY_HTTP', `unexpected HTTP ${r.status} from ${url}${snippet ? `: ${snippet}` : ''}`);
}

export async function verifyLogin(registry: Registry, creds: Credentials, o: VerifyOptions): Promise<VerifyResult> {
  const v2 = `${baseUrl(registry)}/v2/`;
  const first = await get(v2, o, registry);
  if (first.status === 200) return { via: 'anonymous' };
  if (first.status !== 401) throw unexpected(first, v2);
  const challenge = parseChallenge(first.headers['www-authenticate'] as string | undefined);
  const wrong = (): AuthError =>
    new AuthError(`logging in to ${registry.host}: wrong username or password for "${creds.username}"`);
  if (challenge?.scheme === 'basic') {
    const r = await get(v2, o, registry, { Authorization: basicAuth(creds) });
    if (r.status === 200) return { via: 'basic' };
    if (r.status === 401) throw wrong();
    throw unexpected(r, v2);
  }
  if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
    throw new CliError(
      'REGISTRY_HTTP',
      `${v2} answered 401 without a Bearer or Basic challenge; is ${registry.host} a registry?`,
    );
  }
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm);
  } catch {
    throw new CliError(
      'REGISTRY_HTTP',
      `${v2} names the token realm "${challenge.params.realm}", which is not a URL; ${registry.host} is misconfigured (Harbor: check its external URL), or is not a registry`,
    );
  }
  if (realm.protocol !== 'https:' && !registry.plainHttp)
    throw new CliError(
      'REGISTRY_HTTP',
      `the registry's token realm ${realm.origin} is not HTTPS; refusing to send credentials there`,
    );
  if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
  const token = await requestToken(registry, creds, realm.toString(), o);
  if (token === undefined) throw wrong();
  const again = await get(v2, o, registry, { Authorization: `Bearer ${token}` });
  if (again.status === 200) return { via: 'bearer', realm: realm.toString() };
  if (again.status === 401)
    throw new AuthError(
      `logging in to ${registry.host}: the registry refused the token its own realm issued for "${creds.username}"`,
    );
  throw unexpected(again, v2);
}

/** A token from the realm for `creds`, optionally for `scope`; undefined when the realm refuses the credentials. */
async function requestToken(
  registry: Registry,
  creds: Credentials,
  realmUrl: string,
  o: VerifyOptions,
  scope?: string,
): Promise<string | undefined> {
  const realm = new URL(realmUrl);
  realm.searchParams.set('account', creds.username);
  if (scope) realm.searchParams.set('scope', scope);
  const t = await get(realm.toString(), o, registry, { Authorization: basicAuth(creds) });
  if (t.status === 401 || t.status === 403) return undefined;
  if (t.status !== 200) throw unexpected(t, `${realm.origin}${realm.pathname}`);
  let token: string | undefined;
  try {
    const j = JSON.parse(t.body.toString('utf8')) as { token?: string; access_token?: string };
    token = j.token ?? j.access_token;
  } catch {
    /* below */
  }
  if (!token)
    throw new CliError('REGISTRY_HTTP', `the token service ${realm.origin}${realm.pathname} answered without a token`);
  return token;
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

/**
 * The `access` claim of a registry token (JWT), read without checking the signature: it is
 * only information for the user, the registry verifies the token itself. [] when absent.
 */
export function tokenAccess(token: string): AccessEntry[] {
  const part = token.split('.')[1];
  if (!part) return [];
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { access?: unknown };
    if (!Array.isArray(claims.access)) return [];
    return claims.access.filter(
      (a): a is AccessEntry =>
        !!a && typeof a === 'object' && typeof a.name === 'string' && Array.isArray((a as AccessEntry).actions),
    );
  } catch {
    return [];
  }
}

export { CHECK_REPOSITORY } from './endpoint.js';

/**
 * Whether `creds` may pull `repository` (`project/repo`): a token for `repository:<repo>:pull`
 * from the realm verifyLogin found, and `pull` among its granted actions. Harbor answers a
 * scoped request with bad credentials as anonymous, so call this after verifyLogin.
 */
export async function mayPull(
  registry: Registry,
  creds: Credentials,
  realm: string,
  repository: string,
  o: VerifyOptions,
): Promise<boolean> {
  const token = await requestToken(registry, creds, realm, o, `repository:${repository}:pull`);
  if (token === undefined) return false;
  return tokenAccess(token).some(
    (a) => a.type === 'repository' && a.name === repository && a.actions.some((x) => x === 'pull' || x === '*'),
  );
}
