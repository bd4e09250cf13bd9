// Loading and checking CA certificates: every bad input is one clear line.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { caNameFor, checkCaName, normalizeFingerprint } from '../../src/names.js';
import { checkUsable, parseCertificates } from '../../src/tls/ca.js';
import { appendToBundle, bundleFingerprints } from '../../src/tls/pem.js';
import { makeCa, makeCert } from '../../lab/pki.js';

const ca = makeCa('Test Root CA', 'Test');
const leaf = makeCert({ cn: 'harbor.test', issuer: ca, dns: ['harbor.test'] });
const selfLeaf = makeCert({ cn: 'self.test', dns: ['self.test'] });
const expired = makeCert({
  cn: 'Old CA',
  ca: true,
  notBefore: new Date(Date.now() - 10 * 86400e3),
  notAfter: new Date(Date.now() - 86400e3),
});
const buf = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s);

test('PEM, a chain, a bundle with CRLF and DER are read; fingerprints as sha256:hex', () => {
  const [one] = parseCertificates(buf(ca.certPem), 'ca.pem');
  assert.equal(one!.subject, 'CN=Test Root CA, O=Test');
  assert.equal(one!.isCa, true);
  assert.equal(one!.selfSigned, true);
  assert.equal(
    one!.fingerprint,
    `sha256:${new crypto.X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase()}`,
  );
  assert.equal(parseCertificates(buf(leaf.certPem + ca.certPem), 'chain.pem').length, 2);
  assert.equal(parseCertificates(buf((ca.certPem + leaf.certPem).replace(/\n/g, '\r\n')), 'crlf.pem').length, 2);
  const der = new crypto.X509Certificate(ca.certPem).raw;
  assert.equal(parseCertificates(der, 'ca.der')[0]!.fingerprint, one!.fingerprint);
});

test('bad inputs: each a clear one-line error', () => {
  const bad: Array<[string | Buffer, RegExp]> = [
    ['', /is empty/],
    ['   \n', /is empty/],
    [ca.keyPem, /holds a private key, not a certificate/],
    [
      crypto
        .generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /private key/,
    ],
    ['-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n', /certificate signing request/],
    [ca.certPem.slice(0, 300), /truncated/],
    ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', /damaged/],
    ['-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n', /holds no certificate \(found PUBLIC KEY\)/],
    [Buffer.from([0x30, 0x82, 0x01, 0x00, 0x01]), /neither a PEM nor a DER certificate/],
    ['hello world', /neither a PEM nor a DER certificate/],
  ];
  for (const [input, msg] of bad) {
    assert.throws(
      () => parseCertificates(buf(input), 'f'),
      (e: Error) => msg.test(e.message) && !e.message.includes('\n'),
      String(input).slice(0, 40),
    );
  }
});

test('usable as a CA: expired, not-a-CA and leaf-without-self-signature are refused; --allow-leaf takes a self-signed one', () => {
  const [c] = parseCertificates(buf(ca.certPem), 'ca');
  assert.doesNotThrow(() => checkUsable(c!));
  assert.throws(() => checkUsable(parseCertificates(buf(expired.certPem), 'x')[0]!), /expired on \d{4}-\d\d-\d\d/);
  const [l] = parseCertificates(buf(leaf.certPem), 'leaf');
  assert.throws(() => checkUsable(l!), /is not a CA/);
  assert.throws(() => checkUsable(l!, { allowLeaf: true }), /--allow-leaf takes only a self-signed one/);
  assert.doesNotThrow(() => checkUsable(parseCertificates(buf(selfLeaf.certPem), 's')[0]!, { allowLeaf: true }));
});

test('fingerprints, names, bundles', () => {
  const [c] = parseCertificates(buf(ca.certPem), 'ca');
  const colon = new crypto.X509Certificate(ca.certPem).fingerprint256;
  assert.equal(normalizeFingerprint(colon), c!.fingerprint);
  assert.equal(normalizeFingerprint(c!.fingerprint.toUpperCase().replace('SHA256', 'sha256')), c!.fingerprint);
  assert.throws(() => normalizeFingerprint('sha256:abc'), /not a SHA-256 fingerprint/);
  assert.equal(checkCaName('harbor.example.com-8443'), 'harbor.example.com-8443');
  for (const bad of ['has space', 'slash/name', 'ümlaut', '']) assert.throws(() => checkCaName(bad), /may only hold/);
  assert.equal(caNameFor('10.0.0.5:8443'), '10.0.0.5-8443');
  assert.equal(caNameFor('[::1]:5000'), '--1-5000');
  const bundle = 'existing-no-newline';
  assert.equal(appendToBundle(bundle, 'PEM\n'), 'existing-no-newline\nPEM\n');
  assert.equal(appendToBundle('a\r\nb', 'P\nQ\n'), 'a\r\nb\r\nP\r\nQ\r\n');
  assert.equal(appendToBundle('', 'P\n'), 'P\n');
  assert.deepEqual([...bundleFingerprints(`junk\n${ca.certPem}garbage`)], [c!.fingerprint]);
});
