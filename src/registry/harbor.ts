// The Harbor API (/api/v2.0) for project robots: a project, robots by project or name,
// create, refresh (PATCH: a new random secret), delete. Basic auth; every request has
// --request-timeout as its total deadline and a 1 MiB cap. An error reply becomes a
// HarborApiError with Harbor's own message, one line. A robot's secret lives only in the
// replies of create and refresh: it is returned to the caller, never logged or put in an
// error (error replies carry no secret, and the log names only the method, URL and status).
import { CliError, NetworkError, systemCode } from '../errors.js';
import { type HttpMethod, httpRequest, type HttpReply } from '../net/http.js';
import { fromNetworkError } from '../translate.js';
import { baseUrl, type Registry } from './endpoint.js';
import type { Credentials, VerifyOptions } from './verify.js';

export class HarborApiError extends CliError {
  constructor(
    readonly status: number,
    readonly harborCode: string,
    message: string,
  ) {
    super(`HARBOR_${harborCode || status}`, message);
  }
}

export interface Project {
  project_id: number;
  name: string;
  metadata?: { public?: string };
}

export interface Robot {
  id: number;
  name: string;
  description?: string;
  level?: string;
  duration?: number;
  disable?: boolean;
  /** Unix seconds; -1: never. */
  expires_at?: number;
  permissions?: { kind: string; namespace: string; access: { resource: string; action: string }[] }[];
}

export interface CreatedRobot {
  id: number;
  name: string;
  secret: string;
  expires_at?: number;
}

/** Harbor's error text: `{"errors":[{"code","message"}]}`, else the start of the body. */
export function harborError(r: HttpReply): { code: string; message: string } {
  const text = r.body.toString('utf8');
  try {
    const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const e = j.errors?.[0];
    if (e) return { code: e.code ?? '', message: (e.message ?? '').replace(/\s+/g, ' ').trim() };
  } catch {
    /* not JSON */
  }
  return { code: '', message: text.replace(/\s+/g, ' ').trim().slice(0, 200) };
}

export class HarborApi {
  constructor(
    private readonly registry: Registry,
    private readonly creds: Credentials,
    private readonly o: VerifyOptions,
  ) {}

  get username(): string {
    return this.creds.username;
  }

  private async call(method: HttpMethod, path: string, doing: string, json?: unknown): Promise<HttpReply> {
    const url = `${baseUrl(this.registry)}/api/v2.0${path}`;
    const auth = `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}`;
    let r: HttpReply;
    try {
      r = await httpRequest(url, {
        method,
        json,
        tls: this.o.tls,
        timeoutMs: this.o.timeoutMs,
        headers: { Authorization: auth, 'X-Is-Resource-Name': 'true' },
        log: this.o.log,
        overflow: 'error',
      });
    } catch (e) {
      if (e instanceof CliError) throw e;
      const net = fromNetworkError(e, { doing, target: new URL(url).host });
      if (net) throw net;
      if (systemCode(e)) throw new NetworkError('NETWORK', `${doing}: ${(e as Error).message}`);
      throw e;
    }
    if (r.status >= 200 && r.status < 300) return r;
    const err = harborError(r);
    throw new HarborApiError(
      r.status,
      err.code,
      `${doing}: Harbor answered ${r.status}${err.message ? ` (${err.message})` : ''}`,
    );
  }

  private async json<T>(method: HttpMethod, path: string, doing: string, body?: unknown): Promise<T> {
    const r = await this.call(method, path, doing, body);
    try {
      return JSON.parse(r.body.toString('utf8')) as T;
    } catch {
      throw new CliError('HARBOR_REPLY', `${doing}: Harbor's reply is not JSON`);
    }
  }

  /** The project; HarborApiError 404 (or 403) when it does not exist or the user may not see it. */
  project(name: string): Promise<Project> {
    return this.json('GET', `/projects/${encodeURIComponent(name)}`, `reading project "${name}"`);
  }

  robot(id: number): Promise<Robot> {
    return this.json('GET', `/robots/${id}`, `reading robot ${id}`);
  }

  /** Robots whose name is exactly `name` (Harbor's `q=name=...`). */
  async robotsNamed(name: string): Promise<Robot[]> {
    const q = encodeURIComponent(`name=${name}`);
    const list = await this.json<Robot[] | null>('GET', `/robots?q=${q}`, `looking up robot "${name}"`);
    return (list ?? []).filter((r) => r.name === name);
  }

  /** A pull-only project robot. The reply holds its secret: keep it in memory only. */
  createPullRobot(project: string, name: string, durationDays: number): Promise<CreatedRobot> {
    return this.json('POST', '/robots', `creating robot "${name}" in project "${project}"`, {
      name,
      description: 'pull secret written by kubectl-harbor',
      duration: durationDays,
      level: 'project',
      disable: false,
      permissions: [{ kind: 'project', namespace: project, access: [{ resource: 'repository', action: 'pull' }] }],
    });
  }

  /** A new random secret (PATCH with no secret): the old one stops working. */
  async refreshSecret(id: number, name: string): Promise<string> {
    const r = await this.json<{ secret?: string }>('PATCH', `/robots/${id}`, `refreshing robot "${name}"`, {});
    if (!r.secret) throw new CliError('HARBOR_REPLY', `refreshing robot "${name}": Harbor's reply holds no secret`);
    return r.secret;
  }

  async deleteRobot(id: number, name: string): Promise<void> {
    await this.call('DELETE', `/robots/${id}`, `deleting robot "${name}"`);
  }
}

/** `expires_at` (unix seconds, -1 never) as the annotation has it: RFC 3339 UTC or "never". */
export function expiryText(expiresAt: number | undefined): string | undefined {
  if (expiresAt === undefined) return undefined;
  if (expiresAt < 0) return 'never';
  return new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
