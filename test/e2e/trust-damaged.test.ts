// A damaged PEM block in the Supervisor bundle (BEGIN with no END, as a bad paste leaves
// it) must not hide the complete certificate after it: the presence check, `trust list`
// and `trust --remove` all see that certificate; the damaged bytes stay as they are and a
// warning says where. Runs against the in-process API emulator: no root needed.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { makeCa } from '../../lab/pki.js';
import { e2e, supervisorFixture } from '../helpers/e2e.js';

describe('trust with a damaged block in image-fetcher-ca-bundle', () => {
  const h = e2e('trust-damaged');
  const fx = supervisorFixture(h, { namespaces: ['dev'] });
  const harbor = makeCa('damaged-bundle harbor CA');
  const fingerprint = `sha256:${new crypto.X509Certificate(harbor.certPem).fingerprint256.replace(/:/g, '').toLowerCase()}`;
  const cut = `-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hvcHBlZCBvZmYgbWlkLXBhc3Rl\n`;
  let bundle: string;
  let caFile: string;
  const stored = (): string =>
    fx.sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')!.data['ca-bundle'];
  const run = (...args: string[]) => h.harbor(args, { kubeconfig: fx.kubeconfigs.admin });

  before(() => {
    const cm = fx.sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')!;
    bundle = `${cm.data['ca-bundle']}${cut}${harbor.certPem}`;
    fx.sup.supervisor.seed({ ...cm, data: { 'ca-bundle': bundle } });
    caFile = path.join(h.home, 'harbor-ca.pem');
    fs.writeFileSync(caFile, harbor.certPem);
  });

  test('the certificate after the damaged block is found: not added twice; a warning names the line', async () => {
    const r = await run('trust', '--ca-file', caFile, '--supervisor');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/image-fetcher-ca-bundle unchanged/);
    assert.match(r.stderr, /holds a damaged PEM block \(line \d+, \d+ bytes, no END line\)/);
    assert.equal(stored(), bundle);
  });

  test('trust list shows it', async () => {
    const r = await run('trust', 'list', '--supervisor', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      JSON.parse(r.stdout).items.some((i: { fingerprint: string }) => i.fingerprint === fingerprint),
      r.stdout,
    );
    assert.match(r.stderr, /damaged PEM block/);
  });

  test('--remove takes it out and keeps the damaged bytes exactly', async () => {
    const r = await run('trust', '--supervisor', '--remove', '--fingerprint', fingerprint);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/image-fetcher-ca-bundle configured/);
    assert.equal(stored(), bundle.replace(harbor.certPem, ''));
    assert.ok(stored().includes(cut));
  });
});
