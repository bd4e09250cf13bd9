// A small Harbor in front of Debian's real docker-registry, as Harbor's nginx and core sit
// in front of distribution: one origin serves the token service (/service/token), the
// API clients use (/api/v2.0/ping, /systeminfo, /systeminfo/getcert and the Harbor 1.x
// /api/systeminfo/getcert) and /v2/, which is proxied to the registry, so every token is
// judged by the real registry. Projects, members, robots and the token semantics of
// access.ts, robots.ts, api.ts and robotapi.ts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { type HarborAccount, type HarborProject, isAdmin, type Principal, tokenActions } from './access.js';
import { serveApi } from './api.js';
import { type RobotSeed, RobotStore } from './robots.js';
import { parseScope, type Scope, TokenSigner } from './token.js';

export interface Listener {
  host: string;
  port: number;
  /** PEM files; omitted means plain HTTP. `cert` may hold a chain. */
  tls?: { cert: string; key: string };
  /** Which Harbor API this listener answers: v2 (Harbor 2.x), v1 (Harbor 1.x, vSphere 7's embedded Harbor), or none. */
  api: 'v2' | 'v1' | 'none';
}

export interface FrontOptions {
  listeners: Listener[];
  backend: { host: string; port: number };
  /** Local users (db_auth); robots are not here. */
  users: Record<string, HarborAccount>;
  projects: HarborProject[];
  /** The robots made when the state file does not exist yet. */
  robots: RobotSeed[];
  /** Harbor's robot_name_prefix (default `robot$`), used when the state file does not name one. */
  robotPrefix?: string;
  /** Where robots (and the prefix) persist; omitted keeps them in memory. */
  stateFile?: string;
  service: string;
  issuer: string;
  signingKey: string;
  /** The CA Harbor offers at getcert; omitted means Harbor has no CA root (404). */
  caRoot?: string;
  /**
   * Repositories (`project/repo`) that answer a pull with a fault once the token allows it:
   * `rate-limited` is 429 TOOMANYREQUESTS (as Docker Hub and proxies answer), `policy-blocked`
   * Harbor's 412 PROJECTPOLICYVIOLATION (the vulnerability-prevention policy).
   */
  repositoryFaults?: Record<string, RepositoryFault>;
  log?: (line: string) => void;
}

export type RepositoryFault = 'rate-limited' | 'policy-blocked';

const FAULTS: Record<
  RepositoryFault,
  { status: number; code: string; message: string; headers?: Record<string, string> }
> = {
  'rate-limited': {
    status: 429,
    code: 'TOOMANYREQUESTS',
    message: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading.',
    headers: { 'Retry-After': '3600' },
  },
  'policy-blocked': {
    status: 412,
    code: 'PROJECTPOLICYVIOLATION',
    message:
      'current image with 3 vulnerabilities cannot be pulled due to configured policy in \'Prevent images with vulnerability severity of "High" or higher from running.\' To continue with pull, please contact your project administrator to exempt matched vulnerabilities through configuring the CVE allowlist.',
  },
};

/** The repository a bearer token (from this front's token service) may pull; the signature is the registry's to check. */
function pullableBy(authorization: string | undefined, repository: string): boolean {
  const m = /^Bearer\s+[^.]+\.([^.]+)\./i.exec(authorization ?? '');
  if (!m) return false;
  try {
    const claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { access?: Scope[] };
    return (claims.access ?? []).some(
      (a) => a.type === 'repository' && a.name === repository && a.actions.includes('pull'),
    );
  } catch {
    return false;
  }
}

const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
};

export class HarborFront {
  private readonly servers: Array<http.Server | https.Server> = [];
  private readonly signer: TokenSigner;
  readonly robots: RobotStore;

  constructor(private readonly o: FrontOptions) {
    this.signer = new TokenSigner(crypto.createPrivateKey(fs.readFileSync(o.signingKey)), o.issuer);
    this.robots = new RobotStore(o.stateFile, o.robots, o.robotPrefix ?? 'robot$');
  }

  async start(): Promise<void> {
    for (const l of this.o.listeners) {
      const handler = (req: IncomingMessage, res: ServerResponse): void => this.handle(l, req, res);
      const server = l.tls
        ? https.createServer({ cert: fs.readFileSync(l.tls.cert), key: fs.readFileSync(l.tls.key) }, handler)
        : http.createServer(handler);
      await new Promise<void>((ok, ko) => {
        server.once('error', ko);
        server.listen(l.port, l.host, () => ok());
      });
      this.servers.push(server);
    }
  }

  async close(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise<void>((ok) => s.close(() => ok()));
    }
  }

  private log(line: string): void {
    this.o.log?.(`${new Date().toISOString()} ${line}`);
  }

  /**
   * Who a request is: the robot generator first, then basic auth (middleware/security/security.go
   * generators, robot.go L30-74, basic_auth.go); anything that fails is anonymous
   * (unauthorized.go). `failed` says Basic credentials were given and refused.
   */
  private principal(req: IncomingMessage): { who: Principal; name?: string; failed: boolean } {
    const h = req.headers.authorization ?? '';
    if (!/^Basic /i.test(h)) return { who: { kind: 'anonymous' }, failed: false };
    const text = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const cut = text.indexOf(':');
    if (cut < 0) return { who: { kind: 'anonymous' }, failed: true };
    const name = text.slice(0, cut);
    const secret = text.slice(cut + 1);
    const robot = this.robots.authenticate(name, secret);
    if (robot)
      return { who: { kind: 'robot', name, id: robot.id, permissions: robot.permissions }, name, failed: false };
    const user = this.o.users[name];
    if (user && user.password === secret)
      return { who: { kind: 'user', name, admin: user.admin === true }, name, failed: false };
    return { who: { kind: 'anonymous' }, name, failed: true };
  }

  private body(req: IncomingMessage): () => Promise<unknown> {
    return async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 1 << 20) throw new Error('request body over 1 MiB');
        chunks.push(c as Buffer);
      }
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    };
  }

  private handle(l: Listener, req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://harbor');
    const p = url.pathname;
    if (p === '/v2' || p.startsWith('/v2/')) {
      if (this.fault(req, res, p)) return;
      return this.proxy(l, req, res);
    }
    if (p === '/service/token') return this.token(req, res, url);
    if (l.api === 'v2' && p === '/api/v2.0/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Pong');
      return;
    }
    if (l.api === 'v2' && p === '/api/v2.0/systeminfo') {
      return json(res, 200, {
        auth_mode: 'db_auth',
        harbor_version: 'v2.9.1-lab',
        has_ca_root: Boolean(this.o.caRoot),
        registry_url: req.headers.host,
        with_chartmuseum: false,
        with_notary: false,
        self_registration: false,
      });
    }
    if (
      (l.api === 'v2' && p === '/api/v2.0/systeminfo/getcert') ||
      (l.api === 'v1' && p === '/api/systeminfo/getcert')
    ) {
      if (!this.o.caRoot) return json(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'No certificate found' }] });
      const pem = fs.readFileSync(this.o.caRoot);
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': 'attachment; filename=ca.crt',
        'Content-Length': pem.length,
      });
      res.end(pem);
      return;
    }
    if (l.api === 'v2' && p.startsWith('/api/v2.0/')) {
      const ctx = {
        projects: this.o.projects,
        robots: this.robots,
        who: this.principal(req).who,
        req,
        url,
        body: this.body(req),
      };
      serveApi(ctx, res, (line) => this.log(line))
        .then((served) => {
          if (!served) json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `${p} not found` }] });
        })
        .catch((e: Error) => {
          if (!res.headersSent) json(res, 500, { errors: [{ code: 'INTERNAL_SERVER_ERROR', message: e.message }] });
          else res.destroy();
        });
      return;
    }
    if (l.api === 'v1' && p === '/api/systeminfo')
      return json(res, 200, { harbor_version: 'v1.10.0-vsphere', has_ca_root: Boolean(this.o.caRoot) });
    json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `${p} not found` }] });
  }

  private token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method === 'POST') {
      this.log('token POST -> 405');
      return json(
        res,
        405,
        { errors: [{ code: 'METHOD_NOT_ALLOWED', message: 'POST is not supported' }] },
        { Allow: 'GET' },
      );
    }
    if (req.method !== 'GET')
      return json(res, 405, { errors: [{ code: 'METHOD_NOT_ALLOWED', message: `${req.method} is not supported` }] });
    const service = url.searchParams.get('service') ?? '';
    if (service !== this.o.service)
      return json(res, 400, { errors: [{ code: 'BAD_REQUEST', message: `invalid service: ${service}` }] });
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    const who = this.principal(req);
    // creator.go Create L208-213: only an unauthenticated request WITHOUT a scope (docker login) is
    // refused; with a scope, wrong, expired or disabled credentials are served as anonymous.
    if (who.who.kind === 'anonymous' && scopes.length === 0) {
      this.log(`token DENY ${who.name ?? '<anonymous>'} (no scope)`);
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'Www-Authenticate': 'Basic realm="harbor"' },
      );
    }
    const access = scopes
      .map(parseScope)
      .filter((s) => s !== undefined)
      .map((s) => this.grant(who.who, s));
    const subject = who.who.kind === 'anonymous' ? '' : who.who.name;
    const t = this.signer.sign(subject, service, access);
    this.log(
      `token OK ${subject || `<anonymous${who.failed ? `, refused ${who.name}` : ''}>`} ${JSON.stringify(access)}`,
    );
    json(res, 200, { token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt });
  }

  /** creator.go filterAccess: repositories by project permission, `registry:catalog:*` for the admin only. */
  private grant(who: Principal, scope: Scope): Scope {
    if (scope.type === 'registry' && scope.name === 'catalog')
      return { ...scope, actions: isAdmin(who) ? scope.actions : [] };
    if (scope.type !== 'repository' || !scope.name.includes('/')) return { ...scope, actions: [] };
    const project = this.o.projects.find((p) => p.name === scope.name.split('/')[0]);
    return { ...scope, actions: tokenActions(who, project) };
  }

  /** A pull of a faulty repository (repositoryFaults), answered here after the token service allowed it. */
  private fault(req: IncomingMessage, res: ServerResponse, p: string): boolean {
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/[^/]+$/.exec(p);
    const kind = m ? this.o.repositoryFaults?.[m[1]!] : undefined;
    if (!m || !kind || !pullableBy(req.headers.authorization, m[1]!)) return false;
    const f = FAULTS[kind];
    this.log(`${req.method} ${p} -> ${f.status} ${f.code}`);
    json(res, f.status, { errors: [{ code: f.code, message: f.message }] }, f.headers);
    return true;
  }

  private proxy(l: Listener, req: IncomingMessage, res: ServerResponse): void {
    const up = http.request(
      {
        host: this.o.backend.host,
        port: this.o.backend.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-proto': l.tls ? 'https' : 'http',
          'x-forwarded-host': req.headers.host ?? '',
        },
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', (e) => {
      if (!res.headersSent) json(res, 502, { errors: [{ code: 'UNAVAILABLE', message: `registry: ${e.message}` }] });
      else res.destroy();
    });
    req.pipe(up);
  }
}
