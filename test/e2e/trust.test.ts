// `kubectl harbor trust`, the built plugin against the lab's registry endpoints and a
// Supervisor emulator of this file's own, with real skopeo as the judge of --local.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';
import { baseEnv, exec, PLUGIN, type Result } from '../helpers/run.js';
import type { LabInfo } from '../../lab/lab.js';
import { makeCa, makeCert } from '../../lab/pki.js';
import { ApiServer } from '../../lab/apiserver/server.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from '../../lab/apiserver/supervisor.js';

const fp = (pem: string): string =>
  `sha256:${new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase()}`;

describe('kubectl harbor trust', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let lab: LabInfo;
  let sup: SupervisorLab;
  let dir: string;
  let ca: string;
  const kc: Record<string, string> = {};
  const env = (who = 'admin') => baseEnv({ HOME: dir, KUBECONFIG: kc[who] });
  const harbor = (args: string[], who = 'admin'): Promise<Result> => exec(PLUGIN, ['trust', ...args], env(who));
  const bundle = (): string =>
    sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')!.data['ca-bundle'];
  const tkgs = (): Array<{ name: string; data: string }> =>
    sup.supervisor.get(
      'run.tanzu.vmware.com/v1alpha3',
      'tkgserviceconfigurations',
      undefined,
      'tkg-service-configuration',
    )!.spec.trust?.additionalTrustedCAs ?? [];
  const file = (name: string, text: string | Buffer): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  before(async () => {
    ({ info: lab } = await sharedLab());
    sup = await startSupervisor({
      harbor: lab.harbor,
      clusters: [
        { name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['10.0.0.11'], workerIps: [] },
        { name: 'cc-1', namespace: 'dev', api: 'cluster', controlPlaneIps: ['10.0.0.21'], workerIps: [] },
      ],
    });
    dir = tempDir('harbor-trust-');
    kc.admin = writeKubeconfig(dir, sup.kubeconfig('admin'), 'admin.kubeconfig');
    kc.devops = writeKubeconfig(dir, sup.kubeconfig('devops'), 'devops.kubeconfig');
    ca = fs.readFileSync(lab.ca, 'utf8').replace(/\r\n/g, '\n');
  });
  after(async () => {
    await sup?.close();
    fs.rmSync(`/etc/containers/certs.d/${lab?.harbor}`, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the CA by each route: getcert v2, getcert v1 (Harbor 1.x), and the presented chain', async () => {
    const v2 = await harbor([lab.harbor]);
    assert.equal(v2.code, 0, v2.stderr);
    assert.equal(v2.stdout.trim(), ca.trim());
    assert.match(v2.stderr, /from Harbor \/api\/v2\.0\/systeminfo\/getcert/);
    assert.match(v2.stderr, new RegExp(`fingerprint: ${fp(ca)}`));
    assert.match(v2.stderr, /CA: +yes, self-signed/);
    const v1 = await harbor([lab.harborV1]);
    assert.match(v1.stderr, /from Harbor 1\.x \/api\/systeminfo\/getcert/);
    assert.equal(v1.stdout.trim(), ca.trim());
    const chain = await harbor([lab.harborIntermediate]);
    assert.match(chain.stderr, /from the TLS chain it presents/);
    assert.match(
      chain.stderr,
      /the server sent no root certificate; taking the top of its chain, "CN=kubectl-harbor lab intermediate CA/,
    );
    assert.equal(chain.stdout.trim(), fs.readFileSync(lab.intermediateCa, 'utf8').replace(/\r\n/g, '\n').trim());
  });

  test('--supervisor: pinned, appended after the existing certificate byte for byte; a re-run writes nothing', async () => {
    const before = bundle();
    const r = await harbor([lab.harbor, '--supervisor', '--fingerprint', fp(ca)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/image-fetcher-ca-bundle configured\n');
    assert.ok(bundle().startsWith(before), 'existing certificates stay first, byte for byte');
    assert.equal(bundle().match(/BEGIN CERTIFICATE/g)!.length, 2);
    const rv = sup.supervisor.store.revision;
    assert.equal(
      (await harbor([lab.harbor, '--supervisor', '--fingerprint', fp(ca)])).stdout,
      'configmap/image-fetcher-ca-bundle unchanged\n',
    );
    assert.equal(sup.supervisor.store.revision, rv);
  });

  test('a bundle without a final newline, or with CRLF, keeps its content', async () => {
    const old = bundle();
    for (const odd of [old.trimEnd(), old.replace(/\n/g, '\r\n').trimEnd()]) {
      sup.supervisor.registry.mutate(
        sup.supervisor.type('configmaps'),
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
    sup.supervisor.registry.mutate(
      sup.supervisor.type('configmaps'),
      'kube-system',
      'image-fetcher-ca-bundle',
      (cm) => (cm.data['ca-bundle'] = old),
    );
  });

  test('--tkgs: upsert, rotate under the same name (said), remove; warns that only new clusters get it', async () => {
    const r = await harbor([lab.harbor, '--tkgs', '--fingerprint', fp(ca), '--name', 'lab-harbor']);
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
      (await harbor(['--ca-file', path.join(dir, 'next.pem'), '--tkgs', '--name', 'lab-harbor'])).stdout,
      'tkgserviceconfiguration.run.tanzu.vmware.com/tkg-service-configuration unchanged\n',
    );
    const rm = await harbor(['--tkgs', '--remove', '--name', 'lab-harbor']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(tkgs(), []);
  });

  test('--cluster: a TKC gets spec.settings.network.trust; a v1beta1 Cluster gets the trust variable and a double-base64 secret', async () => {
    const refused = await harbor([lab.harbor, '--cluster', 'tkc-1', '--fingerprint', fp(ca)]);
    assert.equal(refused.code, 2, 'rolls nodes: needs --yes off a terminal');
    const tkc = await harbor([lab.harbor, '--cluster', 'tkc-1', '--fingerprint', fp(ca), '--yes', '--context', 'dev']);
    assert.equal(tkc.code, 0, tkc.stderr);
    const t = sup.supervisor.get('run.tanzu.vmware.com/v1alpha3', 'tanzukubernetesclusters', 'dev', 'tkc-1')!;
    assert.equal(Buffer.from(t.spec.settings.network.trust.additionalTrustedCAs[0].data, 'base64').toString(), ca);
    const cc = await harbor([
      lab.harbor,
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
    const secret = sup.supervisor.get('v1', 'secrets', 'dev', 'cc-1-user-trusted-ca-secret')!;
    const once = Buffer.from(secret.data['harbor-ca'], 'base64').toString();
    assert.equal(Buffer.from(once, 'base64').toString(), ca, 'decoded twice it is the PEM');
    const cluster = sup.supervisor.get('cluster.x-k8s.io/v1beta1', 'clusters', 'dev', 'cc-1')!;
    assert.deepEqual(cluster.spec.topology.variables.find((v: any) => v.name === 'trust').value, {
      additionalTrustedCAs: [{ name: 'harbor-ca' }],
    });
    assert.equal(
      (
        await harbor([
          lab.harbor,
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
      const listed = await exec(PLUGIN, ['trust', 'list', '--cluster', c, '--context', 'dev', '-o', 'json'], env());
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((i: { fingerprint: string }) => i.fingerprint),
        [fp(ca)],
        listed.stderr,
      );
    }
  });

  test('--local: skopeo fails before with x509 and pulls after, using the certs.d trust wrote; --remove takes it away', async () => {
    const certsD = path.join(dir, '.docker', 'certs.d');
    const pull = () =>
      exec(
        'skopeo',
        [
          'inspect',
          '--cert-dir',
          path.join(certsD, lab.harbor),
          '--creds',
          `admin:${lab.users.admin}`,
          `docker://${lab.image}`,
        ],
        baseEnv(),
      );
    assert.match((await pull()).stderr, /x509: certificate signed by unknown authority/);
    const r = await harbor([
      lab.harbor,
      '--local',
      '--fingerprint',
      fp(ca),
      '--containerd-dir',
      path.join(dir, 'containerd'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await pull()).code, 0);
    assert.match(
      fs.readFileSync(path.join(dir, 'containerd', lab.harbor, 'hosts.toml'), 'utf8'),
      new RegExp(`server = "https://${lab.harbor}"`),
    );
    assert.equal(fs.statSync(path.join(certsD, lab.harbor, 'ca.crt')).mode & 0o777, 0o644);
    const again = await harbor([lab.harbor, '--local', '--fingerprint', fp(ca)]);
    assert.match(again.stdout, /ca\.crt unchanged/);
    const rm = await harbor([lab.harbor, '--local', '--remove']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.ok(!fs.existsSync(path.join(certsD, lab.harbor, 'ca.crt')));
  });

  test('trust list shows every trusted CA across the targets, as a table or JSON', async () => {
    const tmp = await harbor([lab.harbor, '--tkgs', '--fingerprint', fp(ca), '--name', 'listed']);
    assert.equal(tmp.code, 0, tmp.stderr);
    const r = await exec(PLUGIN, ['trust', 'list', '-o', 'json'], env());
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout).items as Array<{
      target: string;
      name: string;
      fingerprint: string;
      daysLeft: number;
    }>;
    assert.ok(items.some((i) => i.target === 'supervisor' && i.fingerprint === fp(ca)));
    assert.ok(items.some((i) => i.target === 'tkgs' && i.name === 'listed' && i.daysLeft > 300));
    const table = await exec(PLUGIN, ['trust', 'list', '--tkgs'], env());
    assert.match(
      table.stdout,
      /^TARGET\s+NAME\s+SUBJECT\s+EXPIRES\s+DAYS\s+FINGERPRINT\ntkgs\s+listed\s+CN=kubectl-harbor lab CA/,
    );
    await harbor(['--tkgs', '--remove', '--name', 'listed']);
  });

  test('--dry-run=client changes nothing', async () => {
    const rv = sup.supervisor.store.revision;
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
    assert.equal(sup.supervisor.store.revision, rv);
  });

  test('bad inputs: each one line, a non-zero exit, and nothing changed', async () => {
    const plain = await ApiServer.start();
    const plainKc = writeKubeconfig(dir, plain.kubeconfig(), 'plain.kubeconfig');
    try {
      const leaf = makeCert({ cn: 'leaf', issuer: makeCa('x') });
      const expired = makeCert({
        cn: 'old CA',
        ca: true,
        notBefore: new Date(Date.now() - 9e9),
        notAfter: new Date(Date.now() - 8.64e7),
      });
      const cases: Array<[string, string[], RegExp, string?]> = [
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
        ['truncated PEM', ['--ca-file', file('trunc.pem', ca.slice(0, 200)), '--supervisor'], /truncated/],
        ['garbage', ['--ca-file', file('junk.bin', 'hello'), '--supervisor'], /neither a PEM nor a DER certificate/],
        ['a missing file', ['--ca-file', path.join(dir, 'nope.pem'), '--supervisor'], /cannot read .*ENOENT/],
        ['an expired CA', ['--ca-file', file('expired.pem', expired.certPem), '--supervisor'], /expired on/],
        ['not a CA', ['--ca-file', file('leaf.pem', leaf.certPem), '--supervisor'], /is not a CA/],
        [
          '--allow-leaf with a CA-signed leaf',
          ['--ca-file', path.join(dir, 'leaf.pem'), '--supervisor', '--allow-leaf'],
          /only a self-signed one/,
        ],
        ['bad --name characters', ['--ca-file', lab.ca, '--tkgs', '--name', 'bad name!'], /may only hold letters/],
        [
          'a wrong pinned fingerprint',
          [lab.harbor, '--supervisor', '--fingerprint', `sha256:${'0'.repeat(64)}`],
          /not the pinned sha256:0{64}; nothing was changed/,
        ],
        ['a malformed fingerprint', [lab.harbor, '--supervisor', '--fingerprint', 'abc'], /not a SHA-256 fingerprint/],
        [
          'a fetched CA, unpinned, off a terminal',
          [lab.harbor, '--supervisor'],
          /came from the network: pin it with --fingerprint/,
        ],
        [
          'an unknown cluster',
          ['--ca-file', lab.ca, '--cluster', 'nope', '--yes', '--context', 'dev'],
          /no TanzuKubernetesCluster or Cluster "nope" in namespace "dev"/,
        ],
        [
          '403 on kube-system',
          ['--ca-file', lab.ca, '--supervisor'],
          /cannot get resource "configmaps" in API group "" in the namespace "kube-system"/,
          'devops',
        ],
        [
          'a cluster without the ConfigMap',
          ['--ca-file', lab.ca, '--supervisor'],
          /needs a vSphere Supervisor context/,
          'plain',
        ],
        ['a refused registry', [`${lab.harbor.split(':')[0]}:1`, '--supervisor', '--yes'], /connection refused/],
        ['--local without a registry', ['--ca-file', lab.ca, '--local'], /--local needs the registry/],
        ['--remove without a target', ['--remove', '--name', 'x'], /--remove needs a target/],
        [
          '--supervisor --remove by name',
          ['--supervisor', '--remove', '--name', 'x'],
          /--supervisor --remove needs the fingerprint \(the bundle has no names\)/,
        ],
      ];
      for (const [what, args, msg, who] of cases) {
        const rv = sup.supervisor.store.revision;
        const r =
          who === 'plain'
            ? await exec(PLUGIN, ['trust', ...args], baseEnv({ HOME: dir, KUBECONFIG: plainKc }))
            : await harbor(args, who);
        assert.notEqual(r.code, 0, `${what}: exit code`);
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
        assert.equal(errors.length, 1, `${what}: one error line, got: ${r.stderr}`);
        assert.match(errors[0]!, msg, what);
        assert.ok(!/\n\s+at /.test(r.stderr), `${what}: no stack trace`);
        assert.equal(sup.supervisor.store.revision, rv, `${what}: nothing changed`);
      }
    } finally {
      await plain.close();
    }
  });
});
