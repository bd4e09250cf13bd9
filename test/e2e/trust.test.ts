// `kubectl harbor trust`, the built plugin against the lab's registry endpoints and a
// Supervisor emulator of this file's own, with real skopeo as the judge of --local.
// The cases that need only the API emulator are in trust-emulator.test.ts (no root needed).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import { baseEnv, exec, type Result } from '../helpers/run.js';
import { makeCa } from '../../lab/pki.js';
import { ApiServer } from '../../lab/apiserver/server.js';
import { writeKubeconfig } from '../../lab/apiserver/supervisor.js';

const fp = (pem: string): string =>
  `sha256:${new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase()}`;

describe('kubectl harbor trust', needsLab, () => {
  const h = e2e('trust');
  const lab = labFixture(h);
  const fx = supervisorFixture(h, () => ({
    harbor: lab.info.harbor,
    clusters: [
      { name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['10.0.0.11'], workerIps: [] },
      { name: 'cc-1', namespace: 'dev', api: 'cluster', controlPlaneIps: ['10.0.0.21'], workerIps: [] },
    ],
  }));
  let ca: string;
  const harbor = (args: string[], who: 'admin' | 'devops' = 'admin'): Promise<Result> =>
    h.harbor(['trust', ...args], { kubeconfig: fx.kubeconfigs[who] });
  const bundle = (): string =>
    fx.sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')!.data['ca-bundle'];
  const tkgs = (): Array<{ name: string; data: string }> =>
    fx.sup.supervisor.get(
      'run.tanzu.vmware.com/v1alpha3',
      'tkgserviceconfigurations',
      undefined,
      'tkg-service-configuration',
    )!.spec.trust?.additionalTrustedCAs ?? [];
  const file = (name: string, text: string | Buffer): string => {
    const f = path.join(h.home, name);
    fs.writeFileSync(f, text);
    return f;
  };

  before(() => {
    ca = fs.readFileSync(lab.info.ca, 'utf8').replace(/\r\n/g, '\n');
  });
  after(() => {
    fs.rmSync(`/etc/containers/certs.d/${lab.info?.harbor}`, { recursive: true, force: true });
  });

  test('the CA by each route: getcert v2, getcert v1 (Harbor 1.x), and the presented chain', async () => {
    const v2 = await harbor([lab.info.harbor]);
    assert.equal(v2.code, 0, v2.stderr);
    assert.equal(v2.stdout.trim(), ca.trim());
    assert.match(v2.stderr, /from Harbor \/api\/v2\.0\/systeminfo\/getcert/);
    assert.match(v2.stderr, new RegExp(`fingerprint: ${fp(ca)}`));
    assert.match(v2.stderr, /CA: +yes, self-signed/);
    const v1 = await harbor([lab.info.harborV1]);
    assert.match(v1.stderr, /from Harbor 1\.x \/api\/systeminfo\/getcert/);
    assert.equal(v1.stdout.trim(), ca.trim());
    const chain = await harbor([lab.info.harborIntermediate]);
    assert.match(chain.stderr, /from the TLS chain it presents/);
    assert.match(
      chain.stderr,
      /the server sent no root certificate; taking the top of its chain, "CN=kubectl-harbor lab intermediate CA/,
    );
    assert.equal(chain.stdout.trim(), fs.readFileSync(lab.info.intermediateCa, 'utf8').replace(/\r\n/g, '\n').trim());
  });

  test('--supervisor: pinned, appended after the existing certificate byte for byte; a re-run writes nothing', async () => {
    const before = bundle();
    const r = await harbor([lab.info.harbor, '--supervisor', '--fingerprint', fp(ca)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/image-fetcher-ca-bundle configured\n');
    assert.ok(bundle().startsWith(before), 'existing certificates stay first, byte for byte');
    assert.equal(bundle().match(/BEGIN CERTIFICATE/g)!.length, 2);
    const rv = fx.sup.supervisor.store.revision;
    assert.equal(
      (await harbor([lab.info.harbor, '--supervisor', '--fingerprint', fp(ca)])).stdout,
      'configmap/image-fetcher-ca-bundle unchanged\n',
    );
    assert.equal(fx.sup.supervisor.store.revision, rv);
  });

  test('--tkgs: upsert, rotate under the same name (said), remove; warns that only new clusters get it', async () => {
    const r = await harbor([lab.info.harbor, '--tkgs', '--fingerprint', fp(ca), '--name', 'lab-harbor']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /reaches only clusters created \(or rolled\) from now on.*push-ca/);
    assert.deepEqual(
      tkgs().map((e) => e.name),
      ['lab-harbor'],
    );
    assert.equal(Buffer.from(tkgs()[0]!.data, 'base64').toString(), ca);
    const next = makeCa('Next Harbor CA');
    const rot = await harbor(['--ca-file', file('next.pem', next.certPem), '--tkgs', '--name', 'lab-harbor']);
    assert.match(rot.stderr, /replacing the CA named "lab-harbor" \(was sha256:[0-9a-f]{64}\)/);
    assert.equal(Buffer.from(tkgs()[0]!.data, 'base64').toString(), next.certPem.replace(/\r\n/g, '\n'));
    assert.equal(
      (await harbor(['--ca-file', path.join(h.home, 'next.pem'), '--tkgs', '--name', 'lab-harbor'])).stdout,
      'tkgserviceconfiguration.run.tanzu.vmware.com/tkg-service-configuration unchanged\n',
    );
    const rm = await harbor(['--tkgs', '--remove', '--name', 'lab-harbor']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(tkgs(), []);
  });

  test('--cluster: a TKC gets spec.settings.network.trust; a v1beta1 Cluster gets the trust variable and a double-base64 secret', async () => {
    const refused = await harbor([lab.info.harbor, '--cluster', 'tkc-1', '--fingerprint', fp(ca)]);
    assert.equal(refused.code, 2, 'rolls nodes: needs --yes off a terminal');
    const tkc = await harbor([
      lab.info.harbor,
      '--cluster',
      'tkc-1',
      '--fingerprint',
      fp(ca),
      '--yes',
      '--context',
      'dev',
    ]);
    assert.equal(tkc.code, 0, tkc.stderr);
    const t = fx.sup.supervisor.get('run.tanzu.vmware.com/v1alpha3', 'tanzukubernetesclusters', 'dev', 'tkc-1')!;
    assert.equal(Buffer.from(t.spec.settings.network.trust.additionalTrustedCAs[0].data, 'base64').toString(), ca);
    const cc = await harbor([
      lab.info.harbor,
      '--cluster',
      'cc-1',
      '--fingerprint',
      fp(ca),
      '--yes',
      '--context',
      'dev',
      '--name',
      'harbor-ca',
    ]);
    assert.equal(cc.code, 0, cc.stderr);
    assert.match(cc.stdout, /secret\/cc-1-user-trusted-ca-secret created/);
    const secret = fx.sup.supervisor.get('v1', 'secrets', 'dev', 'cc-1-user-trusted-ca-secret')!;
    const once = Buffer.from(secret.data['harbor-ca'], 'base64').toString();
    assert.equal(Buffer.from(once, 'base64').toString(), ca, 'decoded twice it is the PEM');
    const cluster = fx.sup.supervisor.get('cluster.x-k8s.io/v1beta1', 'clusters', 'dev', 'cc-1')!;
    assert.deepEqual(cluster.spec.topology.variables.find((v: any) => v.name === 'trust').value, {
      additionalTrustedCAs: [{ name: 'harbor-ca' }],
    });
    assert.equal(
      (
        await harbor([
          lab.info.harbor,
          '--cluster',
          'cc-1',
          '--fingerprint',
          fp(ca),
          '--yes',
          '--context',
          'dev',
          '--name',
          'harbor-ca',
        ])
      ).stdout.match(/unchanged/g)?.length,
      2,
    );
    for (const c of ['tkc-1', 'cc-1']) {
      const listed = await harbor(['list', '--cluster', c, '--context', 'dev', '-o', 'json']);
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((i: { fingerprint: string }) => i.fingerprint),
        [fp(ca)],
        listed.stderr,
      );
    }
  });

  test('--local: skopeo fails before with x509 and pulls after, using the certs.d trust wrote; --remove takes it away', async () => {
    const certsD = path.join(h.home, '.docker', 'certs.d');
    const pull = () =>
      exec(
        'skopeo',
        [
          'inspect',
          '--cert-dir',
          path.join(certsD, lab.info.harbor),
          '--creds',
          `admin:${lab.info.users.admin}`,
          `docker://${lab.info.image}`,
        ],
        baseEnv(),
      );
    assert.match((await pull()).stderr, /x509: certificate signed by unknown authority/);
    const r = await harbor([
      lab.info.harbor,
      '--local',
      '--fingerprint',
      fp(ca),
      '--containerd-dir',
      path.join(h.home, 'containerd'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await pull()).code, 0);
    assert.match(
      fs.readFileSync(path.join(h.home, 'containerd', lab.info.harbor, 'hosts.toml'), 'utf8'),
      new RegExp(`server = "https://${lab.info.harbor}"`),
    );
    assert.equal(fs.statSync(path.join(certsD, lab.info.harbor, 'ca.crt')).mode & 0o777, 0o644);
    const again = await harbor([lab.info.harbor, '--local', '--fingerprint', fp(ca)]);
    assert.match(again.stdout, /ca\.crt unchanged/);
    const rm = await harbor([lab.info.harbor, '--local', '--remove']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.ok(!fs.existsSync(path.join(certsD, lab.info.harbor, 'ca.crt')));
  });

  test('trust list shows every trusted CA across the targets, as a table or JSON', async () => {
    const tmp = await harbor([lab.info.harbor, '--tkgs', '--fingerprint', fp(ca), '--name', 'listed']);
    assert.equal(tmp.code, 0, tmp.stderr);
    const r = await harbor(['list', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout).items as Array<{
      target: string;
      name: string;
      fingerprint: string;
      daysLeft: number;
    }>;
    assert.ok(items.some((i) => i.target === 'supervisor' && i.fingerprint === fp(ca)));
    assert.ok(items.some((i) => i.target === 'tkgs' && i.name === 'listed' && i.daysLeft > 300));
    const table = await harbor(['list', '--tkgs']);
    assert.match(
      table.stdout,
      /^TARGET\s+NAME\s+SUBJECT\s+EXPIRES\s+DAYS\s+FINGERPRINT\ntkgs\s+listed\s+CN=kubectl-harbor lab CA/,
    );
    await harbor(['--tkgs', '--remove', '--name', 'listed']);
  });

  test('bad inputs: each one line, a non-zero exit, and nothing changed', async () => {
    const plain = await ApiServer.start();
    const plainKc = writeKubeconfig(h.home, plain.kubeconfig(), 'plain.kubeconfig');
    try {
      const cases: Array<[string, string[], RegExp, ('devops' | 'plain')?]> = [
        ['truncated PEM', ['--ca-file', file('trunc.pem', ca.slice(0, 200)), '--supervisor'], /truncated/],
        ['bad --name characters', ['--ca-file', lab.info.ca, '--tkgs', '--name', 'bad name!'], /may only hold letters/],
        [
          'a wrong pinned fingerprint',
          [lab.info.harbor, '--supervisor', '--fingerprint', `sha256:${'0'.repeat(64)}`],
          /not the pinned sha256:0{64}; nothing was changed/,
        ],
        [
          'a malformed fingerprint',
          [lab.info.harbor, '--supervisor', '--fingerprint', 'abc'],
          /not a SHA-256 fingerprint/,
        ],
        [
          'a fetched CA, unpinned, off a terminal',
          [lab.info.harbor, '--supervisor'],
          /came from the network: pin it with --fingerprint/,
        ],
        [
          'an unknown cluster',
          ['--ca-file', lab.info.ca, '--cluster', 'nope', '--yes', '--context', 'dev'],
          /no TanzuKubernetesCluster or Cluster "nope" in namespace "dev"/,
        ],
        [
          '403 on kube-system',
          ['--ca-file', lab.info.ca, '--supervisor'],
          /cannot get resource "configmaps" in API group "" in the namespace "kube-system"/,
          'devops',
        ],
        [
          'a cluster without the ConfigMap',
          ['--ca-file', lab.info.ca, '--supervisor'],
          /needs a vSphere Supervisor context/,
          'plain',
        ],
        ['a refused registry', [`${lab.info.harbor.split(':')[0]}:1`, '--supervisor', '--yes'], /connection refused/],
        ['--local without a registry', ['--ca-file', lab.info.ca, '--local'], /--local needs the registry/],
      ];
      for (const [what, args, msg, who] of cases) {
        const rv = fx.sup.supervisor.store.revision;
        const r =
          who === 'plain' ? await h.harbor(['trust', ...args], { kubeconfig: plainKc }) : await harbor(args, who);
        assert.notEqual(r.code, 0, `${what}: exit code`);
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
        assert.equal(errors.length, 1, `${what}: one error line, got: ${r.stderr}`);
        assert.match(errors[0]!, msg, what);
        assert.ok(!/\n\s+at /.test(r.stderr), `${what}: no stack trace`);
        assert.equal(fx.sup.supervisor.store.revision, rv, `${what}: nothing changed`);
      }
    } finally {
      await plain.close();
    }
  });
});
