// Today's platform, against the in-process emulator (no root): a VCF CLI session
// (`vcf context create`) is used like a `kubectl vsphere login` one (login finds the
// Harbor and the user, the password comes from VCF_CLI_VSPHERE_PASSWORD), and Harbor as a
// Supervisor Service: found without its address being given, and its CA, which VKS
// installs on the clusters by itself, is not added a second time unless asked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { makeCa } from '../../lab/pki.js';
import { e2e, supervisorFixture } from '../helpers/e2e.js';

describe('VCF CLI sessions and the Harbor Supervisor Service', () => {
  const h = e2e('vcf');
  const fx = supervisorFixture(h, {
    namespaces: ['dev', 'team-b'],
    harbor: 'harbor.example.com',
    harborService: true,
    clusters: [{ name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['10.0.0.11'], workerIps: [] }],
  });
  let vcf: string;
  let vcfAdmin: string;
  let serviceCa: string;
  const secret = async (ns: string, name: string) => {
    const r = await h.kubectl(['get', 'secret', name, '-n', ns, '-o', 'json'], { kubeconfig: fx.kubeconfigs.admin });
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };

  before(async () => {
    vcf = writeKubeconfig(h.home, fx.sup.vcfKubeconfig('devops'), 'vcf.kubeconfig');
    vcfAdmin = writeKubeconfig(h.home, fx.sup.vcfKubeconfig('admin'), 'vcf-admin.kubeconfig');
    serviceCa = path.join(h.home, 'service-ca.pem');
    fs.writeFileSync(serviceCa, fx.sup.harborService!.caPem);
    // team-b has no embedded Harbor: only the Supervisor Service.
    const r = await h.kubectl(['delete', 'secret', 'team-b-default-image-pull-secret', '-n', 'team-b'], {
      kubeconfig: fx.kubeconfigs.admin,
    });
    assert.equal(r.code, 0, r.stderr);
  });

  test('context names the session kind; login uses the VCF user and VCF_CLI_VSPHERE_PASSWORD', async () => {
    const c = await h.harbor(['context', '-o', 'json'], { kubeconfig: vcf });
    const doc = JSON.parse(c.stdout);
    assert.deepEqual(
      [doc.session, doc.vsphere.kind, doc.vsphere.username],
      ['vcf-cli', 'namespace', 'devops@vsphere.local'],
    );
    const r = await h.harbor(['login', '--skip-verify'], {
      kubeconfig: vcf,
      extra: { VCF_CLI_VSPHERE_PASSWORD: 'sso-password' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /registry: harbor\.example\.com \(the embedded Harbor of namespace "dev"\)/);
    const s = await secret('dev', 'harbor-harbor.example.com');
    const auths = JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString()).auths;
    assert.equal(auths['harbor.example.com'].username, 'devops@vsphere.local');
    assert.equal(auths['harbor.example.com'].password, 'sso-password');
  });

  test('from a VCF workload-cluster context, the Supervisor is found (trust list --tkgs)', async () => {
    const r = await h.harbor(['trust', 'list', '--tkgs', '--context', 'lab:tkc-1', '-o', 'json'], {
      kubeconfig: vcfAdmin,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).kind, 'List');
  });

  test('without an embedded Harbor, login finds the Harbor Supervisor Service', async () => {
    const r = await h.harbor(['login', '--skip-verify', '--context', 'lab:team-b'], {
      kubeconfig: vcfAdmin,
      extra: { VCF_CLI_VSPHERE_PASSWORD: 'sso-password' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /registry: harbor\.example\.com \(the Harbor Supervisor Service in namespace "svc-harbor-domain-c8"\)/,
    );
    // devops may not read the service's secret: one line that says so and what to do.
    const d = await h.harbor(['login', '--skip-verify', '--context', 'lab:team-b'], {
      kubeconfig: vcf,
      extra: { VCF_CLI_VSPHERE_PASSWORD: 'x' },
    });
    assert.equal(d.code, 1);
    assert.match(
      d.stderr,
      /^error: namespace "team-b" has no embedded Harbor, and the Harbor Supervisor Service in namespace "svc-harbor-domain-c8" does not show its address .*give the registry/m,
    );
  });

  test('the service CA is already distributed by VKS: trust --tkgs and push-ca add nothing unless asked', async () => {
    const tkgs = await h.harbor(['trust', '--ca-file', serviceCa, '--tkgs'], { kubeconfig: vcfAdmin });
    assert.equal(tkgs.code, 0, tkgs.stderr);
    assert.match(tkgs.stderr, /VKS already installs it on the clusters of this Supervisor, so no second copy is added/);
    assert.doesNotMatch(tkgs.stdout, /configured/);
    const push = await h.harbor(['push-ca', 'tkc-1', '--ca-file', serviceCa, '--registry', 'harbor.example.com'], {
      kubeconfig: vcfAdmin,
    });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /the nodes were not contacted/);
    const forced = await h.harbor(['trust', '--ca-file', serviceCa, '--tkgs', '--even-if-distributed'], {
      kubeconfig: vcfAdmin,
    });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /tkgserviceconfiguration.* configured/);
    // Another CA is not the service's: added as usual. A user who cannot read the secret is warned.
    const other = path.join(h.home, 'other.pem');
    fs.writeFileSync(other, makeCa('another registry CA').certPem);
    const r = await h.harbor(['trust', '--ca-file', other, '--tkgs', '--dry-run=client', '--name', 'other'], {
      kubeconfig: vcf,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /a Harbor Supervisor Service runs in namespace "svc-harbor-domain-c8" \(this user may not read secrets/,
    );
  });
});
