// One HTTP(S) exchange for KubeClient.rest(): the body read whole, one timer for the whole
// exchange, and failures shaped as node-fetch (the typed clients' library) shapes them, so
// translate() reads both paths alike.
import http from 'node:http';
import https from 'node:https';

export interface SendOptions {
  method: string;
  headers: Record<string, string | number>;
  agent: http.Agent | undefined;
  timeoutMs: number;
}

/**
 * One HTTP(S) exchange, the body read whole. Errors as node-fetch (the typed clients' library)
 * shapes them: `request to URL failed, reason: ...` with the system code, AbortError on timeout.
 */
export function send(
  url: string,
  o: SendOptions,
  data: string | Buffer | undefined,
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (
      err: Error | undefined,
      r?: { status: number; text: string; headers: http.IncomingHttpHeaders },
    ) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(r!);
    };
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.request(url, { method: o.method, headers: o.headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () =>
        settle(undefined, {
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    // One timer for the whole exchange, as AbortSignal.timeout was (and cheaper per request).
    const timer =
      o.timeoutMs > 0
        ? setTimeout(() => {
            settle(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' }));
          }, o.timeoutMs)
        : undefined;
    function fail(err: Error & { code?: string }): void {
      const e = new Error(`request to ${url} failed, reason: ${err.message}`);
      settle(Object.assign(e, { name: 'FetchError', type: 'system', code: err.code, errno: err.code }));
    }
    req.on('error', fail);
    req.end(data);
  });
}

export const flat = (h: http.IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
