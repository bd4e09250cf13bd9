// Every way an SSH stream ends settles what waits on it: a tunnel that ends (its relay was
// killed with its pod) while a command runs, or before SSH is ready, rejects with one line
// instead of leaving a promise pending (Node would then drain its loop and exit 0 silently).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { KnownHosts } from '../../src/ssh/knownhosts.js';
import { connect, run } from '../../src/ssh/session.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harbor-ssh-settle-'));
const known = new KnownHosts(path.join(dir, 'known_hosts'), true, () => undefined);
const hostKey = crypto
  .generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
let server: ssh2.Server;
let port = 0;

before(async () => {
  // Accepts any password; runs every exec forever (never answers).
  server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('error', () => undefined);
    client.on('session', (accept) => accept().on('exec', (ok) => void ok()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A tunnel like the jumpbox relay: bytes both ways over a TCP socket; cut() ends its
 * readable side and then takes no more input (writes never complete), as a relay whose
 * pod was deleted does. It never emits 'close' by itself.
 */
function relay(sock: net.Socket): Duplex & { cut(): void } {
  let open = true;
  const d = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (open) sock.write(chunk, () => cb());
    },
    read() {},
  }) as Duplex & { cut(): void };
  sock.on('data', (c: Buffer) => open && d.push(c));
  d.cut = () => {
    open = false;
    d.push(null);
    sock.destroy();
  };
  return d;
}

const opts = { cluster: 'c1', ip: '127.0.0.1', creds: { password: 'x' }, knownHosts: known, timeoutMs: 5000 };

test('a command whose tunnel ends under it rejects: connection lost', { timeout: 10_000 }, async () => {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const tunnel = relay(sock);
  const { conn, close } = await connect(tunnel, opts);
  const running = run(conn, 'sleep 100');
  setTimeout(() => tunnel.cut(), 200);
  await assert.rejects(running, /connection lost while the command ran/);
  close();
});

test('a tunnel that ends before SSH is ready rejects connect', { timeout: 10_000 }, async () => {
  const tunnel = new Duplex({
    write(_c, _e, _cb) {
      /* never completes, like a dead relay */
    },
    read() {
      this.push(null);
    },
  });
  await assert.rejects(connect(tunnel, opts), /^CliError: 127\.0\.0\.1: /);
});

test('an abort stops a running command: rejects with interrupted', { timeout: 10_000 }, async () => {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const { conn, close } = await connect(sock, opts);
  const ac = new AbortController();
  const running = run(conn, 'sleep 100', undefined, ac.signal);
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(running, /^CliError: interrupted$/);
  close();
});
