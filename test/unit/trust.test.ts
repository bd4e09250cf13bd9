// The trust stores' pure parts: codecs, entries, the named-list upserts, the v1beta1
// secret and variable edits, the bundle edit; and the usage errors `trust` gives before
// any I/O (in-process).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';
import { certificatesIn } from '../../src/tls/pem.js';
import { BASE64, DOUBLE_BASE64 } from '../../src/trust/codec.js';
import { editBundle, namedCas, upsertNamed, upsertNames, upsertSecretData } from '../../src/trust/lists.js';
import { trustEntries, type Entry } from '../../src/trust/store.js';
import { makeCa } from '../../lab/pki.js';

const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');
const [a, b, c] = ['Trust A', 'Trust B', 'Trust C'].map((cn) => certificatesIn(lf(makeCa(cn).certPem))[0]!);
const entry = (name: string, cert = a!): Entry => ({ name, fingerprint: cert.fingerprint, pem: cert.pem });

test('codecs: base64(PEM) and base64(base64(PEM)) round-trip', () => {
  assert.equal(BASE64.encode('PEM\n'), Buffer.from('PEM\n').toString('base64'));
  assert.equal(BASE64.decode(BASE64.encode(a!.pem)), a!.pem);
  assert.equal(DOUBLE_BASE64.encode('x'), Buffer.from(Buffer.from('x').toString('base64')).toString('base64'));
  assert.equal(DOUBLE_BASE64.decode(DOUBLE_BASE64.encode(a!.pem)), a!.pem);
  assert.equal(BASE64.decode(DOUBLE_BASE64.encode(a!.pem)), BASE64.encode(a!.pem));
});

test('entries: a bundle gets name, name-2, ...; with no certificate, the pinned fingerprint alone', () => {
  assert.deepEqual(
    trustEntries([a!, b!], 'harbor', undefined).map((e) => [e.name, e.fingerprint]),
    [
      ['harbor', a!.fingerprint],
      ['harbor-2', b!.fingerprint],
    ],
  );
  assert.deepEqual(trustEntries([], 'harbor', 'sha256:ff'), [
    { name: 'harbor', fingerprint: 'sha256:ff', pem: undefined },
  ]);
});

test('named upsert: add, keep, say already trusted, replace under a name (said), keep the rest in order', () => {
  const other = { name: 'other', data: BASE64.encode(c!.pem), extra: 1 };
  const o = { remove: false, codec: BASE64 };
  const notes: string[] = [];
  const added = upsertNamed([other], [entry('harbor')], o, notes)!;
  assert.deepEqual(added, [other, { name: 'harbor', data: BASE64.encode(a!.pem) }]);
  assert.equal(upsertNamed(added, [entry('harbor')], o, notes), undefined, 'same CA, same name: nothing to write');
  assert.equal(upsertNamed(added, [entry('alias')], o, notes), undefined);
  assert.deepEqual(notes, ['this CA is already trusted as "harbor"']);
  const rotated = upsertNamed(added, [entry('harbor', b)], o, notes)!;
  assert.deepEqual(
    rotated.map((e) => e.name),
    ['other', 'harbor'],
  );
  assert.equal(BASE64.decode(rotated[1]!.data), b!.pem);
  assert.equal(notes[1], `replacing the CA named "harbor" (was ${a!.fingerprint}) with ${b!.fingerprint}`);
  assert.match(upsertNamed([{ name: 'harbor', data: 'junk' }], [entry('harbor')], o, [])![0]!.data, /^LS0t/);
  assert.deepEqual(
    namedCas(rotated, BASE64).map((r) => [r.name, r.cert.fingerprint]),
    [
      ['other', c!.fingerprint],
      ['harbor', b!.fingerprint],
    ],
  );
  assert.deepEqual(namedCas(undefined, BASE64), []);
});

test('named remove: by name, else by fingerprint; nothing matching is nothing to write', () => {
  const list = [
    { name: 'x', data: BASE64.encode(a!.pem) },
    { name: 'y', data: BASE64.encode(b!.pem) },
  ];
  const o = { remove: true, codec: BASE64 };
  assert.deepEqual(upsertNamed(list, [{ name: 'y', fingerprint: undefined, pem: undefined }], o, []), [list[0]]);
  assert.deepEqual(upsertNamed(list, [{ name: 'gone', fingerprint: a!.fingerprint, pem: undefined }], o, []), [
    list[1],
  ]);
  assert.equal(upsertNamed(list, [{ name: 'gone', fingerprint: c!.fingerprint, pem: undefined }], o, []), undefined);
  assert.equal(upsertNamed(undefined, [entry('x')], o, []), undefined);
});

test('v1beta1 secret data: double base64 per name, replaced when the CA differs, removed by name', () => {
  const o = { remove: false, codec: DOUBLE_BASE64 };
  const notes: string[] = [];
  const data = upsertSecretData({ keep: 'x' }, [entry('harbor')], o, notes)!;
  assert.deepEqual(Object.keys(data), ['keep', 'harbor']);
  assert.equal(DOUBLE_BASE64.decode(data.harbor!), a!.pem);
  assert.equal(upsertSecretData(data, [entry('harbor')], o, notes), undefined);
  const next = upsertSecretData(data, [entry('harbor', b)], o, notes)!;
  assert.equal(DOUBLE_BASE64.decode(next.harbor!), b!.pem);
  assert.deepEqual(notes, [`replacing the CA named "harbor" (was ${a!.fingerprint}) with ${b!.fingerprint}`]);
  assert.deepEqual(upsertSecretData(next, [entry('harbor')], { remove: true, codec: DOUBLE_BASE64 }, []), {
    keep: 'x',
  });
  assert.equal(upsertSecretData(next, [entry('nope')], { remove: true, codec: DOUBLE_BASE64 }, []), undefined);
});

test('v1beta1 trust variable: names added once, removed; others kept', () => {
  const cas = [{ name: 'other', extra: true }];
  assert.deepEqual(upsertNames(cas, [entry('harbor')], false), [...cas, { name: 'harbor' }]);
  assert.equal(upsertNames([...cas, { name: 'harbor' }], [entry('harbor')], false), undefined);
  assert.deepEqual(upsertNames([...cas, { name: 'harbor' }], [entry('harbor')], true), cas);
  assert.equal(upsertNames(cas, [entry('harbor')], true), undefined);
});

test('supervisor bundle: missing CAs appended (CRLF kept), present ones not again, removal by fingerprint', () => {
  const crlf = a!.pem.replace(/\n/g, '\r\n');
  assert.equal(editBundle(crlf, [entry('n', a)], false), undefined);
  assert.equal(editBundle(crlf, [entry('n', b)], false), crlf + b!.pem.replace(/\n/g, '\r\n'));
  assert.equal(
    editBundle(`${a!.pem}${b!.pem}`, [{ name: 'n', fingerprint: a!.fingerprint, pem: undefined }], true),
    b!.pem,
  );
  assert.equal(editBundle(a!.pem, [{ name: 'n', fingerprint: c!.fingerprint, pem: undefined }], true), undefined);
  assert.equal(editBundle(a!.pem, [{ name: 'n', fingerprint: undefined, pem: undefined }], true), undefined);
});

test('trust usage errors come before any I/O: exit 2, one error line, the CA not printed', async () => {
  const dir = tempDir('harbor-trust-unit-');
  const ca = path.join(dir, 'ca.pem');
  fs.writeFileSync(ca, a!.pem);
  try {
    const cases: Array<[string[], RegExp]> = [
      [['--ca-file', ca, '--name', 'bad name!', '--tkgs'], /CA name "bad name!" may only hold/],
      [['--ca-file', ca, '--fingerprint', 'nothex', '--tkgs'], /--fingerprint "nothex" is not a SHA-256 fingerprint/],
      [['--ca-file', ca, '--fingerprint', 'nothex'], /is not a SHA-256 fingerprint/],
      [
        ['--supervisor', '--remove', '--name', 'harbor'],
        /--supervisor --remove needs the fingerprint \(the bundle has no names\)/,
      ],
      [['--supervisor', '--tkgs', '--remove', '--name', 'harbor'], /--supervisor --remove needs the fingerprint/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(['trust', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0]!, msg);
      assert.doesNotMatch(r.stderr, /subject:|fingerprint: sha256/, 'the CA is not shown');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('local store: writes, lists and removes ca.crt under its host; a host that leaves the directory is refused', async () => {
  const { LocalStore } = await import('../../src/trust/local.js');
  const dir = tempDir('harbor-trust-local-');
  try {
    const t = { kind: 'docker' as const, dir };
    for (const bad of ['..', '../etc', 'a/b', '', '.'])
      assert.throws(() => new LocalStore(t, bad), /cannot name a certs.d directory/);
    const store = new LocalStore(t, 'harbor.test:8443');
    assert.equal(store.label, 'local docker');
    const dry = await store.apply([entry('n')], { remove: false, dryRun: 'client' });
    assert.deepEqual(dry, [
      { file: path.join(dir, 'harbor.test:8443', 'ca.crt'), action: 'unchanged', notes: [], would: 'write' },
    ]);
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(
      (await store.apply([entry('n'), entry('n-2', b)], { remove: false, dryRun: undefined })).map((c) => c.action),
      ['created'],
    );
    assert.deepEqual(
      (await store.list()).map((r) => [r.name, r.cert.fingerprint]),
      [
        ['harbor.test:8443', a!.fingerprint],
        ['harbor.test:8443', b!.fingerprint],
      ],
    );
    assert.deepEqual(
      (await store.apply([], { remove: true, dryRun: undefined })).map((c) => c.action),
      ['deleted'],
    );
    assert.deepEqual(await new LocalStore(t, undefined).list(), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
