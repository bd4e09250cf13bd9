// The trust stores' pure parts: codecs, entries, the named-list upserts, the ClusterClass
// form and the Cluster trust plans (add, rotate, remove), the bundle edit; and the usage errors `trust` gives before
// any I/O (in-process).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';
import { certificatesIn } from '../../src/tls/pem.js';
import { BASE64, CONTENT, codecFor, DOUBLE_BASE64, isDoubled } from '../../src/trust/codec.js';
import { classOf, classVariables, itemsOf, trustForm, withItems } from '../../src/trust/capi.js';
import { applyToData, applyToItems, nextFree, planTrust, refsOf, type PlanOptions } from '../../src/trust/capi-plan.js';
import { editBundle, namedCas, upsertNamed } from '../../src/trust/lists.js';
import { trustEntries, type Entry } from '../../src/trust/store.js';
import { makeCa } from '../../lab/pki.js';
import { clusterClasses } from '../../lab/apiserver/vks.js';

const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');
const [a, b, c] = ['Trust A', 'Trust B', 'Trust C'].map((cn) => certificatesIn(lf(makeCa(cn).certPem))[0]!);
const entry = (name: string, cert = a!): Entry => ({ name, fingerprint: cert.fingerprint, pem: cert.pem });

test('codecs: base64(PEM) and base64(base64(PEM)) round-trip', () => {
  assert.equal(BASE64.encode('PEM\n'), Buffer.from('PEM\n').toString('base64'));
  assert.equal(BASE64.decode(BASE64.encode(a!.pem)), a!.pem);
  assert.equal(DOUBLE_BASE64.encode('x'), Buffer.from(Buffer.from('x').toString('base64')).toString('base64'));
  assert.equal(DOUBLE_BASE64.decode(DOUBLE_BASE64.encode(a!.pem)), a!.pem);
  assert.equal(BASE64.decode(DOUBLE_BASE64.encode(a!.pem)), a!.pem, 'a double value is read by either codec');
  assert.equal(DOUBLE_BASE64.decode(BASE64.encode(a!.pem)), a!.pem, 'a single value too');
  assert.ok(isDoubled(DOUBLE_BASE64.encode(a!.pem)));
  assert.ok(!isDoubled(BASE64.encode(a!.pem)));
  assert.equal(codecFor(undefined), BASE64, 'an empty list is written single');
  assert.equal(codecFor([{ data: BASE64.encode(b!.pem) }]), BASE64);
  assert.equal(codecFor([{ data: BASE64.encode(b!.pem) }, { data: DOUBLE_BASE64.encode(c!.pem) }]), DOUBLE_BASE64);
  assert.equal(CONTENT.encode(a!.pem), BASE64.encode(a!.pem), 'caCert.content is written base64(PEM)');
  for (const v of [a!.pem, BASE64.encode(a!.pem), DOUBLE_BASE64.encode(a!.pem)])
    assert.equal(CONTENT.decode(v), a!.pem);
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

test('ClusterClass form: osConfiguration caCert.secretRef (status.variables), else content, else trust; else none', () => {
  const [builtin, legacy] = clusterClasses(['dev'], true);
  assert.equal(builtin!.spec.variables, undefined, 'the schema is only in status.variables');
  assert.equal(trustForm(classVariables(builtin!)), 'secretRef');
  assert.equal(trustForm(classVariables(legacy!)), 'legacy');
  const contentOnly = structuredClone(builtin!);
  const caCert =
    contentOnly.status.variables[0].definitions[0].schema.openAPIV3Schema.properties.trust.properties
      .additionalTrustedCAs.items.properties.caCert;
  delete caCert.properties.secretRef;
  assert.equal(trustForm(classVariables(contentOnly)), 'content');
  delete caCert.properties.content;
  assert.equal(trustForm(classVariables(contentOnly)), undefined, 'a caCert with neither form');
  assert.equal(trustForm(classVariables({ spec: { variables: [{ name: 'vmClass', schema: {} }] } })), undefined);
  assert.equal(trustForm(classVariables({})), undefined);
  assert.deepEqual(classOf({ metadata: { namespace: 'dev' }, spec: { topology: { classRef: { name: 'x' } } } }), {
    name: 'x',
    namespace: 'dev',
  });
  assert.deepEqual(
    classOf({ metadata: { namespace: 'dev' }, spec: { topology: { class: 'y', classNamespace: 'pub' } } }),
    { name: 'y', namespace: 'pub' },
  );
  assert.equal(classOf({ spec: {} }), undefined);
});

test('Cluster variables: items read and written in place, every other variable and field kept', () => {
  const cl = {
    metadata: { name: 'c' },
    spec: {
      x: 1,
      topology: {
        version: 'v',
        variables: [
          { name: 'vmClass', value: 'small' },
          { name: 'osConfiguration', value: { ntp: 'n', trust: { other: true, additionalTrustedCAs: [{ k: 1 }] } } },
        ],
      },
    },
  };
  assert.deepEqual(itemsOf(cl, 'osConfiguration'), [{ k: 1 }]);
  assert.deepEqual(itemsOf(cl, 'trust'), []);
  const next = withItems(cl, 'osConfiguration', [{ k: 2 }]);
  assert.deepEqual(next.spec.topology.variables, [
    { name: 'vmClass', value: 'small' },
    { name: 'osConfiguration', value: { ntp: 'n', trust: { other: true, additionalTrustedCAs: [{ k: 2 }] } } },
  ]);
  assert.equal(next.spec.x, 1);
  const added = withItems(cl, 'trust', [{ name: 'h' }]);
  assert.deepEqual(added.spec.topology.variables[2], {
    name: 'trust',
    value: { additionalTrustedCAs: [{ name: 'h' }] },
  });
  assert.deepEqual(cl.spec.topology.variables.length, 2, 'the input is not changed');
});

const SECRET = 'c-user-trusted-ca-secret';
const opts = (form: PlanOptions['form'], remove = false): PlanOptions => ({
  form,
  remove,
  cluster: 'c',
  secret: SECRET,
});
const ref = (key: string) => ({ caCert: { secretRef: { name: SECRET, key } } });

test('Cluster plan, secretRef: a new CA is a new key and a new item; the same CA again is nothing to write', () => {
  const plan = planTrust([], {}, [entry('harbor')], opts('secretRef'));
  assert.deepEqual(Object.keys(plan.set), ['harbor']);
  assert.equal(DOUBLE_BASE64.decode(plan.set.harbor!), a!.pem);
  assert.equal(Buffer.from(plan.set.harbor!, 'base64').toString(), BASE64.encode(a!.pem), 'base64(base64(PEM))');
  assert.deepEqual(plan.add, [ref('harbor')]);
  const data = applyToData({ keep: 'x' }, plan)!;
  const items = applyToItems([{ caCert: { content: 'y' } }], plan)!;
  assert.deepEqual(items, [{ caCert: { content: 'y' } }, ref('harbor')]);
  const refs = refsOf(items, SECRET, new Map([[SECRET, data]]));
  assert.deepEqual(
    refs.map((r) => [r.name, r.key, r.certs.map((x) => x.fingerprint)]),
    [
      ['-', undefined, []],
      ['harbor', 'harbor', [a!.fingerprint]],
    ],
  );
  const again = planTrust(refs, data, [entry('harbor')], opts('secretRef'));
  assert.equal(applyToData(data, again), undefined);
  assert.equal(applyToItems(items, again), undefined);
  assert.deepEqual(again.notes, []);
  const alias = planTrust(refs, data, [entry('alias')], opts('secretRef'));
  assert.equal(applyToItems(items, alias), undefined);
  assert.deepEqual(alias.notes, ['this CA is already trusted as "harbor"']);
});

test('Cluster plan, rotation: the new CA under the next free key and a new item; the old key and item stay (said)', () => {
  for (const form of ['secretRef', 'legacy'] as const) {
    const item = form === 'legacy' ? { name: 'harbor' } : ref('harbor');
    const data = { harbor: DOUBLE_BASE64.encode(a!.pem), 'harbor-2': 'taken' };
    const refs = refsOf([item], SECRET, new Map([[SECRET, data]]));
    const plan = planTrust(refs, data, [entry('harbor', b)], opts(form));
    assert.deepEqual(Object.keys(plan.set), ['harbor-3'], 'next free key');
    assert.equal(DOUBLE_BASE64.decode(plan.set['harbor-3']!), b!.pem);
    assert.deepEqual(applyToItems([item], plan), [item, form === 'legacy' ? { name: 'harbor-3' } : ref('harbor-3')]);
    assert.deepEqual(Object.keys(applyToData(data, plan)!), ['harbor', 'harbor-2', 'harbor-3'], 'the old key stays');
    assert.equal(plan.notes.length, 1);
    assert.match(plan.notes[0]!, /the CA named "harbor" is not replaced in place .*added as "harbor-3"/);
    assert.match(plan.notes[0]!, /`kubectl harbor trust --cluster c --name harbor --remove`; the nodes will roll/);
  }
  assert.equal(nextFree('n', new Set()), 'n-2');
  assert.equal(nextFree('n', new Set(['n-2', 'n-3'])), 'n-4');
});

test('Cluster plan, removal: by name or fingerprint, the item and its key; content items by fingerprint only', () => {
  const data = { harbor: DOUBLE_BASE64.encode(a!.pem), 'harbor-2': DOUBLE_BASE64.encode(b!.pem), orphan: 'x' };
  const items = [ref('harbor'), ref('harbor-2'), { caCert: { content: CONTENT.encode(c!.pem) } }];
  const refs = refsOf(items, SECRET, new Map([[SECRET, data]]));
  const byName = planTrust(
    refs,
    data,
    [{ name: 'harbor', fingerprint: undefined, pem: undefined }],
    opts('secretRef', true),
  );
  assert.deepEqual(applyToItems(items, byName), items.slice(1));
  assert.deepEqual(Object.keys(applyToData(data, byName)!), ['harbor-2', 'orphan']);
  const byFp = planTrust(
    refs,
    data,
    [{ name: 'x', fingerprint: b!.fingerprint, pem: undefined }],
    opts('secretRef', true),
  );
  assert.deepEqual(applyToItems(items, byFp), [items[0], items[2]]);
  assert.deepEqual(byFp.drop, ['harbor-2']);
  const inline = planTrust(
    refs,
    data,
    [{ name: 'x', fingerprint: c!.fingerprint, pem: undefined }],
    opts('content', true),
  );
  assert.deepEqual(applyToItems(items, inline), items.slice(0, 2));
  assert.deepEqual(inline.drop, []);
  const orphan = planTrust(
    refs,
    data,
    [{ name: 'orphan', fingerprint: undefined, pem: undefined }],
    opts('legacy', true),
  );
  assert.deepEqual(orphan.drop, ['orphan']);
  assert.equal(applyToItems(items, orphan), undefined);
  const none = planTrust(refs, data, [{ name: 'nope', fingerprint: undefined, pem: undefined }], opts('content', true));
  assert.equal(applyToItems(items, none), undefined);
  assert.equal(applyToData(data, none), undefined);
  assert.match(none.notes[0]!, /no CA named "nope" in cluster c: .*carry no names, remove one by --fingerprint/);
});

test('Cluster plan, content: base64(PEM) inline, no secret; a CA already there is nothing to write', () => {
  const plan = planTrust([], {}, [entry('harbor')], opts('content'));
  assert.deepEqual(plan.set, {});
  assert.deepEqual(plan.add, [{ caCert: { content: BASE64.encode(a!.pem) } }]);
  const refs = refsOf(plan.add, SECRET, new Map());
  assert.deepEqual(
    refs.map((r) => [r.name, r.certs[0]!.fingerprint]),
    [['-', a!.fingerprint]],
  );
  const again = planTrust(refs, {}, [entry('other')], opts('content'));
  assert.equal(applyToItems(plan.add, again), undefined);
  assert.deepEqual(again.notes, ['this CA is already trusted inline (caCert.content)']);
  const other = refsOf(
    [{ caCert: { secretRef: { name: 'theirs', key: 'k' } } }],
    SECRET,
    new Map([['theirs', { k: DOUBLE_BASE64.encode(b!.pem) }]]),
  );
  assert.deepEqual(
    other.map((r) => [r.name, r.key, r.certs[0]!.fingerprint]),
    [['theirs/k', undefined, b!.fingerprint]],
  );
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
