// The one --ca-file reader (src/tls/cafile.ts) as login (tls/roots.ts tlsSettings) and
// trust/push-ca (app/ca.ts loadCa) use it: PEM or DER, regular files only, 1 MiB at most.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { makeCa, makeCert } from '../../lab/pki.js';
import { loadCa, type CaSource } from '../../src/app/ca.js';
import { Session, type Stdio } from '../../src/app/session.js';
import type { CliError } from '../../src/errors.js';
import { httpGet } from '../../src/net/http.js';
import { Printer } from '../../src/output/printer.js';
import { MAX_CA_FILE, readCaFile } from '../../src/tls/cafile.js';
import { tlsSettings } from '../../src/tls/roots.js';

const ca = makeCa('CA File Test CA', 'Test');
const other = makeCa('Other CA', 'Test');
const leaf = makeCert({ cn: 'localhost', issuer: ca, ips: ['127.0.0.1'] });
const der = new crypto.X509Certificate(ca.certPem).raw;

function session(): Session {
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  const stdio: Stdio = { stdin: new PassThrough(), stdout, stderr, env: {}, homedir: os.tmpdir() };
  const printer = new Printer(stdout, stderr, { verbose: 0, colorStdout: false, colorStderr: false });
  return new Session(printer, stdio, {
    kubeconfig: undefined,
    context: undefined,
    namespace: undefined,
    supervisorContext: undefined,
    timeoutMs: 5_000,
    verbose: 0,
    dryRun: undefined,
  });
}

const source = (caFile: string): CaSource => ({
  caFile,
  fromRegistry: undefined,
  fingerprint: undefined,
  yes: false,
  allowLeaf: false,
});

describe('--ca-file', () => {
  let dir: string;
  const file = (name: string, data: string | Buffer): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data);
    return f;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cafile-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('PEM, a bundle and DER are read the same way', () => {
    assert.equal(readCaFile(file('ca.pem', ca.certPem))[0]!.subject, 'CN=CA File Test CA, O=Test');
    assert.equal(readCaFile(file('bundle.pem', ca.certPem + other.certPem)).length, 2);
    const fromDer = readCaFile(file('ca.der', der));
    assert.equal(fromDer[0]!.pem, readCaFile(path.join(dir, 'ca.pem'))[0]!.pem);
  });

  test('a FIFO is refused at once, before it is opened, by login and by trust/push-ca', async () => {
    const fifo = path.join(dir, 'ca.fifo');
    execFileSync('mkfifo', [fifo]);
    const want = (e: CliError): boolean =>
      e.code === 'CA_FILE' &&
      e.message === `cannot read --ca-file ${fifo}: it is a named pipe (FIFO); give a PEM or DER certificate file`;
    assert.throws(() => readCaFile(fifo), want);
    assert.throws(() => tlsSettings({ caFile: fifo }, {}), want);
    await assert.rejects(loadCa(session(), source(fifo)), want);
  });

  test('a directory, a file over 1 MiB and a missing file: one line each, naming the file', async () => {
    assert.throws(
      () => readCaFile(dir),
      (e: CliError) =>
        e.code === 'CA_FILE' &&
        e.message === `cannot read --ca-file ${dir}: it is a directory; give a PEM or DER certificate file`,
    );
    const big = file('big.pem', Buffer.alloc(MAX_CA_FILE + 1, '\n'));
    assert.throws(
      () => tlsSettings({ caFile: big }, {}),
      (e: CliError) =>
        e.code === 'CA_FILE' &&
        e.message ===
          `cannot read --ca-file ${big}: it is larger than 1 MiB (${MAX_CA_FILE + 1} bytes); a CA file is a few KiB`,
    );
    await assert.rejects(loadCa(session(), source(big)), { code: 'CA_FILE' });
    const missing = path.join(dir, 'nope.pem');
    assert.throws(() => tlsSettings({ caFile: missing }, {}), {
      code: 'CA_FILE',
      message: `cannot read --ca-file ${missing}: ENOENT`,
    });
    await assert.rejects(loadCa(session(), source(missing)), {
      code: 'CA_FILE',
      message: `cannot read --ca-file ${missing}: ENOENT`,
    });
    // Exactly 1 MiB is read (and then judged by its content).
    assert.throws(() => readCaFile(file('max.pem', Buffer.alloc(MAX_CA_FILE, '\n'))), /is empty/);
  });

  test('login: a DER --ca-file (and a key file is refused as for trust)', () => {
    assert.deepEqual(tlsSettings({ caFile: path.join(dir, 'ca.der') }, {}), {
      ca: [readCaFile(path.join(dir, 'ca.pem'))[0]!.pem],
      rejectUnauthorized: true,
    });
    assert.throws(() => tlsSettings({ caFile: file('key.pem', ca.keyPem) }, {}), /holds a private key/);
    assert.deepEqual(tlsSettings({ caFile: path.join(dir, 'ca.fifo'), insecure: true }, {}), {
      rejectUnauthorized: false,
    });
  });

  test('login: a DER --ca-file verifies a server its CA signed; another CA does not', async () => {
    const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (_q, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const r = await httpGet(url, { tls: tlsSettings({ caFile: path.join(dir, 'ca.der') }, {}), timeoutMs: 5_000 });
      assert.equal(r.body.toString(), 'ok');
      const otherDer = file('other.der', new crypto.X509Certificate(other.certPem).raw);
      await assert.rejects(httpGet(url, { tls: tlsSettings({ caFile: otherDer }, {}), timeoutMs: 5_000 }), {
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
