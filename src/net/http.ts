// The one HTTP client of the plugin (registry verification, CA fetching, the Harbor API):
// GET, and POST/PATCH/PUT/DELETE with a JSON body for the Harbor API; HTTPS, or HTTP for
// an http: URL, with
//  - a TOTAL deadline covering connect, headers and body (timeoutMs; 0 = none, as
//    kubectl's --request-timeout): a server that trickles bytes cannot hold us past it;
//  - a size cap (maxBytes, default 1 MiB): past it the socket is destroyed and nothing
//    more is read. Policy per caller: 'error' (a ResponseTooLargeError naming the URL and
//    the cap) or 'truncate' (the first maxBytes bytes, `truncated: true`).
// Network failures are rejected as the socket's own errors (a timeout as ETIMEDOUT), for
// the caller to put through translate.ts fromNetworkError. Headers are never logged:
// they carry credentials.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { CliError } from '../errors.js';

/** How a TLS connection checks the server: which CAs (undefined: Node's), or no check at all. */
export interface TlsSettings {
  ca?: string[];
  rejectUnauthorized: boolean;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Only with overflow 'truncate': the body was cut at maxBytes. */
  truncated: boolean;
}

export interface HttpOptions {
  tls: TlsSettings;
  /** Total deadline in ms for connect + headers + body; 0: none. */
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Default MAX_REPLY (1 MiB). */
  maxBytes?: number;
  /** What a reply larger than maxBytes becomes; default 'error'. */
  overflow?: 'error' | 'truncate';
  log?: ((line: string) => void) | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions extends HttpOptions {
  method: HttpMethod;
  /** Sent as JSON; never logged (a robot's secret may be in it). */
  json?: unknown;
}

export const MAX_REPLY = 1 << 20;

/** A reply larger than the caller's cap: reading stopped and the connection was closed. */
export class ResponseTooLargeError extends CliError {
  constructor(url: string, maxBytes: number) {
    super('HTTP_TOO_LARGE', `GET ${url}: the reply is larger than ${formatBytes(maxBytes)}; stopped reading it`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n >> 10} KiB`;
  return `${n} bytes`;
}

/** The error a deadline rejects with: translate.ts reads ETIMEDOUT as "timed out". */
export function timedOut(): Error {
  return Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
}

/** The URL as it may be shown: no user info, no query (a token realm's query names the account). */
export const shown = (u: URL): string => `${u.origin}${u.pathname}`;

export function httpGet(url: string, o: HttpOptions): Promise<HttpReply> {
  return httpRequest(url, { ...o, method: 'GET' });
}

/** One request with the same deadline and cap as httpGet; the log line names only the method, URL and status. */
export function httpRequest(url: string, o: RequestOptions): Promise<HttpReply> {
  const u = new URL(url);
  const payload = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
  const lib = u.protocol === 'http:' ? http : https;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: unknown, reply?: HttpReply): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        reject(err);
        req.destroy();
      } else resolve(reply!);
    };
    const req = lib.request(u, {
      method: o.method,
      headers: {
        'User-Agent': 'kubectl-harbor',
        Accept: 'application/json',
        ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        ...o.headers,
      },
      ...(u.protocol === 'https:' ? { ca: o.tls.ca, rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
    });
    const timer = o.timeoutMs > 0 ? setTimeout(() => finish(timedOut()), o.timeoutMs) : undefined;
    req.on('response', (res) =>
      readBody(res, u, o, (err, body, truncated) => {
        if (err) return finish(err);
        o.log?.(`${o.method} ${shown(u)} ${res.statusCode} in ${Date.now() - t0} ms`);
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: body!, truncated: truncated! });
      }),
    );
    req.on('error', (e) => finish(e));
    req.end(payload);
  });
}

/** Collects at most maxBytes; calls back once: the body, or the cap error, or the stream's error. */
function readBody(
  res: IncomingMessage,
  u: URL,
  o: HttpOptions,
  cb: (err: unknown, body?: Buffer, truncated?: boolean) => void,
): void {
  const max = o.maxBytes ?? MAX_REPLY;
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  res.on('data', (c: Buffer) => {
    if (over) return;
    if (size + c.length <= max) {
      chunks.push(c);
      size += c.length;
      return;
    }
    over = true;
    chunks.push(c.subarray(0, max - size));
    size = max;
    res.destroy();
    if (o.overflow === 'truncate') cb(undefined, Buffer.concat(chunks), true);
    else cb(new ResponseTooLargeError(shown(u), max));
  });
  res.on('end', () => {
    if (!over) cb(undefined, Buffer.concat(chunks), false);
  });
  // A reply cut short (or destroyed by the deadline) ends in 'error' (ECONNRESET "aborted").
  res.on('error', (e) => {
    if (!over) cb(e);
  });
}
