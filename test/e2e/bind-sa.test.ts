// `kubectl harbor bind-sa`, the built plugin against the API emulator (shaped like a
// Supervisor), read back with the real kubectl.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { V1ServiceAccount } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { bindServiceAccount } from '../../src/kube/serviceaccounts.js';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

describe('kubectl harbor bind-sa', () => {
  const h = e2e('bindsa');
  const secret = (ns: string, name: string) =>
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
  const fx = supervisorFixture(h, { namespaces: ['dev', 'prod', 'locked', 'shapes'] }, (sup) => {
    sup.users.devops.rules = [
      { verbs: ['*'], resources: ['*'], namespaces: ['dev', 'prod', 'shapes'] },
      { verbs: ['get', 'list'], resources: ['namespaces'] },
    ];
  });
  const harbor = (args: string[], who: 'admin' | 'devops' = 'devops', input?: string): Promise<Result> =>
    h.harbor(args, { kubeconfig: fx.kubeconfigs[who], input });
  const kubectl = (args: string[], input?: string): Promise<Result> =>
    h.kubectl(args, { kubeconfig: fx.kubeconfigs.admin, input });
  const names = async (ns: string, sa = 'default'): Promise<string> =>
    (await kubectl(['get', 'sa', sa, '-n', ns, '-o', 'jsonpath={.imagePullSecrets[*].name}'])).stdout;

  before(() => {
    for (const ns of ['dev', 'prod', 'locked', 'shapes']) secret(ns, 'harbor-pull');
    secret('dev', 'mirror-pull');
  });

  test('the Supervisor default ServiceAccount keeps <ns>-default-image-pull-secret first; a re-run writes nothing', async () => {
    const r = await harbor(['bind-sa', 'harbor-pull']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'serviceaccount/default bound\n');
    assert.equal(await names('dev'), 'dev-default-image-pull-secret harbor-pull');
    const rv = fx.sup.supervisor.get('v1', 'serviceaccounts', 'dev', 'default')!.metadata.resourceVersion;
    const again = await harbor(['bind-sa', 'harbor-pull']);
    assert.equal(again.stdout, 'serviceaccount/default unchanged\n');
    assert.equal(fx.sup.supervisor.get('v1', 'serviceaccounts', 'dev', 'default')!.metadata.resourceVersion, rv);
  });

  test('absent, null and duplicate imagePullSecrets are handled; nothing is dropped', async () => {
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'absent', namespace: 'shapes' },
    });
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'nulled', namespace: 'shapes' },
      imagePullSecrets: null,
    });
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'dups', namespace: 'shapes' },
      imagePullSecrets: [{ name: 'a' }, { name: 'a' }, { name: 'harbor-pull' }],
    });
    const r = await harbor(['bind-sa', 'harbor-pull', 'absent', 'nulled', 'dups', '-n', 'shapes']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'serviceaccount/absent bound',
      'serviceaccount/nulled bound',
      'serviceaccount/dups unchanged',
    ]);
    assert.equal(await names('shapes', 'absent'), 'harbor-pull');
    assert.equal(await names('shapes', 'nulled'), 'harbor-pull');
    assert.equal(await names('shapes', 'dups'), 'a a harbor-pull');
  });

  test('several secrets, every ServiceAccount (--all-service-accounts), --create for a dedicated one', async () => {
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace: 'dev' },
      imagePullSecrets: [{ name: 'keep-me' }],
    });
    const r = await harbor([
      'bind-sa',
      '--secret',
      'harbor-pull',
      '--secret',
      'mirror-pull',
      '--all-service-accounts',
      '-n',
      'dev',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await names('dev', 'builder'), 'keep-me harbor-pull mirror-pull');
    assert.equal(await names('dev'), 'dev-default-image-pull-secret harbor-pull mirror-pull');
    const missing = await harbor(['bind-sa', 'harbor-pull', 'deployer', 'default', '-n', 'prod']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /serviceaccount\/deployer in namespace "prod" does not exist; pass --create/);
    assert.equal(missing.stdout, 'serviceaccount/default bound\n', 'the others still proceed');
    const created = await harbor(['bind-sa', 'harbor-pull', 'deployer', '--create', '-n', 'prod']);
    assert.equal(created.stdout, 'serviceaccount/deployer created\n', created.stderr);
    assert.equal(await names('prod', 'deployer'), 'harbor-pull');
  });

  test('a missing secret is an error unless --allow-missing-secret', async () => {
    const r = await harbor(['bind-sa', 'not-yet', '-n', 'prod']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /secret "not-yet" not found in namespace "prod"; log in first/);
    const ok = await harbor(['bind-sa', 'not-yet', '-n', 'prod', '--allow-missing-secret']);
    assert.equal(ok.stdout, 'serviceaccount/default bound\n', ok.stderr);
    await harbor(['bind-sa', 'not-yet', '-n', 'prod', '--unbind']);
  });

  test('a 403 in one namespace lets the others finish; exit 1 and a summary', async () => {
    const r = await harbor(['bind-sa', 'harbor-pull', '--namespaces', 'dev,locked,prod']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /is forbidden: User "devops@vsphere\.local" cannot get resource "secrets" in API group "" in the namespace "locked"/,
    );
    assert.match(r.stderr, /bind-sa: 3 ServiceAccounts in 3 namespaces: 2 unchanged, 1 failed \(locked\)/);
  });

  test('--unbind removes only the named secret and round-trips', async () => {
    const before = await names('dev');
    assert.equal((await harbor(['bind-sa', 'mirror-pull', '--unbind'])).stdout, 'serviceaccount/default unbound\n');
    assert.equal(await names('dev'), 'dev-default-image-pull-secret harbor-pull');
    assert.equal((await harbor(['bind-sa', 'mirror-pull', '--unbind'])).stdout, 'serviceaccount/default unchanged\n');
    await harbor(['bind-sa', 'mirror-pull']);
    assert.equal(await names('dev'), before);
  });

  test('-A skips kube-* and vmware-system-* unless --include-system; -o name', async () => {
    for (const ns of ['kube-system', 'vmware-system-tkg', 'vmware-system-registry']) secret(ns, 'harbor-pull');
    const r = await harbor(['bind-sa', 'harbor-pull', '-A', '-o', 'name'], 'admin');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 4, r.stdout);
    assert.equal(await names('kube-system'), '');
    const sys = await harbor(['bind-sa', 'harbor-pull', '-A', '--include-system', '-o', 'name'], 'admin');
    assert.equal(sys.code, 0, sys.stderr);
    assert.equal(await names('kube-system'), 'harbor-pull');
  });

  test('--dry-run=client -o yaml carries the resourceVersion: apply works, or fails with a Conflict instead of dropping a new entry', async () => {
    const dry = await harbor([
      'bind-sa',
      'late-pull',
      '-n',
      'prod',
      '--allow-missing-secret',
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /resourceVersion: "\d+"/);
    assert.doesNotMatch(await names('prod'), /late-pull/, 'nothing written');
    // Another writer adds an entry in between: applying the stale preview must not drop it.
    await kubectl([
      'patch',
      'sa',
      'default',
      '-n',
      'prod',
      '--type',
      'json',
      '-p',
      '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"other-writer"}}]',
    ]);
    const stale = await kubectl(['apply', '-f', '-'], dry.stdout);
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /Conflict|the object has been modified/);
    assert.match(await names('prod'), /other-writer/);
    const fresh = await harbor([
      'bind-sa',
      'late-pull',
      '-n',
      'prod',
      '--allow-missing-secret',
      '--dry-run=client',
      '-o',
      'yaml',
    ]);
    const applied = await kubectl(['apply', '-f', '-'], fresh.stdout);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(await names('prod'), /other-writer late-pull$/);
    const server = await harbor(['bind-sa', 'harbor-pull', 'absent', '-n', 'shapes', '--unbind', '--dry-run=server']);
    assert.equal(server.stdout, 'serviceaccount/absent unbound (server dry run)\n');
    assert.equal(await names('shapes', 'absent'), 'harbor-pull');
  });

  test('races: two concurrent binders and a 409 storm, 100 rounds in-process and 5 through the plugin: no entry lost', async () => {
    const client = new KubeClient(
      resolveTarget({ kubeconfig: fx.kubeconfigs.admin, context: 'dev' }, { env: {}, homedir: h.home }),
      { timeoutMs: 10_000 },
    );
    try {
      for (let round = 0; round < 100; round++) {
        const sa = `race-${round}`;
        fx.sup.supervisor.seed({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: sa, namespace: 'dev' },
          imagePullSecrets: [{ name: 'dev-default-image-pull-secret' }],
        });
        if (round % 3 === 0) fx.sup.supervisor.faults.conflicts(2, { resource: 'serviceaccounts', name: sa });
        await Promise.all([
          bindServiceAccount(client, 'dev', sa, [`a-${round}`]),
          bindServiceAccount(client, 'dev', sa, [`b-${round}`]),
          bindServiceAccount(client, 'dev', sa, [`a-${round}`, `c-${round}`]),
        ]);
        const got = (await client.rest<V1ServiceAccount>('GET', `/api/v1/namespaces/dev/serviceaccounts/${sa}`))
          .imagePullSecrets!.map((e) => e.name)
          .sort();
        assert.deepEqual(
          got,
          [`a-${round}`, `b-${round}`, `c-${round}`, 'dev-default-image-pull-secret'].sort(),
          `round ${round}`,
        );
      }
    } finally {
      client.close();
    }
    for (let round = 0; round < 5; round++) {
      const sa = `proc-race-${round}`;
      fx.sup.supervisor.seed({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: sa, namespace: 'dev' },
        imagePullSecrets: [{ name: 'dev-default-image-pull-secret' }],
      });
      fx.sup.supervisor.faults.conflicts(2, { resource: 'serviceaccounts', name: sa });
      const [x, y] = await Promise.all([
        harbor(['bind-sa', 'harbor-pull', sa]),
        harbor(['bind-sa', 'mirror-pull', sa]),
      ]);
      assert.equal(x.code + y.code, 0, x.stderr + y.stderr);
      const got = (await names('dev', sa)).split(' ');
      assert.equal(got[0], 'dev-default-image-pull-secret', 'the Supervisor entry stays first');
      assert.deepEqual([...got].sort(), ['dev-default-image-pull-secret', 'harbor-pull', 'mirror-pull']);
    }
  });

  test('usage errors: no secret, names and --all-service-accounts together, a bad name', async () => {
    assert.equal((await harbor(['bind-sa'])).code, 2);
    assert.equal((await harbor(['bind-sa', 'x', 'sa1', '--all-service-accounts'])).code, 2);
    const bad = await harbor(['bind-sa', 'Bad_Name']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"Bad_Name" is not a valid Kubernetes name/);
  });
});
