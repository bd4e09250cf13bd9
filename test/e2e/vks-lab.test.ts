// The shared lab as today's platform has it: the VCF CLI kubeconfig `npm run lab -- up`
// writes ($LAB_VCF_KUBECONFIG) names its session kind, and from its namespace context
// `trust --cluster vks-1` puts the lab CA into the v1beta2 builtin-generic Cluster's
// osConfiguration variable; the real kubectl reads the result back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';

describe('VKS on the shared lab, from a VCF CLI session', needsLab, () => {
  const h = e2e('vks-lab');
  const lab = labFixture(h);

  test('context --kubeconfig $LAB_VCF_KUBECONFIG -o json names the session kind', async () => {
    const r = await h.harbor(['context', '--kubeconfig', lab.info.vcfKubeconfig, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.session, 'vcf-cli');
    assert.deepEqual(
      [doc.vsphere.login, doc.vsphere.kind, doc.vsphere.supervisorContext],
      ['vcf-cli', 'namespace', 'lab'],
    );
  });

  test('trust --cluster vks-1 from the VCF namespace context: osConfiguration with a secretRef; a re-run is unchanged', async () => {
    const { name, namespace } = lab.info.vksCluster;
    const args = [
      'trust',
      '--ca-file',
      lab.info.ca,
      '--cluster',
      name,
      '--yes',
      '--name',
      'lab-ca',
      '--context',
      `lab:${namespace}`,
    ];
    const r = await h.harbor(args, { kubeconfig: lab.info.vcfKubeconfig });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cluster\.cluster\.x-k8s\.io\/vks-1 configured/);
    const get = await h.kubectl(['get', 'clusters.v1beta2.cluster.x-k8s.io', name, '-n', namespace, '-o', 'json'], {
      kubeconfig: lab.info.adminKubeconfig,
    });
    assert.equal(get.code, 0, get.stderr);
    const vars = JSON.parse(get.stdout).spec.topology.variables as Array<{ name: string; value: unknown }>;
    const os = vars.find((v) => v.name === 'osConfiguration')?.value as {
      trust: { additionalTrustedCAs: Array<{ caCert: { secretRef: { name: string; key: string } } }> };
    };
    assert.deepEqual(os.trust.additionalTrustedCAs[0]!.caCert.secretRef, {
      name: `${name}-user-trusted-ca-secret`,
      key: 'lab-ca',
    });
    const again = await h.harbor(args, { kubeconfig: lab.info.vcfKubeconfig });
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /configured|created/);
    // Leave the lab as it was for other files.
    const rm = await h.harbor(
      ['trust', '--cluster', name, '--name', 'lab-ca', '--remove', '--yes', '--context', `lab:${namespace}`],
      {
        kubeconfig: lab.info.vcfKubeconfig,
      },
    );
    assert.equal(rm.code, 0, rm.stderr);
  });
});
