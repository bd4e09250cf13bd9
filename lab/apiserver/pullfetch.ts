// The Supervisor's image fetcher, for vSphere Pods: TLS checked against the CA bundle it is
// given (kube-system/image-fetcher-ca-bundle), the registry's token flow with the pod's
// credentials and the repository scope, then HEAD of the manifest; failures in the words a
// Go registry client (containerd's resolver) uses.
import https from 'node:https';
import type { ImageRef, PullAuth } from './pullsecrets.js';
import { parseImage } from './pullsecrets.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(url: string, ca: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Node says `IP: 10.0.0.1 is not in the cert's list: <IPs>` or `Host: x. is not in the cert's
 * altnames: DNS:a, IP Address:b`; Go (crypto/x509 HostnameError) says "doesn't contain any IP SANs"
 * for an IP when the certificate has none, else "certificate is valid for <names>, not <host>".
 */
function altnameError(message: string, name: string): string {
  const prefix = 'tls: failed to verify certificate: x509:';
  const list = /(?:cert's list|cert's altnames):\s*(.*)$/.exec(message)?.[1]?.trim() ?? '';
  const names = list
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .filter((n) => n && (/^[\d.]+$/.test(name) ? /^[\d.]+$/.test(n) : true));
  if (/^[\d.]+$/.test(name) && names.length === 0)
    return `${prefix} cannot validate certificate for ${name} because it doesn't contain any IP SANs`;
  return `${prefix} certificate is valid for ${names.join(', ') || 'no names'}, not ${name}`;
}

/** A Node TLS or socket failure as Go's net/http and crypto/x509 print it. */
export function goError(e: NodeJS.ErrnoException, host: string): string {
  const name = host.replace(/:\d+$/, '');
  const addr = host.includes(':') ? host : `${host}:443`;
  switch (e.code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return altnameError(e.message, name);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${name}: no such host`;
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    default:
      if (/wrong version number|packet length too long/i.test(e.message))
        return 'http: server gave HTTP response to HTTPS client';
      return e.message;
  }
}

const header = (a: Answer, name: string): string => {
  const v = a.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** A Bearer challenge's realm and service, with the repository pull scope. */
function tokenUrl(challenge: string, ref: ImageRef): string | undefined {
  const param = (k: string): string | undefined => new RegExp(`${k}="([^"]*)"`).exec(challenge)?.[1];
  const realm = param('realm');
  if (!/^Bearer /i.test(challenge) || !realm) return undefined;
  const u = new URL(realm);
  const service = param('service');
  if (service) u.searchParams.set('service', service);
  u.searchParams.set('scope', `repository:${ref.repository}:pull`);
  return u.toString();
}

const STATUS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Resolve `image` as the image fetcher does; the error a pull would report, or undefined when it would work. */
export async function fetchManifest(image: string, ca: string, auth?: PullAuth): Promise<string | undefined> {
  const ref = parseImage(image);
  const url = `https://${ref.registry}/v2/${ref.repository}/manifests/${ref.reference}`;
  const wrap = (msg: string): string =>
    `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${msg}`;
  const accept = {
    Accept:
      'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json',
  };
  let first: Answer;
  try {
    first = await request(url, ca, accept, 'HEAD');
  } catch (e) {
    return wrap(`failed to do request: Head "${url}": ${goError(e as NodeJS.ErrnoException, ref.registry)}`);
  }
  let answer = first;
  if (first.status === 401) {
    const tu = tokenUrl(header(first, 'www-authenticate'), ref);
    if (!tu)
      return wrap('pull access denied, repository does not exist or may require authorization: authorization failed');
    const basic: Record<string, string> = auth
      ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
      : {};
    let tok: Answer;
    try {
      tok = await request(tu, ca, basic);
    } catch (e) {
      return wrap(
        `failed to authorize: failed to fetch oauth token: ${goError(e as NodeJS.ErrnoException, ref.registry)}`,
      );
    }
    if (tok.status !== 200)
      return wrap(
        `failed to authorize: failed to fetch ${auth ? 'oauth' : 'anonymous'} token: unexpected status from GET request to ${tu}: ${tok.status} ${STATUS[tok.status] ?? ''}`.trim(),
      );
    const token = (JSON.parse(tok.body) as { token?: string; access_token?: string }).token ?? '';
    try {
      answer = await request(url, ca, { ...accept, Authorization: `Bearer ${token}` }, 'HEAD');
    } catch (e) {
      return wrap(`failed to do request: Head "${url}": ${goError(e as NodeJS.ErrnoException, ref.registry)}`);
    }
  }
  if (answer.status >= 200 && answer.status < 300) return undefined;
  if (answer.status === 401 || answer.status === 403) {
    const err = /error="([^"]*)"/.exec(header(answer, 'www-authenticate'))?.[1] ?? 'authorization failed';
    return wrap(
      `pull access denied, repository does not exist or may require authorization: server message: ${err}: authorization failed`,
    );
  }
  if (answer.status === 404) return wrap(`${image}: not found`);
  return wrap(`unexpected status from HEAD request to ${url}: ${answer.status} ${STATUS[answer.status] ?? ''}`.trim());
}
