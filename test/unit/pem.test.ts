// The one PEM scanner: blocks with positions, decoding, and bundle edits that keep every other byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  appendToBundle,
  bundleFingerprints,
  certificateBlocks,
  certificatesIn,
  damagedBlocks,
  damageNote,
  pemBlocks,
  removeFromBundle,
} from '../../src/tls/pem.js';
import { makeCa } from '../../lab/pki.js';

const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');
const a = lf(makeCa('PEM A').certPem);
const b = lf(makeCa('PEM B').certPem);
const c = lf(makeCa('PEM C').certPem);
const fpOf = (pem: string): string => certificatesIn(pem)[0]!.fingerprint;
const damaged = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n';

test('scanning: every block with its label and position; certificates decoded, damaged ones kept undecoded', () => {
  const text = `# comment\n${a}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${damaged}${b}trailing`;
  const blocks = pemBlocks(text);
  assert.deepEqual(
    blocks.map((x) => x.label),
    ['CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE'],
  );
  for (const x of blocks) assert.equal(text.slice(x.start, x.end), x.text);
  const certs = certificateBlocks(text);
  assert.equal(certs.length, 3);
  assert.equal(certs[1]!.cert, undefined, 'damaged');
  assert.deepEqual(
    certificatesIn(text).map((x) => x.subject),
    ['CN=PEM A, O=kubectl-harbor lab', 'CN=PEM B, O=kubectl-harbor lab'],
  );
  assert.deepEqual([...bundleFingerprints(text)], [fpOf(a), fpOf(b)]);
  assert.deepEqual(certificatesIn('no pem here'), []);
});

test('CRLF bundles scan the same', () => {
  const crlf = (a + b).replace(/\n/g, '\r\n');
  assert.deepEqual([...bundleFingerprints(crlf)], [fpOf(a), fpOf(b)]);
});

test('append keeps the bundle byte for byte, supplying only a missing newline in its own line ending', () => {
  assert.equal(appendToBundle('', a), a);
  assert.equal(appendToBundle(a, b), a + b);
  assert.equal(appendToBundle(a.trimEnd(), b), `${a.trimEnd()}\n${b}`);
  const crlf = a.replace(/\n/g, '\r\n').trimEnd();
  assert.equal(appendToBundle(crlf, b), `${crlf}\r\n${b.replace(/\n/g, '\r\n')}`);
});

test('remove takes out the matching blocks and their line breaks; comments, damaged blocks and CRLF stay', () => {
  const bundle = `# head\n${a}${damaged}${b}# tail\n${c}`;
  assert.equal(removeFromBundle(bundle, new Set([fpOf(b)])), `# head\n${a}${damaged}# tail\n${c}`);
  assert.equal(removeFromBundle(bundle, new Set([fpOf(a), fpOf(c)])), `# head\n${damaged}${b}# tail\n`);
  assert.equal(removeFromBundle(bundle, new Set(['sha256:00'])), bundle);
  const crlf = bundle.replace(/\n/g, '\r\n');
  assert.equal(removeFromBundle(crlf, new Set([fpOf(b)])), `# head\n${a}${damaged}# tail\n${c}`.replace(/\n/g, '\r\n'));
  assert.equal(removeFromBundle(a.trimEnd(), new Set([fpOf(a)])), '', 'no final newline');
});

test('a cut-off block does not swallow the certificate after it; it is reported where it is', () => {
  const first = makeCa('pem-cut A');
  const cut = '-----BEGIN CERTIFICATE-----\nMIIBcut\n';
  const bundle = `${first.certPem}${cut}${makeCa('pem-cut C').certPem}`;
  const second = makeCa('pem-cut B');
  const text = `${cut}${second.certPem}`;
  assert.equal(certificatesIn(text).length, 1);
  assert.deepEqual(damagedBlocks(text), [{ line: 1, length: cut.length, why: 'no END line' }]);
  assert.match(
    damageNote(text, 'the bundle') ?? '',
    /the bundle holds a damaged PEM block \(line 1, \d+ bytes, no END line\)/,
  );
  assert.equal(damageNote(first.certPem, 'x'), undefined);
  assert.equal(removeFromBundle(text, bundleFingerprints(second.certPem)), cut);
  assert.equal(certificatesIn(bundle).length, 2);
});
