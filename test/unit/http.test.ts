// The one bounded HTTP GET (src/net/http.ts) and its users (registry verification, the
// getcert fetch, the TLS chain read) against hostile local servers: an endless body, a
// trickle, a 2 MiB reply, a handshake that never comes. Assertions are on error codes and
// bytes, never on elapsed time.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { makeCa, makeCert } from '../../lab/pki.js';
import type { CliError } from '../../src/errors.js';
import { httpGet, MAX_REPLY, ResponseTooLargeError } from '../../src/net/http.js';
import { peerChain } from '../../src/net/peer.js';
import { verifyLogin } from '../../src/registry/verify.js';
import { fetchRegistryCa } from '../../src/tls/fetch.js';
import { fromNetworkError } from '../../src/translate.js';

const ca = makeCa('HTTP Test CA', 'Test');
const leaf = makeCert({ cn: 'localhost', issuer: ca, ips: ['127.0.0.1'], dns: ['localhost'] });
const CHUNK = Buffer.alloc(64 << 10, 'x');

/** Writes CHUNKs for as long as the client reads, honouring backpressure; counts what the socket took. */
function endless(res: ServerResponse, sent: { bytes: number; closed: boolean }): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
  res.on('close', () => (sent.closed = true));
  const pump = (): void => {
    while (!res.destroyed && !res.writableEnded) {
      sent.bytes += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
  };
  pump();
}

function trickle(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  let n = 0;
  const t = setInterval(() => {
    if (res.destroyed) return clearInterval(t);
    res.write('.');
    if (++n === bytes) clearInterval(t), res.end();
  }, 100);
  res.on('close', () => clearInterval(t));
}

describe('bounded HTTP GET', () => {
  let server: https.Server;
  let host: string;
  let silent: net.Server;
  let silentHost: string;
  const sent = { bytes: 0, closed: false };
  const seen: Array<Record<string, unknown>> = [];
  const sockets = new Set<net.Socket>();

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_q, res) => res.end('hello'),
    '/endless': (_q, res) => endless(res, sent),
    '/trickle': (_q, res) => trickle(res, 1_000),
    '/trickle5': (_q, res) => trickle(res, 5),
    '/big': (_q, res) => res.end(Buffer.alloc(2 << 20, 'y')),
    '/v2/': (q, res) => (seen.push(q.headers), res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="r"' }).end()),
  };

  before(async () => {
    server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
      const route = routes[new URL(req.url!, 'https://x').pathname];
      if (route) route(req, res);
      else res.writeHead(404).end('not here');
    });
    server.on('connection', (s: net.Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Accepts TCP and never says a word: no TLS handshake, no HTTP.
    silent = net.createServer((s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => silent.close(r))]);
  });

  const tls = { ca: [ca.certPem], rejectUnauthorized: true };

  test('a small reply is read whole; the log line names status and URL, never headers or query', async () => {
    const lines: string[] = [];
    const r = await httpGet(`https://${host}/ok?account=me`, {
      tls,
      timeoutMs: 5_000,
      headers: { Authorization: 'Basic c2VjcmV0' },
      log: (l) => lines.push(l),
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello');
    assert.equal(r.truncated, false);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^GET https://${host}/ok 200 in \\d+ ms$`));
  });

  test('an endless body ends in the size cap: the socket is closed, bytes stay bounded', async () => {
    sent.bytes = 0;
    sent.closed = false;
    const err = await httpGet(`https://${host}/endless`, { tls, timeoutMs: 60_000 }).then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResponseTooLargeError, String(err));
    assert.equal(err.code, 'HTTP_TOO_LARGE');
    assert.equal(err.message, `GET https://${host}/endless: the reply is larger than 1 MiB; stopped reading it`);
    await waitFor(() => sent.closed);
    // What the server managed to push: the cap plus the kernel's socket buffers, not more.
    assert.ok(sent.bytes < MAX_REPLY + (32 << 20), `server wrote ${sent.bytes} bytes`);
  });

  test('the truncate policy returns the first maxBytes bytes and stops reading', async () => {
    sent.closed = false;
    const r = await httpGet(`https://${host}/endless`, {
      tls,
      timeoutMs: 60_000,
      maxBytes: 100_000,
      overflow: 'truncate',
    });
    assert.equal(r.body.length, 100_000);
    assert.equal(r.truncated, true);
    await waitFor(() => sent.closed);
  });

  test('2 MiB is over the 1 MiB cap: one line naming the URL and the cap', async () => {
    await assert.rejects(
      httpGet(`https://${host}/big`, { tls, timeoutMs: 60_000 }),
      (e: CliError) => e.code === 'HTTP_TOO_LARGE' && /\/big: the reply is larger than 1 MiB/.test(e.message),
    );
    const r = await httpGet(`https://${host}/big`, { tls, timeoutMs: 60_000, maxBytes: 2 << 20 });
    assert.equal(r.body.length, 2 << 20, 'exactly the cap is allowed');
  });

  test('a trickle (1 byte per 100 ms) is stopped by the total deadline, as a timeout', async () => {
    const err = await httpGet(`https://${host}/trickle`, { tls, timeoutMs: 500 }).then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.equal((err as NodeJS.ErrnoException).code, 'ETIMEDOUT');
    const net = fromNetworkError(err, { doing: 'reading', target: host });
    assert.equal(net?.code, 'TIMEOUT');
    assert.equal(net?.message, `reading: timed out talking to ${host}`);
  });

  test('timeoutMs 0 is no deadline (as kubectl): a slow but finite reply completes', async () => {
    const r = await httpGet(`https://${host}/trickle5`, { tls, timeoutMs: 0 });
    assert.equal(r.body.toString(), '.....');
  });

  test('a server that never answers the handshake: httpGet and the TLS chain read time out', async () => {
    await assert.rejects(httpGet(`https://${silentHost}/`, { tls, timeoutMs: 300 }), { code: 'ETIMEDOUT' });
    await assert.rejects(peerChain(silentHost, 300), { code: 'ETIMEDOUT' });
  });

  test('getcert: an endless body is the cap error, a trickle a timeout, each one line', async () => {
    routes['/api/v2.0/systeminfo/getcert'] = (_q, res) => endless(res, sent);
    try {
      sent.closed = false;
      await assert.rejects(
        fetchRegistryCa(host, 60_000),
        (e: CliError) =>
          e.code === 'HTTP_TOO_LARGE' &&
          e.message ===
            `GET https://${host}/api/v2.0/systeminfo/getcert: the reply is larger than 1 MiB; stopped reading it`,
      );
      await waitFor(() => sent.closed);
      routes['/api/v2.0/systeminfo/getcert'] = (_q, res) => trickle(res, 1_000);
      await assert.rejects(
        fetchRegistryCa(host, 500),
        (e: CliError) =>
          e.code === 'TIMEOUT' && e.message === `fetching the CA of ${host}: timed out talking to ${host}`,
      );
      await assert.rejects(fetchRegistryCa(silentHost, 300), (e: CliError) => e.code === 'TIMEOUT');
    } finally {
      delete routes['/api/v2.0/systeminfo/getcert'];
    }
  });

  test('getcert: the v2 PEM is taken without verifying the server; with no getcert, the top of the TLS chain', async () => {
    routes['/api/v2.0/systeminfo/getcert'] = (_q, res) => res.end(ca.certPem);
    try {
      const got = await fetchRegistryCa(host, 5_000);
      assert.equal(got.route, 'getcert-v2');
      assert.equal(got.certs[0]!.subject, 'CN=HTTP Test CA, O=Test');
    } finally {
      delete routes['/api/v2.0/systeminfo/getcert'];
    }
    const chained = await fetchRegistryCa(host, 5_000);
    assert.equal(chained.route, 'tls-chain');
    assert.equal(chained.certs[0]!.subject, 'CN=localhost');
    assert.match(chained.note ?? '', /sent no root certificate/);
  });

  test('registry verification: a trickling /v2/ is a timeout, a 2 MiB one the cap; credentials never reach the log', async () => {
    const registry = { host, plainHttp: false };
    const creds = { username: 'u', password: 'p4ss' };
    const lines: string[] = [];
    await assert.rejects(
      verifyLogin(registry, creds, { tls, timeoutMs: 5_000, log: (l) => lines.push(l) }),
      /wrong username or password for "u"/,
    );
    assert.equal(seen.at(-1)!.authorization, `Basic ${Buffer.from('u:p4ss').toString('base64')}`);
    assert.ok(!lines.join('\n').includes('Basic') && !lines.join('\n').includes('p4ss'), lines.join('\n'));
    const v2 = routes['/v2/']!;
    try {
      routes['/v2/'] = (_q, res) => trickle(res, 1_000);
      await assert.rejects(
        verifyLogin(registry, creds, { tls, timeoutMs: 500 }),
        (e: CliError) => e.code === 'TIMEOUT' && e.message === `logging in to ${host}: timed out talking to ${host}`,
      );
      routes['/v2/'] = routes['/big']!;
      await assert.rejects(
        verifyLogin(registry, creds, { tls, timeoutMs: 60_000 }),
        (e: CliError) => e.code === 'HTTP_TOO_LARGE' && e.message.includes('/v2/: the reply is larger than 1 MiB'),
      );
    } finally {
      routes['/v2/'] = v2;
    }
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'the server saw the connection close');
}
