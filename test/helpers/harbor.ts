// Talking to the lab's Harbor from tests: HTTPS (or HTTP) with the lab CA, Basic or Bearer
// auth, JSON bodies; a token from the token service; a real skopeo inspect.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { LabInfo } from '../../lab/lab.js';
import { run } from '../../lab/sh.js';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test JSON
  json: any;
}

export const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

export function request(
  url: string,
  o: { ca?: string; auth?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const text = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { ...o.headers };
  if (o.auth) headers.Authorization = o.auth;
  if (text !== undefined) headers['Content-Type'] = 'application/json';
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method: o.method ?? 'GET', headers, ca: o.ca ? fs.readFileSync(o.ca) : undefined, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = body ? JSON.parse(body) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

export class HarborClient {
  constructor(
    readonly base: string,
    readonly ca?: string,
  ) {}

  static of(info: LabInfo): HarborClient {
    return new HarborClient(`https://${info.harbor}`, info.ca);
  }

  api(
    method: string,
    p: string,
    who?: [string, string],
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpResult> {
    return request(`${this.base}/api/v2.0${p}`, {
      ca: this.ca,
      method,
      body,
      headers,
      auth: who ? basic(who[0], who[1]) : undefined,
    });
  }

  token(scope: string | undefined, who?: [string, string]): Promise<HttpResult> {
    const q = new URLSearchParams({ service: 'harbor-registry' });
    if (scope) q.set('scope', scope);
    return request(`${this.base}/service/token?${q}`, { ca: this.ca, auth: who ? basic(who[0], who[1]) : undefined });
  }

  /** The token's `access` claim. */
  static access(token: string): Array<{ type: string; name: string; actions: string[] }> {
    return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).access;
  }

  manifest(repo: string, tag: string, token: string): Promise<HttpResult> {
    return request(`${this.base}/v2/${repo}/manifests/${tag}`, {
      ca: this.ca,
      auth: `Bearer ${token}`,
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
  }
}

/** `skopeo inspect` of `<harbor>/<ref>` with the lab CA: with creds, or with none. */
export function skopeoInspect(info: LabInfo, ref: string, creds?: [string, string]) {
  return run(
    'skopeo',
    [
      'inspect',
      '--cert-dir',
      path.join(info.certsDir, info.harbor),
      ...(creds ? ['--creds', `${creds[0]}:${creds[1]}`] : ['--no-creds']),
      `docker://${info.harbor}/${ref}`,
    ],
    { env: { PATH: process.env.PATH } },
  );
}
