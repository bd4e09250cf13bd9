// `kubectl harbor trust`, the cases that need only a Supervisor emulator of this file's own
// (CA files from disk, no registry, no lab): these run without root. The cases that need the
// lab's registry endpoints, its CA or skopeo are in trust.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';
import { makeCa, makeCert } from '../../lab/pki.js';

describe('kubectl harbor trust (API emulator only)', () => {
  const h = e2e('trust-emulator');
  const fx = supervisorFixture(h, {});
  const harbor = (args: string[], who: 'admin' | 'devops' = 'admin'): Promise<Result> =>
    h.harbor(['trust', ...args], { kubeconfig: fx.kubeconfigs[who] });
  const bundle = (): string =>
    fx.sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')!.data['ca-bundle'];
  const file = (name: string, text: string | Buffer): string => {
    const f = path.join(h.home, name);
    fs.writeFileSync(f, text);
    return f;
  };

  test('a bundle without a final newline, or with CRLF, keeps its content', async () => {
    const old = bundle();
    for (const odd of [old.trimEnd(), old.replace(/\n/g, '\r\n').trimEnd()]) {
      fx.sup.supervisor.registry.mutate(
        fx.sup.supervisor.type('configmaps'),
        'kube-system',
        'image-fetcher-ca-bundle',
        (cm) => (cm.data['ca-bundle'] = odd),
      );
      const other = makeCa('Rotation CA');
      const r = await harbor(['--ca-file', file('other.pem', other.certPem), '--supervisor']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(bundle().startsWith(odd), 'original bytes kept');
      assert.equal(bundle().includes('\r\n'), odd.includes('\r\n'));
    }
    fx.sup.supervisor.registry.mutate(
      fx.sup.supervisor.type('configmaps'),
      'kube-system',
      'image-fetcher-ca-bundle',
      (cm) => (cm.data['ca-bundle'] = old),
    );
  });

  test('--dry-run=client changes nothing', async () => {
    const rv = fx.sup.supervisor.store.revision;
    const other = makeCa('Dry CA');
    const r = await harbor([
      '--ca-file',
      file('dry.pem', other.certPem),
      '--supervisor',
      '--tkgs',
      '--dry-run=client',
      '-o',
      'name',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fx.sup.supervisor.store.revision, rv);
  });

  test('bad inputs: each one line, a non-zero exit, and nothing changed', async () => {
    const leaf = makeCert({ cn: 'leaf', issuer: makeCa('x') });
    const expired = makeCert({
      cn: 'old CA',
      ca: true,
      notBefore: new Date(Date.now() - 9e9),
      notAfter: new Date(Date.now() - 8.64e7),
    });
    const cases: Array<[string, string[], RegExp]> = [
      ['a key file', ['--ca-file', file('key.pem', makeCa('k').keyPem), '--supervisor'], /holds a private key/],
      [
        'a CSR',
        [
          '--ca-file',
          file('csr.pem', '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n'),
          '--supervisor',
        ],
        /certificate signing request/,
      ],
      ['an empty file', ['--ca-file', file('empty.pem', ''), '--supervisor'], /is empty/],
      ['garbage', ['--ca-file', file('junk.bin', 'hello'), '--supervisor'], /neither a PEM nor a DER certificate/],
      ['a missing file', ['--ca-file', path.join(h.home, 'nope.pem'), '--supervisor'], /cannot read .*ENOENT/],
      ['an expired CA', ['--ca-file', file('expired.pem', expired.certPem), '--supervisor'], /expired on/],
      ['not a CA', ['--ca-file', file('leaf.pem', leaf.certPem), '--supervisor'], /is not a CA/],
      [
        '--allow-leaf with a CA-signed leaf',
        ['--ca-file', path.join(h.home, 'leaf.pem'), '--supervisor', '--allow-leaf'],
        /only a self-signed one/,
      ],
      ['--remove without a target', ['--remove', '--name', 'x'], /--remove needs a target/],
      [
        '--supervisor --remove by name',
        ['--supervisor', '--remove', '--name', 'x'],
        /--supervisor --remove needs the fingerprint \(the bundle has no names\)/,
      ],
    ];
    for (const [what, args, msg] of cases) {
      const rv = fx.sup.supervisor.store.revision;
      const r = await harbor(args);
      assert.notEqual(r.code, 0, `${what}: exit code`);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
      assert.equal(errors.length, 1, `${what}: one error line, got: ${r.stderr}`);
      assert.match(errors[0]!, msg, what);
      assert.ok(!/\n\s+at /.test(r.stderr), `${what}: no stack trace`);
      assert.equal(fx.sup.supervisor.store.revision, rv, `${what}: nothing changed`);
    }
  });
});
