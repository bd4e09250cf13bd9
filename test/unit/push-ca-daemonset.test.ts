// push-ca --via daemonset, in-process: the image choice, the DaemonSet it applies, how a
// node's result is read from its pod (log line, else status), PodSecurity refusals and
// warnings, which kubeconfig context reaches a cluster, and every bad flag refused (exit 2)
// before any file, network or API access.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { chooseImage } from '../../src/app/push-ca-daemonset.js';
import {
  daemonSet,
  instanceId,
  pickImage,
  repositoryOf,
  runSelector,
} from '../../src/app/push-ca-daemonset-manifest.js';
import { parseLog, podSecurityRefusal, podState } from '../../src/app/push-ca-daemonset-results.js';
import { clusterContexts, targetFromKubeconfig } from '../../src/kube/cluster-access.js';
import { warningsOf } from '../../src/kube/daemonset.js';
import { clusterNode, type ClusterNode } from '../../src/kube/nodes.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';
import { makeCa } from '../../lab/pki.js';

const ANTREA = 'localhost:5000/vmware.io/antrea/antrea-agent-ubuntu:v1.11.1_vmware.4';
const PAUSE = 'localhost:5000/vmware.io/pause:3.9';
const node = (name: string, images: string[]): ClusterNode => ({ name, role: 'node', ip: '10.0.0.1', images });

test('pickImage: a known shell image every node holds, by tag before digest; none when one node lacks it', () => {
  assert.equal(repositoryOf(ANTREA), 'antrea-agent-ubuntu');
  assert.equal(repositoryOf('reg:5000/a/busybox@sha256:ab'), 'busybox');
  const digest = 'localhost:5000/vmware.io/antrea/antrea-agent-ubuntu@sha256:00';
  const nodes = [node('a', [PAUSE, digest, ANTREA]), node('b', [ANTREA, digest])];
  assert.equal(pickImage(nodes), ANTREA);
  assert.equal(pickImage([...nodes, node('c', [PAUSE])]), undefined);
  assert.equal(pickImage([node('a', [PAUSE])]), undefined);
  assert.deepEqual(chooseImage({ image: 'reg/x:1', cluster: 'c' }, []), {
    image: 'reg/x:1',
    pullPolicy: 'IfNotPresent',
  });
  assert.deepEqual(chooseImage({ image: undefined, cluster: 'c' }, nodes), { image: ANTREA, pullPolicy: 'Never' });
  assert.throws(
    () => chooseImage({ image: undefined, cluster: 'tkc-1' }, [node('a', [PAUSE])]),
    /no image with a shell is on every node of cluster "tkc-1" .*pass --image REF from a registry the nodes already trust/,
  );
});

test('clusterNode: role from the control-plane label, InternalIP, every image name', () => {
  const n = clusterNode({
    metadata: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    status: {
      addresses: [
        { type: 'Hostname', address: 'cp-1' },
        { type: 'InternalIP', address: '10.0.0.5' },
      ],
      images: [{ names: [ANTREA, 'x@sha256:1'], sizeBytes: 1 }],
    },
  });
  assert.deepEqual(n, { name: 'cp-1', role: 'controlplane', ip: '10.0.0.5', images: [ANTREA, 'x@sha256:1'] });
});

test('daemonSet: kube-system, managed-by label, every taint tolerated, narrow hostPaths, Never pull, no token', () => {
  const ds = daemonSet({
    id: instanceId('harbor.example.com-8443'),
    purpose: 'install',
    host: 'harbor.example.com:8443',
    image: ANTREA,
    pullPolicy: 'Never',
    pullSecrets: [],
    run: 'r1',
    env: { MODE: 'install', HOST: 'harbor.example.com:8443' },
    script: 'echo',
  });
  assert.equal(ds.metadata?.name, 'kubectl-harbor-ca-harbor-example-com-8443');
  assert.equal(ds.metadata?.namespace, 'kube-system');
  assert.equal(ds.metadata?.labels?.['app.kubernetes.io/managed-by'], 'kubectl-harbor');
  const pod = ds.spec!.template.spec!;
  assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.hostPID, undefined);
  assert.deepEqual(
    pod.volumes?.map((v) => [v.hostPath?.path, v.hostPath?.type]),
    [
      ['/etc/containerd/certs.d', 'DirectoryOrCreate'],
      ['/etc/containerd/config.toml', 'File'],
      ['/var/backups/kubectl-harbor', 'DirectoryOrCreate'],
    ],
  );
  const c = pod.containers[0]!;
  assert.equal(c.imagePullPolicy, 'Never');
  assert.equal(c.securityContext?.privileged, undefined);
  assert.ok(c.volumeMounts?.find((m) => m.mountPath === '/etc/containerd/config.toml')?.readOnly);
  assert.equal(ds.spec!.template.metadata?.labels?.['kubectl-harbor/run'], 'r1');
  assert.equal(
    runSelector('x', 'install', 'r1'),
    'app.kubernetes.io/name=kubectl-harbor-ca,app.kubernetes.io/instance=x,app.kubernetes.io/component=install,kubectl-harbor/run=r1',
  );
  const restart = daemonSet({
    ...{ id: 'x', host: 'h', image: 'i', pullPolicy: 'Never', pullSecrets: ['p'], run: 'r', env: {}, script: 's' },
    purpose: 'restart',
    node: 'n1',
  });
  assert.equal(restart.metadata?.name, 'kubectl-harbor-ca-x-restart');
  assert.equal(restart.spec!.template.spec!.hostPID, true);
  assert.equal(restart.spec!.template.spec!.containers[0]!.securityContext?.privileged, true);
  assert.deepEqual(restart.spec!.template.spec!.nodeSelector, { 'kubernetes.io/hostname': 'n1' });
  assert.deepEqual(restart.spec!.template.spec!.imagePullSecrets, [{ name: 'p' }]);
});

test('instanceId: a DNS label; long or odd CA names are cut and hashed, never colliding silently', () => {
  assert.equal(instanceId('Harbor_Lab.example'), 'harbor-lab-example');
  const long = instanceId('a'.repeat(80));
  assert.ok(long.length <= 36 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
  assert.notEqual(instanceId(`${'a'.repeat(80)}1`), long);
});

test('parseLog: the last RESULT or FAILED line; anything else is a failure, not a guess', () => {
  assert.deepEqual(parseLog('x\nRESULT installed no yes containerd-certs.d\n'), {
    result: 'installed',
    restarted: false,
    verified: 'yes',
    changes: ['containerd-certs.d'],
  });
  assert.equal(parseLog('RESULT needs-restart no unknown none')?.result, 'needs-restart');
  assert.equal(parseLog('RESULT installed yes yes photon-rehash')?.restarted, true);
  assert.deepEqual(
    parseLog('FAILED cannot write /etc/containerd/certs.d/h')?.error,
    'cannot write /etc/containerd/certs.d/h',
  );
  assert.match(parseLog('RESULT exploded no yes none')?.error ?? '', /unexpected result line/);
  assert.equal(parseLog('starting\n'), undefined);
});

test('podState: ErrImageNeverPull and StartError fail at once; Pending and ContainerCreating wait', () => {
  const pod = (status: V1Pod['status']): V1Pod => ({ status });
  const never = podState(
    pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'ca',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ErrImageNeverPull',
              message: 'Container image "x" is not present with pull policy of Never',
            },
          },
        },
      ],
    }),
  );
  assert.deepEqual(never, {
    started: false,
    problem: { reason: 'ErrImageNeverPull: Container image "x" is not present with pull policy of Never', final: true },
  });
  const ended = podState(
    pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'ca',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 1,
          state: { terminated: { exitCode: 128, reason: 'StartError', message: 'exec: "/bin/sh": no such file' } },
        },
      ],
    }),
  );
  assert.equal(ended.problem?.final, true);
  assert.match(ended.problem?.reason ?? '', /StartError 128.*\/bin\/sh/);
  assert.deepEqual(podState(pod({ phase: 'Pending' })), {
    started: false,
    problem: { reason: 'Pending', final: false },
  });
  const creating = podState(
    pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'ca',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    }),
  );
  assert.equal(creating.problem?.final, false);
  assert.equal(
    podState(
      pod({
        phase: 'Running',
        containerStatuses: [
          { name: 'ca', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        ],
      }),
    ).started,
    true,
  );
});

test('PodSecurity: the FailedCreate message is recognised; 299 warnings are read from the header', () => {
  assert.equal(
    podSecurityRefusal([
      'Error creating: pods "kubectl-harbor-ca-x-abcde" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volumes "certs-d")',
    ]),
    'violates PodSecurity "baseline:latest": hostPath volumes (volumes "certs-d")',
  );
  assert.equal(podSecurityRefusal(['Error creating: insufficient quota']), undefined);
  assert.deepEqual(
    warningsOf({
      warning: '299 - "would violate PodSecurity \\"restricted:latest\\": hostPath volumes", 299 - "second"',
    }),
    ['would violate PodSecurity "restricted:latest": hostPath volumes', 'second'],
  );
  assert.deepEqual(warningsOf(undefined), []);
});

test('clusterContexts: the context kubectl vsphere login names after the cluster, then VCF CLI CTX:<cluster>', () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'sup', server: 'https://10.0.0.1:6443', skipTLSVerify: false },
      { name: 'tkc', server: 'https://10.0.0.2:6443', skipTLSVerify: false },
    ],
    users: [{ name: 'u' }],
    contexts: [
      { name: 'lab', cluster: 'sup', user: 'u' },
      { name: 'lab:dev', cluster: 'sup', user: 'u', namespace: 'dev' },
      { name: 'lab:tkc-1', cluster: 'tkc', user: 'u' },
      { name: 'other', cluster: 'sup', user: 'u' },
    ],
    currentContext: 'lab:dev',
  });
  assert.deepEqual(clusterContexts(kc, 'tkc-1'), ['lab:tkc-1']);
  assert.deepEqual(clusterContexts(kc, 'dev'), [], 'a namespace context is not a cluster');
  assert.deepEqual(clusterContexts(kc, 'nope'), []);
  kc.contexts.push({ name: 'tkc-1', cluster: 'tkc', user: 'u' });
  assert.deepEqual(clusterContexts(kc, 'tkc-1'), ['tkc-1', 'lab:tkc-1']);
});

test('targetFromKubeconfig: the secret kubeconfig current context; garbage is one line', () => {
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "https://10.0.0.2:6443"}}]',
    'users: [{name: a, user: {token: t}}]',
    'contexts: [{name: a@c, context: {cluster: c, user: a}}]',
    'current-context: a@c',
  ].join('\n');
  const t = targetFromKubeconfig(text, 'secret/tkc-1-kubeconfig');
  assert.equal(t.contextName, 'a@c');
  assert.equal(t.cluster.server, 'https://10.0.0.2:6443');
  assert.throws(
    () => targetFromKubeconfig('kind: Config\n', 'secret/x'),
    /secret\/x holds a kubeconfig without a usable current context/,
  );
});

const caFile = (): string => {
  const f = path.join(tempDir('ds-ca-'), 'ca.crt');
  fs.writeFileSync(f, makeCa('unit').certPem);
  return f;
};

test('bad flags with --via daemonset: exit 2, one line, before any I/O', async () => {
  const ca = caFile();
  const base = ['push-ca', 'tkc-1', '--via', 'daemonset', '--registry', 'h.example.com'];
  const cases: Array<[string[], RegExp]> = [
    [[...base, '--ca-file', ca, '--nodes', 'n1'], /--nodes, --role and --restart are for --via jumpbox\|direct/],
    [[...base, '--ca-file', ca, '--restart', 'never'], /--restart are for --via jumpbox/],
    [[...base, '--ca-file', ca, '--timeout', '1s'], /--timeout "1s" must be a duration of at least 10s/],
    [[...base], /say where the CA comes from/],
    [[...base, '--remove', '--keep'], /--remove takes neither --allow-restart nor --keep/],
    [[...base, '--ca-file', ca, '--image='], /--image needs a value/],
    [
      ['push-ca', 'tkc-1', '--ca-file', ca, '--registry', 'h', '--remove'],
      /--remove, --allow-restart and --timeout go with --via daemonset/,
    ],
  ];
  for (const [argv, want] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);
  }
});

test('--dry-run with --image prints the DaemonSet for kubectl apply -f -, without touching any cluster', async () => {
  const ca = caFile();
  const r = await cli([
    'push-ca',
    'tkc-1',
    '--via',
    'daemonset',
    '--ca-file',
    ca,
    '--registry',
    'h.example.com:8443',
    '--image',
    'reg/busybox:1',
    '--dry-run',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const ds = JSON.parse(r.stdout);
  assert.equal(ds.kind, 'DaemonSet');
  assert.equal(ds.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  const env = Object.fromEntries(
    ds.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assert.equal(env.HOST, 'h.example.com:8443');
  assert.match(env.CA, /BEGIN CERTIFICATE/);
  const rm = await cli([
    'push-ca',
    'tkc-1',
    '--via',
    'daemonset',
    '--registry',
    'h.example.com:8443',
    '--image',
    'reg/busybox:1',
    '--remove',
    '--dry-run',
  ]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /name: kubectl-harbor-ca-h-example-com-8443-remove/);
  assert.match(rm.stdout, /value: remove/);
});
