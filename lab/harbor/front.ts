// A small Harbor in front of Debian's real docker-registry, as Harbor's nginx and core sit
// in front of distribution: one origin serves the token service (/service/token), the
// API clients use (/api/v2.0/ping, /systeminfo, /systeminfo/getcert and the Harbor 1.x
// /api/systeminfo/getcert) and /v2/, which is proxied to the registry, so every token is
// judged by the real registry.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { grant, parseScope, TokenSigner, type HarborUser } from './token.js';

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
  users: Record<string, HarborUser>;
  service: string;
  issuer: string;
  signingKey: string;
  /** The CA Harbor offers at getcert; omitted means Harbor has no CA root (404). */
  caRoot?: string;
  log?: (line: string) => void;
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

  constructor(private readonly o: FrontOptions) {
    this.signer = new TokenSigner(crypto.createPrivateKey(fs.readFileSync(o.signingKey)), o.issuer);
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

  private user(req: IncomingMessage): { name?: string; user?: HarborUser; bad?: boolean } {
    const h = req.headers.authorization ?? '';
    if (!/^Basic /i.test(h)) return {};
    const text = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const cut = text.indexOf(':');
    const name = text.slice(0, cut);
    const user = this.o.users[name];
    if (cut < 0 || !user || user.password !== text.slice(cut + 1)) return { name, bad: true };
    return { name, user };
  }

  private handle(l: Listener, req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://harbor');
    const p = url.pathname;
    if (p === '/v2' || p.startsWith('/v2/')) return this.proxy(l, req, res);
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
    const who = this.user(req);
    if (who.bad) {
      this.log(`token DENY ${who.name}`);
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'Www-Authenticate': 'Basic realm="harbor"' },
      );
    }
    const service = url.searchParams.get('service') ?? '';
    if (service !== this.o.service)
      return json(res, 400, { errors: [{ code: 'BAD_REQUEST', message: `invalid service: ${service}` }] });
    const access = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .map(parseScope)
      .filter((s) => s !== undefined)
      .map((s) => grant(who.user, s));
    const t = this.signer.sign(who.name ?? '', service, access);
    this.log(`token OK ${who.name ?? '<anonymous>'} ${JSON.stringify(access)}`);
    json(res, 200, { token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt });
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
