// The API server emulator held to the real kubectl (1.32, chosen by the machine's
// dispatcher from /version): every kind of request kubectl-harbor makes is made here by
// kubectl too, and kubectl must accept the answers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../helpers/kubeconfig.js';
import { baseEnv, exec, ROOT, type Result } from '../helpers/run.js';
import { ApiServer, type RequestRecord } from '../../lab/apiserver/server.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from '../../lab/apiserver/supervisor.js';

const X509 =
  'rpc error: code = Unknown desc = failed to pull and unpack image "127.0.0.1:8443/lab/app:1": failed to resolve reference "127.0.0.1:8443/lab/app:1": failed to do request: Head "https://127.0.0.1:8443/v2/lab/app/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority';

describe('API server emulator, judged by the real kubectl', () => {
  let lab: SupervisorLab;
  let dir: string;
  const files: Record<string, string> = {};
  let n = 0;

  const kubectl = (
    args: string[],
    opts: { who?: 'admin' | 'devops' | 'viewer'; input?: string } = {},
  ): Promise<Result> =>
    exec(
      'kubectl',
      ['--kubeconfig', files[opts.who ?? 'admin']!, '--cache-dir', path.join(dir, `cache-${n++}`), ...args],
      baseEnv({ HOME: dir }),
      opts.input,
    );
  const ok = async (
    args: string[],
    opts: { who?: 'admin' | 'devops' | 'viewer'; input?: string } = {},
  ): Promise<string> => {
    const r = await kubectl(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  /** Requests the emulator saw while `fn` ran, without the dispatcher's /version probe and discovery. */
  const requests = async (fn: () => Promise<unknown>): Promise<RequestRecord[]> => {
    const from = lab.supervisor.log.length;
    await fn();
    return lab.supervisor.log
      .slice(from)
      .filter((r) => !/^\/(version|api|apis|openapi)(\?|\/|$)/.test(r.url) || r.resource);
  };

  before(async () => {
    lab = await startSupervisor({
      server: {
        onRequest: process.env.LAB_DEBUG
          ? (r) => process.stderr.write(`${r.status} ${r.method} ${r.url}\n`)
          : undefined,
        kubelet: { startDelayMs: 50, pullError: (image) => (image.startsWith('127.0.0.1:8443/') ? X509 : undefined) },
      },
      harborService: true,
      clusters: [
        { name: 'tkc-1', namespace: 'dev', controlPlaneIps: ['10.10.0.11'], workerIps: ['10.10.0.21', '10.10.0.22'] },
        { name: 'vks-1', namespace: 'prod', api: 'cluster-v1beta2', controlPlaneIps: ['10.10.0.11'], workerIps: [] },
      ],
    });
    dir = tempDir('harbor-apiserver-');
    for (const who of ['admin', 'devops', 'viewer'] as const)
      files[who] = writeKubeconfig(dir, lab.kubeconfig(who), `${who}.kubeconfig`);
  });
  after(async () => {
    await lab.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl 1.32 is chosen by /version and talks to the emulator', async () => {
    const v = JSON.parse(await ok(['version', '-o', 'json']));
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.clientVersion.gitVersion, /^v1\.32\./);
  });

  test('discovery: aggregated first, every registered group and version listed', async () => {
    const versions = (await ok(['api-versions'])).trim().split('\n');
    for (const gv of [
      'v1',
      'run.tanzu.vmware.com/v1alpha1',
      'run.tanzu.vmware.com/v1alpha2',
      'run.tanzu.vmware.com/v1alpha3',
      'vmoperator.vmware.com/v1alpha1',
      'vmoperator.vmware.com/v1alpha2',
      'cluster.x-k8s.io/v1beta1',
      'cluster.x-k8s.io/v1beta2',
    ]) {
      assert.ok(versions.includes(gv), `api-versions lacks ${gv}: ${versions.join(' ')}`);
    }
    const res = await ok(['api-resources', '--no-headers']);
    assert.match(
      res,
      /^tanzukubernetesclusters\s+tkc\s+run\.tanzu\.vmware\.com\/v1alpha3\s+true\s+TanzuKubernetesCluster$/m,
    );
    assert.match(res, /^virtualmachines\s+vm\s+vmoperator\.vmware\.com\/v1alpha2\s+true\s+VirtualMachine$/m);
    assert.match(
      res,
      /^tkgserviceconfigurations\s+run\.tanzu\.vmware\.com\/v1alpha3\s+false\s+TkgServiceConfiguration$/m,
    );
    assert.match(res, /^secrets\s+v1\s+true\s+Secret$/m);
    const agg = lab.supervisor.log.filter(
      (r) => r.url.startsWith('/apis?') && /apidiscovery\.k8s\.io;v=v2/.test(r.accept ?? ''),
    );
    assert.ok(agg.length > 0, 'kubectl asked for aggregated discovery');
  });

  test('discovery without aggregation: kubectl falls back to /api/v1 and /apis/<g>/<v>', async () => {
    const legacy = await ApiServer.start({ host: '127.0.0.1', aggregatedDiscovery: false });
    try {
      const file = writeKubeconfig(dir, legacy.kubeconfig(), 'legacy.kubeconfig');
      const r = await exec(
        'kubectl',
        ['--kubeconfig', file, '--cache-dir', path.join(dir, 'legacy-cache'), 'get', 'tkgserviceconfigurations'],
        baseEnv({ HOME: dir }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(legacy.log.some((x) => x.url.startsWith('/api/v1?') || x.url === '/api/v1'));
      assert.ok(legacy.log.some((x) => x.url.startsWith('/apis/run.tanzu.vmware.com/v1alpha3')));
    } finally {
      await legacy.close();
    }
  });

  test('get: list as a Table, one object, -o json, -A, label and field selectors', async () => {
    const table = await ok(['get', 'secrets', '-n', 'dev']);
    assert.match(table, /^NAME\s+TYPE\s+DATA\s+AGE\n/);
    assert.match(table, /^dev-default-image-pull-secret\s+kubernetes\.io\/dockerconfigjson\s+1\s+\d+s$/m);
    const one = JSON.parse(await ok(['get', 'secret', 'dev-default-image-pull-secret', '-n', 'dev', '-o', 'json']));
    assert.equal(one.type, 'kubernetes.io/dockerconfigjson');
    const auths = JSON.parse(Buffer.from(one.data['.dockerconfigjson'], 'base64').toString()).auths;
    assert.ok(auths[lab.harbor].username.startsWith('robot$dev-'));
    const all = await ok(['get', 'secrets', '-A', '-o', 'name']);
    assert.match(all, /secret\/prod-default-image-pull-secret/);
    const cp = await ok([
      'get',
      'vm',
      '-n',
      'dev',
      '-l',
      'capw.vmware.com/cluster.name=tkc-1,capw.vmware.com/cluster.role in (controlplane)',
      '-o',
      'name',
    ]);
    assert.equal(cp.trim().split('\n').length, 1);
    const workers = await ok([
      'get',
      'vm',
      '-n',
      'dev',
      '-l',
      'capw.vmware.com/cluster.role!=controlplane',
      '-o',
      'name',
    ]);
    assert.equal(workers.trim().split('\n').length, 2);
    const ssh = await ok([
      'get',
      'secrets',
      '-n',
      'dev',
      '--field-selector',
      'type=kubernetes.io/ssh-auth',
      '-o',
      'name',
    ]);
    assert.equal(ssh.trim(), 'secret/tkc-1-ssh');
    const bad = await kubectl(['get', 'secrets', '-n', 'dev', '--field-selector', 'data.x=1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /field label not supported: data\.x/);
  });

  test('get of each custom resource, in every served version', async () => {
    for (const v of ['v1alpha1', 'v1alpha2', 'v1alpha3']) {
      const o = JSON.parse(
        await ok([
          'get',
          `tkgserviceconfigurations.${v}.run.tanzu.vmware.com`,
          'tkg-service-configuration',
          '-o',
          'json',
        ]),
      );
      assert.equal(o.apiVersion, `run.tanzu.vmware.com/${v}`);
      const tkc = JSON.parse(
        await ok(['get', `tanzukubernetesclusters.${v}.run.tanzu.vmware.com`, 'tkc-1', '-n', 'dev', '-o', 'json']),
      );
      assert.equal(tkc.apiVersion, `run.tanzu.vmware.com/${v}`);
    }
    const v1 = JSON.parse(
      await ok(['get', 'virtualmachines.v1alpha1.vmoperator.vmware.com', '-n', 'dev', '-o', 'json']),
    );
    assert.deepEqual(v1.items.map((i: any) => i.status.vmIp).sort(), ['10.10.0.11', '10.10.0.21', '10.10.0.22']);
    const v2 = JSON.parse(
      await ok(['get', 'virtualmachines.v1alpha2.vmoperator.vmware.com', '-n', 'dev', '-o', 'json']),
    );
    assert.deepEqual(v2.items.map((i: any) => i.status.network.primaryIP4).sort(), [
      '10.10.0.11',
      '10.10.0.21',
      '10.10.0.22',
    ]);
    assert.match(await ok(['get', 'tkc', '-n', 'dev']), /^tkc-1\s+1\s+2\s+\d+s\s+True$/m);
    await ok(['apply', '-f', '-'], {
      input:
        'apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata:\n  name: cc-1\n  namespace: prod\nspec:\n  topology:\n    class: tanzukubernetescluster\n    version: v1.28.8\n',
    });
    assert.match(
      await ok(['get', 'clusters.cluster.x-k8s.io', '-n', 'prod', '-o', 'name']),
      /^cluster\.cluster\.x-k8s\.io\/cc-1$/m,
    );
  });

  test('create secret docker-registry: protobuf body, then AlreadyExists on a re-run', async () => {
    const args = [
      'create',
      'secret',
      'docker-registry',
      'regcred',
      '-n',
      'dev',
      '--docker-server=h.example:8443',
      '--docker-username=u',
      '--docker-password=p',
    ];
    const seen = await requests(async () => assert.equal((await ok(args)).trim(), 'secret/regcred created'));
    const post = seen.find((r) => r.method === 'POST');
    assert.ok(post?.protobuf, 'kubectl 1.32 sends protobuf');
    assert.equal((post.body as any).type, 'kubernetes.io/dockerconfigjson');
    const again = await kubectl(args);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /secrets "regcred" already exists/);
    const data = await ok(['get', 'secret', 'regcred', '-n', 'dev', '-o', 'jsonpath={.data.\\.dockerconfigjson}']);
    assert.equal(JSON.parse(Buffer.from(data, 'base64').toString()).auths['h.example:8443'].password, 'p');
  });

  test('create configmap, serviceaccount and namespace (protobuf); a new namespace gets a default ServiceAccount', async () => {
    await ok(['create', 'namespace', 'team-a']);
    await ok(['create', 'configmap', 'cm1', '-n', 'team-a', '--from-literal=a=1']);
    await ok(['create', 'serviceaccount', 'builder', '-n', 'team-a']);
    assert.match(
      await ok(['get', 'sa', '-n', 'team-a', '-o', 'name']),
      /serviceaccount\/builder\nserviceaccount\/default/,
    );
    const bad = await kubectl(['create', 'configmap', 'Bad_Name', '-n', 'team-a']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is invalid: metadata\.name: Invalid value: "Bad_Name"/);
    const missing = await kubectl(['create', 'configmap', 'x', '-n', 'no-such-ns']);
    assert.match(missing.stderr, /namespaces "no-such-ns" not found/);
  });

  test('apply -f -: created, configured, unchanged (no write), and merge patch for custom resources', async () => {
    const cm = (v: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: dev\ndata:\n  a: "${v}"\n`;
    assert.equal((await ok(['apply', '-f', '-'], { input: cm('1') })).trim(), 'configmap/applied created');
    const seen = await requests(async () =>
      assert.equal((await ok(['apply', '-f', '-'], { input: cm('2') })).trim(), 'configmap/applied configured'),
    );
    assert.equal(seen.find((r) => r.method === 'PATCH')?.contentType, 'application/strategic-merge-patch+json');
    const rv = (await ok(['get', 'cm', 'applied', '-n', 'dev', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
    assert.equal((await ok(['apply', '-f', '-'], { input: cm('2') })).trim(), 'configmap/applied unchanged');
    assert.equal(
      (await ok(['get', 'cm', 'applied', '-n', 'dev', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim(),
      rv,
    );
    const tsc =
      'apiVersion: run.tanzu.vmware.com/v1alpha1\nkind: TkgServiceConfiguration\nmetadata:\n  name: tkg-service-configuration\nspec:\n  defaultCNI: antrea\n  trust:\n    additionalTrustedCAs:\n    - name: lab-ca\n      data: bGFi\n';
    const crSeen = await requests(async () => ok(['apply', '-f', '-'], { input: tsc }));
    assert.equal(crSeen.find((r) => r.method === 'PATCH')?.contentType, 'application/merge-patch+json');
    const v3 = lab.supervisor.get(
      'run.tanzu.vmware.com/v1alpha3',
      'tkgserviceconfigurations',
      undefined,
      'tkg-service-configuration',
    );
    assert.deepEqual(v3?.spec.trust.additionalTrustedCAs, [{ name: 'lab-ca', data: 'bGFi' }]);
    const strict = await kubectl(['apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: typo\n  namespace: dev\nimagePullSecret:\n- name: x\n',
    });
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /unknown field "imagePullSecret"/);
  });

  test('patch: strategic replaces imagePullSecrets (no merge key) but merges secrets; merge and json patches; no-op', async () => {
    await ok(['create', 'serviceaccount', 'patched', '-n', 'dev']);
    await ok([
      'patch',
      'sa',
      'patched',
      '-n',
      'dev',
      '-p',
      '{"imagePullSecrets":[{"name":"a"}],"secrets":[{"name":"s1"}]}',
    ]);
    const seen = await requests(() =>
      ok([
        'patch',
        'sa',
        'patched',
        '-n',
        'dev',
        '-p',
        '{"imagePullSecrets":[{"name":"b"}],"secrets":[{"name":"s2"}]}',
      ]),
    );
    assert.equal(seen.find((r) => r.method === 'PATCH')?.contentType, 'application/strategic-merge-patch+json');
    const sa = JSON.parse(await ok(['get', 'sa', 'patched', '-n', 'dev', '-o', 'json']));
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'b' }], 'kubernetes#72475: the list is replaced');
    assert.deepEqual(sa.secrets, [{ name: 's1' }, { name: 's2' }]);
    assert.equal(
      (await ok(['patch', 'sa', 'patched', '-n', 'dev', '-p', '{"imagePullSecrets":[{"name":"b"}]}'])).trim(),
      'serviceaccount/patched patched (no change)',
    );
    await ok(['patch', 'sa', 'patched', '-n', 'dev', '--type', 'merge', '-p', '{"metadata":{"labels":{"team":"a"}}}']);
    await ok([
      'patch',
      'sa',
      'patched',
      '-n',
      'dev',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"c"}}]',
    ]);
    assert.equal(
      (await ok(['get', 'sa', 'patched', '-n', 'dev', '-o', 'jsonpath={.imagePullSecrets[*].name}'])).trim(),
      'b c',
    );
    await ok(['create', 'serviceaccount', 'bare', '-n', 'dev']);
    const absent = await kubectl([
      'patch',
      'sa',
      'bare',
      '-n',
      'dev',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"c"}}]',
    ]);
    assert.equal(absent.code, 1, 'JSON-patch append fails when the list is absent');
    assert.match(absent.stderr, /missing path|is invalid|doc is missing/);
    const test = await kubectl([
      'patch',
      'sa',
      'patched',
      '-n',
      'dev',
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/imagePullSecrets/0/name","value":"zzz"}]',
    ]);
    assert.equal(test.code, 1);
    const stale = await kubectl([
      'patch',
      'sa',
      'patched',
      '-n',
      'dev',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"resourceVersion":"1"},"imagePullSecrets":[]}',
    ]);
    assert.equal(stale.code, 1);
    assert.match(
      stale.stderr,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
    const smpOnCr = await kubectl([
      'patch',
      'tkgserviceconfiguration',
      'tkg-service-configuration',
      '-p',
      '{"spec":{"defaultCNI":"calico"}}',
    ]);
    assert.match(smpOnCr.stderr, /strategic-merge-patch\+json is not supported/);
    await ok([
      'patch',
      'tkgserviceconfiguration',
      'tkg-service-configuration',
      '--type',
      'merge',
      '-p',
      '{"spec":{"defaultCNI":"antrea"}}',
    ]);
  });

  test('replace (PUT) with a stale resourceVersion is a 409 Conflict; dry-run=server writes nothing', async () => {
    const cur = JSON.parse(await ok(['get', 'cm', 'image-fetcher-ca-bundle', '-n', 'kube-system', '-o', 'json']));
    const stale = {
      ...cur,
      metadata: { ...cur.metadata, resourceVersion: String(Number(cur.metadata.resourceVersion) - 1) },
      data: { 'ca-bundle': 'x' },
    };
    const r = await kubectl(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Operation cannot be fulfilled on configmaps "image-fetcher-ca-bundle": the object has been modified/,
    );
    const fresh = { ...cur, data: { 'ca-bundle': cur.data['ca-bundle'] + 'appended\n' } };
    const dry = await ok(['replace', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(fresh) });
    assert.match(JSON.parse(dry).data['ca-bundle'], /appended/);
    const after = JSON.parse(await ok(['get', 'cm', 'image-fetcher-ca-bundle', '-n', 'kube-system', '-o', 'json']));
    assert.equal(after.metadata.resourceVersion, cur.metadata.resourceVersion);
    assert.doesNotMatch(after.data['ca-bundle'], /appended/);
    await ok(['create', 'secret', 'generic', 'dry', '-n', 'dev', '--from-literal=a=b', '--dry-run=server']);
    assert.equal((await kubectl(['get', 'secret', 'dry', '-n', 'dev'])).code, 1);
  });

  test('pods: run, wait for Ready (watch), exec exit codes, stdin, stderr, delete', async () => {
    await ok(['run', 'jumpbox', '-n', 'dev', '--image=photon:3.0', '--restart=Never', '--', 'sleep', '3600']);
    await ok(['wait', '--for=condition=Ready', 'pod/jumpbox', '-n', 'dev', '--timeout=20s']);
    const seen = await requests(async () => {
      const r = await kubectl(['exec', '-n', 'dev', 'jumpbox', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
    });
    assert.equal(seen.find((x) => x.websocket)?.websocket, 'v5.channel.k8s.io');
    assert.equal(
      await ok(['exec', '-i', '-n', 'dev', 'jumpbox', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'through stdin\n' }),
      'THROUGH STDIN\n',
    );
    const missing = await kubectl(['exec', '-n', 'dev', 'jumpbox', '--', 'no-such-binary']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /executable file not found in \$PATH/);
    const events = await ok([
      'get',
      'events',
      '-n',
      'dev',
      '--field-selector',
      'involvedObject.name=jumpbox',
      '-o',
      'jsonpath={.items[*].reason}',
    ]);
    assert.deepEqual(events.trim().split(' '), ['Scheduled', 'Pulled', 'Created', 'Started']);
    assert.equal((await ok(['delete', 'pod', 'jumpbox', '-n', 'dev'])).trim(), 'pod "jumpbox" deleted');
    assert.equal((await kubectl(['get', 'pod', 'jumpbox', '-n', 'dev'])).code, 1);
  });

  test('a pod whose image pull fails shows ImagePullBackOff and the x509 events a kubelet writes', async () => {
    await ok(['run', 'app', '-n', 'dev', '--image=127.0.0.1:8443/lab/app:1', '--restart=Never']);
    await ok([
      'wait',
      '--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ImagePullBackOff',
      'pod/app',
      '-n',
      'dev',
      '--timeout=20s',
    ]);
    assert.match(await ok(['get', 'pod', 'app', '-n', 'dev']), /^app\s+0\/1\s+ImagePullBackOff\s+0\s+/m);
    const described = await ok(['describe', 'pod', 'app', '-n', 'dev']);
    assert.match(
      described,
      /Warning\s+Failed\s+\S+\s+kubelet\s+Failed to pull image "127\.0\.0\.1:8443\/lab\/app:1": .*x509: certificate signed by unknown authority/,
    );
    assert.match(described, /Back-off pulling image/);
    await ok(['delete', 'pod', 'app', '-n', 'dev', '--wait=false']);
  });

  test('get -w streams changes as Table rows', async () => {
    await ok(['create', 'configmap', 'watched', '-n', 'prod']);
    const watching = kubectl(['get', 'cm', 'watched', '-n', 'prod', '-w', '--request-timeout=3s']);
    await new Promise((r) => setTimeout(r, 800));
    await ok(['label', 'cm', 'watched', '-n', 'prod', 'x=y']);
    const r = await watching;
    assert.equal(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('watched')).length,
      2,
      r.stdout + r.stderr,
    );
  });

  test('delete: a namespace takes its contents with it', async () => {
    await ok(['create', 'namespace', 'doomed']);
    await ok(['create', 'secret', 'generic', 's', '-n', 'doomed', '--from-literal=a=b']);
    assert.equal((await ok(['delete', 'namespace', 'doomed'])).trim(), 'namespace "doomed" deleted');
    assert.equal((await kubectl(['get', 'secret', 's', '-n', 'doomed'])).code, 1);
  });

  test('403 for a vSphere Namespace user outside their namespaces, 401 when the session expired', async () => {
    const denied = await kubectl(['get', 'cm', 'image-fetcher-ca-bundle', '-n', 'kube-system'], { who: 'devops' });
    assert.equal(denied.code, 1);
    assert.match(
      denied.stderr,
      /Error from server \(Forbidden\): configmaps "image-fetcher-ca-bundle" is forbidden: User "devops@vsphere.local" cannot get resource "configmaps" in API group "" in the namespace "kube-system"/,
    );
    const viewer = await kubectl(['create', 'secret', 'generic', 'v', '-n', 'dev', '--from-literal=a=b'], {
      who: 'viewer',
    });
    assert.match(viewer.stderr, /cannot create resource "secrets"/);
    assert.match(
      await ok(['get', 'secrets', '-n', 'dev', '-o', 'name'], { who: 'viewer' }),
      /dev-default-image-pull-secret/,
    );
    lab.supervisor.faults.expireTokens();
    try {
      const expired = await kubectl(['get', 'secrets', '-n', 'dev'], { who: 'devops' });
      assert.equal(expired.code, 1);
      assert.match(expired.stderr, /You must be logged in to the server/);
    } finally {
      lab.supervisor.faults.expireTokens(false);
    }
  });

  test('the kubeconfig is shaped like `kubectl vsphere login`: Supervisor, namespace and TKC contexts all answer', async () => {
    const ctxs = await ok(['config', 'get-contexts', '-o', 'name'], { who: 'devops' });
    assert.deepEqual(ctxs.trim().split('\n').sort(), ['127.0.0.1', 'dev', 'prod', 'tkc-1', 'vks-1']);
    assert.match(
      await ok(['--context', 'dev', 'get', 'sa', 'default', '-o', 'jsonpath={.imagePullSecrets[0].name}'], {
        who: 'devops',
      }),
      /^dev-default-image-pull-secret$/,
    );
    assert.match(
      await ok(['--context', 'tkc-1', 'get', 'ns', '-o', 'name'], { who: 'devops' }),
      /namespace\/kube-system/,
    );
    const cfg = fs.readFileSync(files.devops!, 'utf8');
    assert.match(cfg, /name: wcp:127\.0\.0\.1:devops@vsphere\.local/);
    assert.match(cfg, /name: wcp:127\.0\.0\.2:devops@vsphere\.local/);
  });

  test('cluster.x-k8s.io: get v1beta2 -A, a ClusterClass schema by jsonpath, apply accepted and refused by the webhook, patch --type merge', async () => {
    const table = await ok(['get', 'clusters.v1beta2.cluster.x-k8s.io', '-A']);
    assert.match(table, /^NAMESPACE\s+NAME\s+CLUSTERCLASS\s+PHASE\s+AGE\s+VERSION\n/);
    assert.match(
      table,
      /^prod\s+vks-1\s+builtin-generic-v3\.4\.0\s+Provisioned\s+\d+[sm]\s+v1\.33\.1---vmware\.1-vkr\.1$/m,
    );
    assert.equal(
      await ok([
        'get',
        'clusterclass',
        '-n',
        'vmware-system-vks-public',
        'builtin-generic-v3.4.0',
        '-o',
        'jsonpath={.status.variables[0].name}',
      ]),
      'osConfiguration',
    );
    const cluster = (name: string, caCert: string): string =>
      [
        'apiVersion: cluster.x-k8s.io/v1beta2',
        'kind: Cluster',
        `metadata: {name: ${name}, namespace: prod}`,
        'spec:',
        '  topology:',
        '    classRef: {name: builtin-generic-v3.4.0, namespace: vmware-system-vks-public}',
        '    version: v1.33.1---vmware.1-vkr.1',
        '    variables:',
        '    - name: osConfiguration',
        `      value: {trust: {additionalTrustedCAs: [{caCert: ${caCert}}]}}`,
        '',
      ].join('\n');
    const good = '{secretRef: {name: vks-2-user-trusted-ca-secret, key: harbor-ca}}';
    const seen = await requests(async () =>
      assert.equal(
        (await ok(['apply', '-f', '-'], { input: cluster('vks-2', good) })).trim(),
        'cluster.cluster.x-k8s.io/vks-2 created',
      ),
    );
    assert.ok(
      seen.some(
        (r) => r.method === 'POST' && r.url.startsWith('/apis/cluster.x-k8s.io/v1beta2/namespaces/prod/clusters'),
      ),
    );
    // With details.causes in the Status, kubectl words it itself: The <kind> "<name>" is invalid: <causes>.
    const denied = (name: string): RegExp =>
      new RegExp(
        `^The Cluster "${name}" is invalid: spec\\.topology\\.variables\\[osConfiguration\\]\\.value\\.trust\\.additionalTrustedCAs\\[0\\]\\.caCert\\.secretRef\\.key: Required value$`,
        'm',
      );
    const bad = await kubectl(['apply', '-f', '-'], { input: cluster('vks-bad', '{secretRef: {name: x}}') });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, denied('vks-bad'));
    assert.equal((await kubectl(['get', 'cluster', 'vks-bad', '-n', 'prod'])).code, 1);
    const rv = (
      await ok(['get', 'cluster', 'vks-2', '-n', 'prod', '-o', 'jsonpath={.metadata.resourceVersion}'])
    ).trim();
    const badUpdate = await kubectl(['apply', '-f', '-'], { input: cluster('vks-2', '{secretRef: {name: x}}') });
    assert.equal(badUpdate.code, 1);
    assert.match(badUpdate.stderr, denied('vks-2'));
    assert.equal(
      (await ok(['get', 'cluster', 'vks-2', '-n', 'prod', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim(),
      rv,
    );

    const vars = (caCert: unknown): string =>
      JSON.stringify({
        spec: {
          topology: {
            variables: [
              { name: 'vmClass', value: 'best-effort-small' },
              { name: 'osConfiguration', value: { trust: { additionalTrustedCAs: [{ caCert }] } } },
            ],
          },
        },
      });
    const patched = await requests(async () =>
      assert.equal(
        (
          await ok([
            'patch',
            'cluster',
            'vks-1',
            '-n',
            'prod',
            '--type',
            'merge',
            '-p',
            vars({ secretRef: { name: 's', key: 'k' } }),
          ])
        ).trim(),
        'cluster.cluster.x-k8s.io/vks-1 patched',
      ),
    );
    const patch = patched.find((r) => r.method === 'PATCH');
    assert.match(patch?.url ?? '', /^\/apis\/cluster\.x-k8s\.io\/v1beta2\/namespaces\/prod\/clusters\/vks-1/);
    assert.equal(patch?.contentType, 'application/merge-patch+json');
    assert.equal(
      await ok([
        'get',
        'clusters.v1beta1.cluster.x-k8s.io',
        'vks-1',
        '-n',
        'prod',
        '-o',
        'jsonpath={.spec.topology.class} {.spec.topology.classNamespace} {.spec.topology.variables[1].value.trust.additionalTrustedCAs[0].caCert.secretRef.key}',
      ]),
      'builtin-generic-v3.4.0 vmware-system-vks-public k',
    );
    const both = await kubectl([
      'patch',
      'cluster',
      'vks-1',
      '-n',
      'prod',
      '--type',
      'merge',
      '-p',
      vars({ content: 'x', secretRef: { name: 's', key: 'k' } }),
    ]);
    assert.equal(both.code, 1);
    assert.match(
      both.stderr,
      /^The Cluster "vks-1" is invalid: .*caCert: Invalid value: .*must validate one and only one schema \(oneOf\)/m,
    );
    const empty = await kubectl([
      'patch',
      'cluster',
      'vks-1',
      '-n',
      'prod',
      '--type',
      'merge',
      '-p',
      '{"spec":{"topology":{"variables":[]}}}',
    ]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /spec\.topology\.variables in body should have at least 1 items/);
  });

  test('Harbor as a Supervisor Service is found by label; the VCF-CLI kubeconfig answers in each of its contexts', async () => {
    assert.equal(
      (
        await ok(['get', 'ns', '-l', 'appplatform.vmware.com/serviceId=harbor', '-o', 'name'], { who: 'devops' })
      ).trim(),
      'namespace/svc-harbor-domain-c8',
    );
    assert.equal(
      (
        await ok(['get', 'secret', '-n', 'svc-harbor-domain-c8', '-l', 'managed-by=vmware-vRegistry', '-o', 'name'])
      ).trim(),
      'secret/harbor-tls',
    );
    const vcf = writeKubeconfig(dir, lab.vcfKubeconfig('devops'), 'vcf.kubeconfig');
    const run = (args: string[]): Promise<Result> =>
      exec(
        'kubectl',
        ['--kubeconfig', vcf, '--cache-dir', path.join(dir, `cache-${n++}`), ...args],
        baseEnv({ HOME: dir }),
      );
    const ctxs = await run(['config', 'get-contexts', '-o', 'name']);
    assert.deepEqual(ctxs.stdout.trim().split('\n'), [
      'lab',
      'lab:dev',
      'lab:prod',
      'lab:svc-harbor-domain-c8',
      'lab:tkc-1',
    ]);
    assert.equal((await run(['config', 'current-context'])).stdout.trim(), 'lab:dev');
    const sa = await run(['get', 'sa', 'default', '-o', 'jsonpath={.imagePullSecrets[0].name}']);
    assert.equal(sa.stdout, 'dev-default-image-pull-secret', sa.stderr);
    const tkc = await run(['--context', 'lab:tkc-1', 'get', 'ns', '-o', 'name']);
    assert.match(tkc.stdout, /namespace\/kube-system/, tkc.stderr);
    const svc = await run(['--context', 'lab:svc-harbor-domain-c8', 'get', 'secret', 'harbor-tls']);
    assert.equal(svc.code, 1);
    assert.match(svc.stderr, /cannot get resource "secrets" in API group "" in the namespace "svc-harbor-domain-c8"/);
  });

  test('npm run lab:apiserver serves the fixtures standalone and prints the kubeconfig path', async () => {
    const standalone = path.join(dir, 'standalone');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'lab/apiserver/cli.ts'), '--dir', standalone],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const kubeconfig = line.toString().trim();
      assert.equal(kubeconfig, path.join(standalone, 'kubeconfig'));
      assert.equal(fs.statSync(kubeconfig).mode & 0o777, 0o600);
      const r = await exec(
        'kubectl',
        [
          '--kubeconfig',
          path.join(standalone, 'admin.kubeconfig'),
          '--cache-dir',
          path.join(dir, 'standalone-cache'),
          'get',
          'secrets',
          '-A',
        ],
        baseEnv({ HOME: dir }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^prod\s+prod-default-image-pull-secret\s+kubernetes\.io\/dockerconfigjson/m);
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    }
  });
});
