// Requests to the Kubernetes API of one resolved target as plain JSON (no generated API or
// model classes): a per-request timeout, -v request logging (method, URL, status, time; never
// headers or bodies), one keep-alive agent shared by every request, and error translation in
// one place. client-node is kept for what it is good at: the kubeconfig, auth providers and
// TLS options (KubeConfig.applySecurityAuthentication); exec plugins run in ExecCredentials.
import https from 'node:https';
import http from 'node:http';
import { ApiException, type HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { CliError, CredentialError } from '../errors.js';
import { type ExecConfig, ExecCredentials, type ExecStatus } from '../local/execcredential.js';
import { checkConnection, type KubeTarget } from './config.js';
import { translate, type Situation } from '../translate.js';
import { flat, send } from './rest.js';

export interface ClientOptions {
  /** 0 means no timeout, as with kubectl's --request-timeout=0. */
  timeoutMs: number;
  /** Called with one line per request when -v is on. */
  log?: ((line: string) => void) | undefined;
}

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRequest {
  /** Query parameters; undefined ones are left out. */
  query?: Record<string, string | undefined>;
  /** Sent as JSON. */
  body?: unknown;
}

/** The kubeconfig of one target with its user's `exec` plugin taken out: ExecCredentials runs that. */
function withoutExec(t: KubeTarget): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [t.cluster],
    users: [{ ...t.user, exec: undefined }],
    contexts: [{ ...t.context, name: t.contextName }],
    currentContext: t.contextName,
  });
  return kc;
}

/**
 * Reuses one agent per target: client-node would otherwise build a new agent, and so a new
 * TLS handshake, per request. An `exec` plugin is run by ExecCredentials (kubectl's wording
 * for its failures, one run for concurrent requests); any other failure to get credentials
 * (auth providers) is one line naming the user, not an internal error.
 */
class SharedAgentAuth {
  private agent: http.Agent | undefined;
  private readonly kc: KubeConfig;
  private readonly exec: ExecCredentials | undefined;
  /**
   * The kubeconfig's own headers, once read, where they cannot change during a run (a token,
   * basic auth, a client certificate, an exec plugin's part apart): client-node would rebuild
   * the TLS options (reading the files again) and an agent on every request. Auth providers
   * (OIDC, token files) refresh, so they are asked every time.
   */
  private kcHeaders: Record<string, string> | undefined;

  constructor(private readonly target: KubeTarget) {
    const { user } = target;
    const exec = user.exec as ExecConfig | undefined;
    this.exec = exec?.command && !user.token ? new ExecCredentials(exec, user.name, process.env) : undefined;
    this.kc = this.exec ? withoutExec(target) : target.kc;
  }

  private async credentials(context: RequestContext): Promise<ExecStatus | undefined> {
    if (this.kcHeaders) {
      for (const [k, v] of Object.entries(this.kcHeaders)) context.setHeaderParam(k, v);
    } else {
      try {
        await this.kc.applySecurityAuthentication(context);
      } catch (e) {
        if (e instanceof CliError) throw e;
        const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
        throw new CredentialError(`getting credentials for user "${this.target.user.name}": ${why}`);
      }
      if (!this.target.user.authProvider) this.kcHeaders = { ...context.getHeaders() };
    }
    const st = await this.exec?.get();
    if (st?.token) context.setHeaderParam('Authorization', `Bearer ${st.token}`);
    return st;
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const st = await this.credentials(context);
    if (!this.agent && this.target.cluster.proxyUrl) {
      // proxy-url: the agent client-node made for it (socks, or HTTP through the proxy).
      this.agent = context.getAgent() as http.Agent;
    } else if (!this.agent) {
      const made = context.getAgent();
      const opts = (made as (https.Agent & { options?: https.AgentOptions }) | undefined)?.options ?? {};
      const cert =
        st?.clientCertificateData && st.clientKeyData ? { cert: st.clientCertificateData, key: st.clientKeyData } : {};
      this.agent = context.getUrl().startsWith('https:')
        ? new https.Agent({ ...opts, ...cert, keepAlive: true, maxSockets: 32 })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
    }
    context.setAgent(this.agent);
  }

  close(): void {
    this.agent?.destroy();
  }
}

export class KubeClient {
  readonly target: KubeTarget;
  private readonly auth: SharedAgentAuth;
  private readonly log: ((line: string) => void) | undefined;
  private readonly timeoutMs: number;

  constructor(target: KubeTarget, opts: ClientOptions) {
    checkConnection(target);
    this.target = target;
    this.auth = new SharedAgentAuth(target);
    const { log, timeoutMs } = opts;
    this.log = log;
    this.timeoutMs = timeoutMs;
  }

  /**
   * One JSON request to `path` (`/api/v1/...`) with the typed clients' credentials, shared
   * agent, timeout and -v line, but without their model classes and serializer (about half
   * the CPU of a request): the object comes back as the server sent it, every field kept
   * (timestamps are RFC 3339 strings, not Dates). Failures look like the typed clients'
   * (ApiException with the body as text; a network failure carries its system code; a
   * timeout is an AbortError), so `call()` reads them alike.
   */
  async rest<T>(method: RestMethod, path: string, r: RestRequest = {}): Promise<T> {
    const { text } = await this.exchange(method, path, r, 'application/json');
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** As rest(), with the response headers too (lower-case names, repeated ones joined by ", "): for `Warning`s. */
  async restInfo<T>(
    method: RestMethod,
    path: string,
    r: RestRequest = {},
  ): Promise<{ data: T; headers: Record<string, string> }> {
    const { text, headers } = await this.exchange(method, path, r, 'application/json');
    return { data: (text ? JSON.parse(text) : undefined) as T, headers };
  }

  /** As rest(), for an answer that is text, not JSON (`pods/NAME/log`): the body as sent. */
  async restText(method: RestMethod, path: string, r: RestRequest = {}): Promise<string> {
    return (await this.exchange(method, path, r, 'application/json, */*;q=0.8')).text;
  }

  /** The one request path of rest(), restInfo() and restText(): credentials, agent, timeout, -v line, errors. */
  private async exchange(
    method: RestMethod,
    path: string,
    r: RestRequest,
    accept: string,
  ): Promise<{ text: string; headers: Record<string, string> }> {
    const ctx = new RequestContext(this.target.cluster.server + path, method as HttpMethod);
    for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, v);
    await this.auth.applySecurityAuthentication(ctx);
    const url = ctx.getUrl();
    const t0 = Date.now();
    const line = (what: string) => this.log?.(`${method} ${url} ${what} in ${Date.now() - t0}ms`);
    // A string, not a Buffer: node then sends the headers and the body in one write (one TLS record).
    const data = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string | number> = { ...ctx.getHeaders(), Accept: accept };
    if (data !== undefined) {
      Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    }
    let res: { status: number; text: string; headers: http.IncomingHttpHeaders };
    try {
      res = await send(url, { method, headers, agent: ctx.getAgent(), timeoutMs: this.timeoutMs }, data);
    } catch (err) {
      line(`failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
      throw err;
    }
    line(String(res.status));
    if (res.status >= 200 && res.status <= 299) return { text: res.text, headers: flat(res.headers) };
    if (res.status === 401) throw new ApiException(401, 'Unauthorized', undefined, flat(res.headers));
    throw new ApiException(res.status, 'Unknown API Status Code!', res.text, flat(res.headers));
  }

  situation(doing: string): Situation {
    const v = this.target.vsphere;
    return {
      doing,
      context: this.target.contextName,
      target: this.target.cluster.server,
      ...(v
        ? {
            vsphere: {
              server: v.server,
              username: v.username,
              tkc: v.kind === 'tkc',
              login: v.login,
              context: this.target.contextName,
            },
          }
        : {}),
    };
  }

  /** Run one API call; any failure becomes a one-line CliError that says what was being done. */
  async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw translate(e, this.situation(doing));
    }
  }

  close(): void {
    this.auth.close();
  }
}
