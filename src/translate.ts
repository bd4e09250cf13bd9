// The one translation point: any failure from the Kubernetes client, a TLS
// handshake or a socket becomes one CliError line that says what was being done.
import { ApiError, CliError, NetworkError, systemCode } from './errors.js';

export interface Situation {
  /** What was being done, e.g. `creating secret/x in namespace "ns"`. */
  doing: string;
  /** The kubeconfig context, for 401 hints. */
  context?: string;
  /** The Supervisor login behind that context, for 401 hints. */
  vsphere?: {
    server: string;
    username: string | undefined;
    tkc?: boolean;
    login?: 'kubectl-vsphere' | 'vcf-cli';
    context?: string;
  };
  /** The host being contacted, for network errors. */
  target?: string;
}

interface K8sStatus {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
  details?: { causes?: Array<{ field?: string; message?: string }> };
}

const TLS_UNKNOWN_CA = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

export function parseStatus(body: unknown): K8sStatus | undefined {
  let v = body;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (v && typeof v === 'object' && (v as K8sStatus).kind === 'Status') return v as K8sStatus;
  return undefined;
}

function isApiException(e: unknown): e is { code: number; body: unknown } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number' && 'body' in e;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function vsphereRelogin(s: Situation): string {
  if (!s.vsphere) return `check the credentials of context "${s.context ?? ''}"`;
  const { server, username, tkc, login, context } = s.vsphere;
  if (login === 'vcf-cli') {
    return `the vSphere session token has expired (they last 10 hours): run \`vcf context use ${context ?? s.context ?? ''}\` (it refreshes the token) and try again`;
  }
  const base = `kubectl vsphere login --server ${server} --vsphere-username ${username ?? '<user>'}`;
  return tkc
    ? `the vSphere session token has expired (they last 10 hours): run \`${base} --tanzu-kubernetes-cluster-name …\` again`
    : `the vSphere session token has expired (they last 10 hours): run \`${base}\` again`;
}

export function fromApiException(e: { code: number; body: unknown }, s: Situation): ApiError {
  const st = parseStatus(e.body);
  const reason = st?.reason ?? '';
  const msg = st?.message ? oneLine(st.message) : `HTTP ${e.code}`;
  switch (e.code) {
    case 401:
      return new ApiError(401, reason || 'Unauthorized', `${s.doing}: Unauthorized: ${vsphereRelogin(s)}`);
    case 403:
      return new ApiError(403, reason || 'Forbidden', `${s.doing}: Forbidden: ${msg}`);
    case 404:
      return new ApiError(404, reason || 'NotFound', `${s.doing}: NotFound: ${msg}`);
    case 409:
      return new ApiError(409, reason || 'Conflict', `${s.doing}: ${reason || 'Conflict'}: ${msg}`);
    case 422: {
      const causes = st?.details?.causes?.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join('; ');
      return new ApiError(422, reason || 'Invalid', `${s.doing}: Invalid: ${msg}`, causes);
    }
    default:
      return new ApiError(
        e.code,
        reason || 'InternalError',
        `${s.doing}: server answered ${e.code}${reason ? ` ${reason}` : ''}: ${msg}`,
      );
  }
}

/** The messages of e and its causes, for details a wrapper leaves out of its own message. */
function chainText(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++, cur = (cur as { cause?: unknown }).cause)
    if (cur instanceof Error) parts.push(cur.message);
  return parts.join(' | ');
}

/** The DNS names of the certificate a TLS name check refused (Node puts it on the error as `cert`). */
export function dnsNames(e: unknown): string[] {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const c = cur as { cert?: { subjectaltname?: unknown }; cause?: unknown };
    const san = c.cert?.subjectaltname;
    if (typeof san === 'string')
      return san
        .split(/,\s*/)
        .filter((x) => x.startsWith('DNS:'))
        .map((x) => x.slice(4));
    cur = c.cause;
  }
  return [];
}

/** A certificate without the IP SAN the address needs: what is wrong, and both fixes. */
export function noIpSan(ip: string, names: string[], target: string | undefined): string {
  const port = target && /:(\d+)$/.exec(target.replace(/^[a-z]+:\/\//, ''))?.[1];
  const use = names.find((n) => !n.includes('*'));
  const by = use
    ? `; it is valid for ${names.join(', ')}: use ${use}${port ? `:${port}` : ''} instead (in DNS or /etc/hosts)`
    : '; use a host name the certificate holds';
  return `x509: certificate is not valid for IP ${ip} (it has no matching IP SAN)${by}, or re-issue the certificate with an IP SAN for ${ip}`;
}

export function fromNetworkError(e: unknown, s: Situation): NetworkError | undefined {
  const code = systemCode(e);
  if (!code) return undefined;
  const where = s.target ? ` ${s.target}` : '';
  const raw = e instanceof Error ? oneLine(e.message) : String(e);
  if (TLS_UNKNOWN_CA.has(code))
    return new NetworkError(
      'TLS_UNKNOWN_CA',
      `${s.doing}: x509: certificate signed by unknown authority${where ? ` (server${where})` : ''}`,
      code,
    );
  if (code === 'CERT_HAS_EXPIRED')
    return new NetworkError(
      'TLS_EXPIRED',
      `${s.doing}: x509: certificate has expired${where ? ` (server${where})` : ''}`,
    );
  if (code === 'CERT_NOT_YET_VALID')
    return new NetworkError(
      'TLS_NOT_YET_VALID',
      `${s.doing}: x509: certificate is not yet valid${where ? ` (server${where})` : ''}`,
    );
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const ip = /IP: ([^ ]+) is not in the cert's list/.exec(chainText(e));
    return ip
      ? new NetworkError('TLS_NO_IP_SAN', `${s.doing}: ${noIpSan(ip[1]!, dnsNames(e), s.target)}`)
      : new NetworkError('TLS_NAME', `${s.doing}: x509: certificate is not valid for this host name: ${raw}`);
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return new NetworkError('TLS_PLAIN_HTTP', `${s.doing}: server${where} gave HTTP response to HTTPS client`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new NetworkError('DNS', `${s.doing}: cannot resolve host${where}`);
  if (code === 'ECONNREFUSED') return new NetworkError('REFUSED', `${s.doing}: connection refused${where}`);
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return new NetworkError('TIMEOUT', `${s.doing}: timed out${where ? ` talking to${where}` : ''}`);
  if (code === 'ECONNRESET')
    return new NetworkError('RESET', `${s.doing}: connection reset${where ? ` by${where}` : ''}`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new NetworkError('UNREACHABLE', `${s.doing}: host unreachable${where}`);
  return undefined;
}

/** Turn anything thrown while doing `s.doing` into a CliError, or return it unchanged if it is a bug. */
export function translate(e: unknown, s: Situation): unknown {
  if (e instanceof CliError) return e;
  if (isApiException(e) && e.code >= 100 && e.code < 600) return fromApiException(e, s);
  return fromNetworkError(e, s) ?? e;
}
