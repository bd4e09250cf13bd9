// `kubectl harbor trust --cluster` on today's platform, the built plugin against a Supervisor
// emulator of this file's own (no root): a v1beta2 Cluster of class builtin-generic-v3.4.0
// (osConfiguration caCert.secretRef), a class that takes only caCert.content, a v1beta1
// Cluster of the legacy class (trust variable), Clusters on classes kubectl-harbor does not
// know, and TanzuKubernetesClusters whose trust is base64(PEM) or base64(base64(PEM)). The
// emulator's admission webhook checks every Cluster write against the class's schema, and the
// real kubectl reads the results back.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';
import { makeCa } from '../../lab/pki.js';
import { BUILTIN_CLASS, clusterClasses, VKS_PUBLIC_NS } from '../../lab/apiserver/vks.js';
import type { Obj } from '../../lab/apiserver/types.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString();
const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');
const fpOf = (pem: string): string =>
  `sha256:${new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase()}`;
const SECRET = 'vks-1-user-trusted-ca-secret';
const ref = (key: string, secret = SECRET) => ({ caCert: { secretRef: { name: secret, key } } });
const errorLines = (r: Result): string[] => r.stderr.split('\n').filter((l) => l.startsWith('error:'));
const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

/** A class in `dev` like builtin-generic but whose caCert takes only `content`. */
function contentOnlyClass(): Obj {
  const cc = structuredClone(clusterClasses([], true)[0]!);
  cc.metadata = { name: 'content-only', namespace: 'dev' };
  const caCert =
    cc.status.variables[0].definitions[0].schema.openAPIV3Schema.properties.trust.properties.additionalTrustedCAs.items
      .properties.caCert;
  delete caCert.properties.secretRef;
  delete caCert.oneOf;
  caCert.required = ['content'];
  return cc;
}

describe('kubectl harbor trust --cluster on VKS (API emulator only)', () => {
  const h = e2e('trust-vks');
  const cp = { controlPlaneIps: ['10.0.0.11'], workerIps: [] };
  const v2 = (name: string, cls: string, ns = 'dev') =>
    ({ name, namespace: 'dev', api: 'cluster-v1beta2', class: cls, classNamespace: ns, ...cp }) as const;
  const fx = supervisorFixture(
    h,
    {
      clusters: [
        {
          name: 'vks-1',
          namespace: 'dev',
          api: 'cluster-v1beta2',
          class: BUILTIN_CLASS,
          classNamespace: VKS_PUBLIC_NS,
          ...cp,
        },
        { name: 'cc-1', namespace: 'dev', api: 'cluster', class: 'tanzukubernetescluster', ...cp },
        { name: 'tkc-1', namespace: 'dev', ...cp },
        v2('vc-1', 'content-only'),
        v2('odd-1', 'plain-class'),
        v2('lost-1', 'no-such-class'),
        v2('locked-1', BUILTIN_CLASS, 'kube-system'),
      ],
    },
    (sup) => {
      sup.supervisor.seed(contentOnlyClass());
      sup.supervisor.seed({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'ClusterClass',
        metadata: { name: 'plain-class', namespace: 'dev' },
        spec: { variables: [{ name: 'vmClass', required: false, schema: { openAPIV3Schema: { type: 'string' } } }] },
      });
    },
  );
  const [caA, caB, caC] = ['VKS A', 'VKS B', 'VKS C'].map((cn) => lf(makeCa(cn).certPem));
  const file = (name: string, text: string): string => {
    const f = path.join(h.home, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const trust = (args: string[], who: 'admin' | 'devops' = 'devops'): Promise<Result> =>
    h.harbor(['trust', ...args, '--context', 'dev'], { kubeconfig: fx.kubeconfigs[who] });
  const add = (cluster: string, pem: string, name = 'harbor-ca', extra: string[] = []): Promise<Result> =>
    trust([
      '--ca-file',
      file(`${name}-${fpOf(pem).slice(7, 15)}.pem`, pem),
      '--cluster',
      cluster,
      '--name',
      name,
      '--yes',
      ...extra,
    ]);
  const list = async (args: string[], who: 'admin' | 'devops' = 'devops') => {
    const r = await trust(['list', ...args, '-o', 'json'], who);
    assert.equal(r.code, 0, r.stderr);
    return { r, items: JSON.parse(r.stdout).items as Array<{ name: string; fingerprint: string; target: string }> };
  };
  const get = (apiVersion: string, plural: string, name: string): Obj | undefined =>
    fx.sup.supervisor.get(apiVersion, plural, 'dev', name);
  const variable = (cl: Obj, name: string) => cl.spec.topology.variables.find((v: Obj) => v.name === name)?.value;
  const kubectlJson = async (args: string[]): Promise<Obj> => {
    const r = await h.kubectl([...args, '-n', 'dev', '-o', 'json'], { kubeconfig: fx.kubeconfigs.devops });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('builtin-generic (v1beta2): secretRef into <cluster>-user-trusted-ca-secret, double base64; a re-run is unchanged', async () => {
    const r = await add('vks-1', caA!);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^secret\/vks-1-user-trusted-ca-secret created\ncluster\.cluster\.x-k8s\.io\/vks-1 configured\n/,
    );
    assert.match(r.stderr, /cluster vks-1 will now roll its nodes/);
    // Read back with the real kubectl, at v1beta2: the other variables are as they were.
    const cl = await kubectlJson(['get', 'clusters.v1beta2.cluster.x-k8s.io', 'vks-1']);
    assert.deepEqual(cl.spec.topology.classRef, { name: BUILTIN_CLASS, namespace: VKS_PUBLIC_NS });
    assert.deepEqual(cl.spec.topology.variables, [
      { name: 'vmClass', value: 'best-effort-small' },
      { name: 'storageClass', value: 'lab-storage' },
      { name: 'osConfiguration', value: { trust: { additionalTrustedCAs: [ref('harbor-ca')] } } },
    ]);
    const secret = await kubectlJson(['get', 'secret', SECRET]);
    assert.equal(unb64(unb64(secret.data['harbor-ca'])), caA, 'data is base64(base64(PEM))');
    const again = await add('vks-1', caA!);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `secret/${SECRET} unchanged\ncluster.cluster.x-k8s.io/vks-1 unchanged\n`);
    assert.doesNotMatch(again.stderr, /roll/);
    const { items } = await list(['--cluster', 'vks-1']);
    assert.deepEqual(
      items.map((i) => [i.target, i.name, i.fingerprint]),
      [['cluster/vks-1', 'harbor-ca', fpOf(caA!)]],
    );
  });

  test('builtin-generic rotation: the new CA under a new key and item, the old kept (said); --remove takes the old', async () => {
    const dry = fx.sup.supervisor.store.revision;
    for (const mode of ['client', 'server']) {
      const r = await add('vks-1', caB!, 'harbor-ca', [`--dry-run=${mode}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fx.sup.supervisor.store.revision, dry, `--dry-run=${mode} writes nothing`);
    }
    const r = await add('vks-1', caB!);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /secret\/vks-1-user-trusted-ca-secret configured\ncluster\.cluster\.x-k8s\.io\/vks-1 configured/,
    );
    assert.match(
      r.stderr,
      /Warning: the CA named "harbor-ca" is not replaced in place .*added as "harbor-ca-2", and "harbor-ca" stays trusted beside it until `kubectl harbor trust --cluster vks-1 --name harbor-ca --remove`; the nodes will roll/,
    );
    const cl = get('cluster.x-k8s.io/v1beta2', 'clusters', 'vks-1')!;
    assert.deepEqual(variable(cl, 'osConfiguration').trust.additionalTrustedCAs, [
      ref('harbor-ca'),
      ref('harbor-ca-2'),
    ]);
    const data = get('v1', 'secrets', SECRET)!.data;
    assert.equal(unb64(unb64(data['harbor-ca'])), caA, 'the old key is kept');
    assert.equal(unb64(unb64(data['harbor-ca-2'])), caB);
    const { items } = await list(['--cluster', 'vks-1']);
    assert.deepEqual(
      items.map((i) => [i.name, i.fingerprint]),
      [
        ['harbor-ca', fpOf(caA!)],
        ['harbor-ca-2', fpOf(caB!)],
      ],
    );
    const same = await add('vks-1', caB!);
    assert.match(same.stderr, /this CA is already trusted as "harbor-ca-2"/);
    assert.equal(count(same.stdout, /unchanged/), 2);
    const rm = await trust(['--cluster', 'vks-1', '--name', 'harbor-ca', '--remove', '--yes']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(
      rm.stdout,
      `cluster.cluster.x-k8s.io/vks-1 configured\nsecret/${SECRET} configured\n`,
      'the reference goes first',
    );
    assert.deepEqual(
      variable(get('cluster.x-k8s.io/v1beta2', 'clusters', 'vks-1')!, 'osConfiguration').trust.additionalTrustedCAs,
      [ref('harbor-ca-2')],
    );
    assert.deepEqual(Object.keys(get('v1', 'secrets', SECRET)!.data), ['harbor-ca-2']);
  });

  test('a class that takes only caCert.content: base64(PEM) inline, no secret; removal by fingerprint', async () => {
    const r = await add('vc-1', caA!);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'cluster.cluster.x-k8s.io/vc-1 configured\n');
    const cl = await kubectlJson(['get', 'clusters.v1beta2.cluster.x-k8s.io', 'vc-1']);
    assert.deepEqual(variable(cl, 'osConfiguration'), {
      trust: { additionalTrustedCAs: [{ caCert: { content: b64(caA!) } }] },
    });
    assert.equal(get('v1', 'secrets', 'vc-1-user-trusted-ca-secret'), undefined, 'no secret');
    assert.equal((await add('vc-1', caA!, 'other')).stdout, 'cluster.cluster.x-k8s.io/vc-1 unchanged\n');
    assert.deepEqual(
      (await list(['--cluster', 'vc-1'])).items.map((i) => [i.name, i.fingerprint]),
      [['-', fpOf(caA!)]],
    );
    const byName = await trust(['--cluster', 'vc-1', '--name', 'harbor-ca', '--remove', '--yes']);
    assert.equal(byName.stdout, 'cluster.cluster.x-k8s.io/vc-1 unchanged\n');
    assert.match(byName.stderr, /no CA named "harbor-ca" in cluster vc-1: .*remove one by --fingerprint/);
    const rm = await trust(['--cluster', 'vc-1', '--fingerprint', fpOf(caA!), '--remove', '--yes']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(
      variable(get('cluster.x-k8s.io/v1beta2', 'clusters', 'vc-1')!, 'osConfiguration').trust.additionalTrustedCAs,
      [],
    );
  });

  test('v1beta1 Cluster, legacy class: rotation names the new key in the trust variable, the old stays', async () => {
    assert.equal((await add('cc-1', caA!)).code, 0);
    const r = await add('cc-1', caC!);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /the CA named "harbor-ca" is not replaced in place .*"harbor-ca-2"/);
    const cl = await kubectlJson(['get', 'clusters.v1beta1.cluster.x-k8s.io', 'cc-1']);
    assert.equal(cl.spec.topology.class, 'tanzukubernetescluster');
    assert.deepEqual(variable(cl, 'trust'), { additionalTrustedCAs: [{ name: 'harbor-ca' }, { name: 'harbor-ca-2' }] });
    const secret = await kubectlJson(['get', 'secret', 'cc-1-user-trusted-ca-secret']);
    assert.equal(unb64(unb64(secret.data['harbor-ca'])), caA);
    assert.equal(unb64(unb64(secret.data['harbor-ca-2'])), caC);
    assert.deepEqual(
      (await list(['--cluster', 'cc-1'])).items.map((i) => i.name),
      ['harbor-ca', 'harbor-ca-2'],
    );
  });

  test('classes kubectl-harbor cannot write: exit 1, one error line, nothing written', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'odd-1',
        /^error: cluster odd-1 \(ClusterClass dev\/plain-class\) takes no trust variable kubectl-harbor knows: its class defines neither osConfiguration \(trust\.additionalTrustedCAs\[\]\.caCert\) nor trust \(additionalTrustedCAs\[\]\.name\)$/,
      ],
      ['lost-1', /^error: ClusterClass dev\/no-such-class of cluster lost-1 not found/],
      ['locked-1', /^error: .*forbidden.*clusterclass/i],
    ];
    for (const [cluster, msg] of cases) {
      const rv = fx.sup.supervisor.store.revision;
      const r = await add(cluster, caA!);
      assert.equal(r.code, 1, `${cluster}: ${r.stderr}`);
      assert.equal(errorLines(r).length, 1, r.stderr);
      assert.match(errorLines(r)[0]!, msg);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
      assert.equal(r.stdout, '');
      assert.equal(fx.sup.supervisor.store.revision, rv, `${cluster}: nothing written`);
    }
  });

  test('TanzuKubernetesCluster: double base64 read and kept, single for a new list; deprecation said once', async () => {
    fx.sup.supervisor.seed({
      apiVersion: 'run.tanzu.vmware.com/v1alpha3',
      kind: 'TanzuKubernetesCluster',
      metadata: { name: 'tkc-2', namespace: 'dev' },
      spec: {
        topology: { controlPlane: { replicas: 1 }, nodePools: [] },
        settings: { network: { trust: { additionalTrustedCAs: [{ name: 'old', data: b64(b64(caA!)) }] } } },
      },
    });
    const deprecated = /tkc-2 is a TanzuKubernetesCluster: that API is deprecated since TKG Service 3\.2/;
    const { r, items } = await list(['--cluster', 'tkc-2']);
    assert.deepEqual(
      items.map((i) => [i.name, i.fingerprint]),
      [['old', fpOf(caA!)]],
    );
    assert.equal(count(r.stderr, deprecated), 1, r.stderr);
    const same = await add('tkc-2', caA!, 'old');
    assert.equal(same.stdout, 'tanzukubernetescluster.run.tanzu.vmware.com/tkc-2 unchanged\n');
    assert.equal(count(same.stderr, deprecated), 1, same.stderr);
    assert.equal((await add('tkc-2', caB!, 'new')).code, 0);
    const cas = get('run.tanzu.vmware.com/v1alpha3', 'tanzukubernetesclusters', 'tkc-2')!.spec.settings.network.trust
      .additionalTrustedCAs;
    assert.equal(unb64(unb64(cas[1].data)), caB, 'written double, as the list already was');
    assert.equal((await add('tkc-1', caA!)).code, 0);
    const one = get('run.tanzu.vmware.com/v1alpha3', 'tanzukubernetesclusters', 'tkc-1')!.spec.settings.network.trust
      .additionalTrustedCAs;
    assert.equal(unb64(one[0].data), caA, 'a new list is written single');
  });

  test('--tkgs says once that it does not reach v1beta1/v1beta2 Clusters; a double entry is read', async () => {
    const scope =
      /TkgServiceConfiguration reaches TanzuKubernetesClusters only, never cluster\.x-k8s\.io v1beta1\/v1beta2 Clusters/;
    const r = await trust(['--ca-file', file('tkgs.pem', caA!), '--tkgs', '--name', 'tkgs-a'], 'admin');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(count(r.stderr, scope), 1, r.stderr);
    fx.sup.supervisor.registry.mutate(
      fx.sup.supervisor.type('tkgserviceconfigurations', 'run.tanzu.vmware.com'),
      undefined,
      'tkg-service-configuration',
      (o) => o.spec.trust.additionalTrustedCAs.push({ name: 'twice', data: b64(b64(caC!)) }),
    );
    const { r: l, items } = await list(['--tkgs']);
    assert.deepEqual(
      items.map((i) => [i.name, i.fingerprint]),
      [
        ['tkgs-a', fpOf(caA!)],
        ['twice', fpOf(caC!)],
      ],
    );
    assert.equal(count(l.stderr, scope), 1, l.stderr);
    const same = await trust(['--ca-file', file('tkgs-c.pem', caC!), '--tkgs', '--name', 'twice'], 'admin');
    assert.match(same.stdout, /unchanged/);
    assert.equal(count(same.stderr, scope), 1);
  });
});
