// `kubectl harbor doctor` (issue 18) against the Supervisor emulator (vSphere Pods, whose
// kubelet pulls through the lab's image fetcher: TLS against image-fetcher-ca-bundle as it is
// now, the pod's pull secrets presented to the lab Harbor, a failed pull retried after a
// back-off) and the shared lab Harbor: each misconfiguration is made for real, doctor names its
// code and a complete fix, and where the fix is a command every printed line is run exactly as
// printed (`sh -c`, a password only on stdin), then the pod pulls: the same pod at its next
// retry when the fix rewrote its own pull secret, else a fresh pod. doctor only ever reads.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { imageFetcher } from '../../lab/apiserver/pullers.js';
import { dockerConfig } from '../../lab/apiserver/supervisor.js';
import type { Obj } from '../../lab/apiserver/types.js';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import { PLUGIN, type Result } from '../helpers/run.js';

interface Finding {
  code: string;
  severity: string;
  evidence: string;
  fix: string[];
}
interface Pod {
  namespace: string;
  name: string;
  image: string;
  node: string;
  nodeKind: string;
  findings: Finding[];
}

// Robots are named after the namespace by the printed fix: a suffix per run keeps the shared Harbor's names apart.
const RUN = crypto.randomBytes(2).toString('hex');
const N = Object.fromEntries(
  ['proj', 'ca', 'none', 'unbound', 'host', 'bad', 'sabad', 'perm', 'old', 'tag', 'img'].map((x) => [
    x,
    `dr-${x}-${RUN}`,
  ]),
) as Record<'proj' | 'ca' | 'none' | 'unbound' | 'host' | 'bad' | 'sabad' | 'perm' | 'old' | 'tag' | 'img', string>;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kubectl harbor doctor', needsLab, () => {
  const h = e2e('doctor');
  const lab = labFixture(h);
  const bundle = (): string =>
    String(fx.sup.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')?.data?.['ca-bundle']);
  const setBundle = (pem: string): void => {
    fx.sup.supervisor.registry.mutate(
      fx.sup.supervisor.type('configmaps'),
      'kube-system',
      'image-fetcher-ca-bundle',
      (c) => {
        c.data = { 'ca-bundle': pem };
      },
    );
  };
  // The namespaces' own Supervisor pull secrets name another registry: each case seeds its own.
  // The bundle holds the lab CA, so only the fault under test remains (ca-untrusted takes it out).
  const fx = supervisorFixture(
    h,
    () => ({
      harbor: 'harbor.invalid:8443',
      namespaces: Object.values(N),
      server: {
        kubelet: {
          startDelayMs: 20,
          retryMs: 250,
          pull: imageFetcher({ hosts: [lab.info.harbor.replace(/:\d+$/, '')], bundle }),
        },
      },
    }),
    (sup) => setBundle(`${sup.existingCa.certPem}${fs.readFileSync(lab.info.ca, 'utf8')}`),
  );
  const admin = (): string => lab.info.harborAdmin;
  const seedSecret = (ns: string, name: string, key: string, user: string, password: string, extra = {}): void => {
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns, ...extra },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(dockerConfig(key, user, password)) },
    });
  };
  const seedPod = (ns: string, name: string, image: string, secrets: string[] = []): void => {
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: {
        containers: [{ name: 'app', image }],
        ...(secrets.length ? { imagePullSecrets: secrets.map((x) => ({ name: x })) } : {}),
      },
    });
  };
  /** Until the kubelet has tried (running: until it runs): the pod as stored then. */
  const settled = async (ns: string, name: string, running = false): Promise<Obj> => {
    for (let i = 0; i < 300; i++) {
      const p = fx.sup.supervisor.get('v1', 'pods', ns, name);
      if (p?.status?.phase === 'Running' || (!running && p?.status?.containerStatuses?.[0]?.state?.waiting)) return p;
      await wait(50);
    }
    throw new Error(`pod ${ns}/${name} never ${running ? 'ran' : 'settled'}`);
  };
  /** A pod that fails to pull for real, waited for. */
  const failing = async (ns: string, name: string, image: string, secrets: string[] = []): Promise<void> => {
    seedPod(ns, name, image, secrets);
    const p = await settled(ns, name);
    assert.notEqual(p.status.phase, 'Running', `${ns}/${name} pulled before the fix`);
  };
  const doctor = async (args: string[]): Promise<{ r: Result; pods: Pod[] }> => {
    const r = await h.harbor(['doctor', ...args, '-o', 'json'], { kubeconfig: fx.kubeconfigs.admin });
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return { r, pods: (JSON.parse(r.stdout) as { pods: Pod[] }).pods };
  };
  /** The one finding of the one pod; its fix is a complete command (no placeholder). */
  const only = async (args: string[], code: string): Promise<Finding> => {
    const { r, pods } = await doctor(args);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(pods.length, 1, r.stdout);
    assert.equal(pods[0]!.nodeKind, 'vsphere-pod');
    const f = pods[0]!.findings;
    assert.deepEqual(
      f.map((x) => x.code),
      [code],
      r.stdout,
    );
    assert.equal(f[0]!.severity, 'error');
    for (const line of f[0]!.fix) assert.doesNotMatch(line, /<|…|\.\.\./, line);
    return f[0]!;
  };
  /**
   * Every printed line, run exactly as printed by a shell (kubectl with the built plugin on PATH,
   * the admin kubeconfig); a line that asks for a password on stdin is given `password` there.
   */
  const sh = (line: string, input?: string): Promise<Result> =>
    h.run('sh', ['-c', line], {
      kubeconfig: fx.kubeconfigs.admin,
      // This workstation trusts the lab CA (as after `trust --from-registry … --local`).
      extra: { PATH: `${path.dirname(PLUGIN)}${path.delimiter}${process.env.PATH}`, SSL_CERT_FILE: lab.info.ca },
      ...(input === undefined ? {} : { input }),
    });
  const runFix = async (fix: string[], password?: string): Promise<void> => {
    for (const line of fix) {
      assert.doesNotMatch(line, /^#/, 'advice, not a command');
      const stdin = /--password-stdin/.test(line);
      assert.ok(!stdin || password !== undefined, `${line}: needs a password on stdin`);
      const r = await sh(line, stdin ? `${password}\n` : undefined);
      assert.equal(r.code, 0, `${line}: ${r.stderr}`);
    }
  };
  const secretData = (ns: string, name: string): unknown =>
    fx.sup.supervisor.get('v1', 'secrets', ns, name)?.data?.['.dockerconfigjson'];
  const adminPassword = (): string => lab.info.users[admin()]!;

  test('ca-untrusted: the bundle without the lab CA; the printed trust --supervisor makes a fresh pod pull', async () => {
    const full = bundle();
    setBundle(fx.sup.existingCa.certPem);
    try {
      seedSecret(N.ca, 'harbor-lab', lab.info.harbor, admin(), adminPassword());
      await failing(N.ca, 'web', lab.info.image, ['harbor-lab']);
      const f = await only(['web', '-n', N.ca], 'ca-untrusted');
      assert.match(
        f.evidence,
        /image-fetcher-ca-bundle.*the node reported: .*x509: certificate signed by unknown authority/,
      );
      assert.equal(f.fix.length, 1);
      assert.match(
        f.fix[0]!,
        new RegExp(
          `^kubectl harbor trust --supervisor --from-registry ${lab.info.harbor} --fingerprint sha256:[0-9a-f]{64}$`,
        ),
      );
      await runFix(f.fix);
      assert.match(bundle(), /BEGIN CERTIFICATE[\s\S]*BEGIN CERTIFICATE/, 'trust added the lab CA');
      seedPod(N.ca, 'web-2', lab.info.image, ['harbor-lab']);
      await settled(N.ca, 'web-2', true);
      const { r, pods } = await doctor(['web-2', '-n', N.ca]);
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(pods[0]!.findings, []);
    } finally {
      setBundle(full);
    }
  });

  test('no-credentials: no pull secret of the pod nor its ServiceAccount; the printed robot create (admin password on stdin), then the pod made again as printed: it pulls', async () => {
    await failing(N.none, 'web', lab.info.image);
    const before = fx.sup.supervisor.get('v1', 'pods', N.none, 'web')!.metadata.uid;
    const f = await only(['web', '-n', N.none], 'no-credentials');
    assert.deepEqual(f.fix, [
      `kubectl harbor robot create ${lab.info.harbor} --project lab --name ${N.none} -n ${N.none} --bind-sa default -u admin --password-stdin  # the password of admin on stdin`,
      `kubectl get pod web -n ${N.none} -o yaml | kubectl replace --force -f -`,
    ]);
    await runFix(f.fix, adminPassword());
    const p = await settled(N.none, 'web', true);
    assert.notEqual(p.metadata.uid, before, 'a new pod of the same spec (no controller to make one)');
  });

  test('sa-unbound: found without naming the pod; bind-sa and the pod made again as printed: it pulls', async () => {
    seedSecret(N.unbound, 'harbor-lab', lab.info.harbor, admin(), adminPassword(), {
      labels: { 'app.kubernetes.io/managed-by': 'kubectl-harbor' },
    });
    seedPod(N.unbound, 'ok-fine', lab.info.publicImage);
    await failing(N.unbound, 'web', lab.info.image);
    await settled(N.unbound, 'ok-fine', true);
    const before = fx.sup.supervisor.get('v1', 'pods', N.unbound, 'web')!.metadata.uid;
    const f = await only(['-n', N.unbound], 'sa-unbound');
    assert.deepEqual(f.fix, [
      `kubectl harbor bind-sa harbor-lab default -n ${N.unbound}`,
      `kubectl get pod web -n ${N.unbound} -o yaml | kubectl replace --force -f -`,
    ]);
    await runFix(f.fix);
    assert.notEqual((await settled(N.unbound, 'web', true)).metadata.uid, before, 'a new pod of the same spec');
    const { r } = await doctor(['--image', lab.info.image, '-n', N.unbound]);
    assert.equal(r.code, 0, r.stdout);
  });

  // The pod lists its own pull secret, so a ServiceAccount binding would never reach it: the
  // fix writes into that secret, and the same pod pulls at its next retry.
  const samePodPulls = async (ns: string, f: Finding, password: string): Promise<void> => {
    assert.equal(f.fix.length, 1, 'nothing to recreate');
    await runFix(f.fix, password);
    await settled(ns, 'web', true);
    // The failures before the fix stay as events; the pull that worked since is later: all clear.
    const { r, pods } = await doctor(['web', '-n', ns]);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(pods[0]!.findings, []);
  };

  test("secret-host-mismatch: the auths key has the host without the port; the printed login fixes the pod's own secret: the pod pulls at its retry", async () => {
    const host = lab.info.harbor.replace(/:\d+$/, '');
    seedSecret(N.host, 'harbor-lab', host, admin(), adminPassword());
    await failing(N.host, 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', N.host], 'secret-host-mismatch');
    assert.match(f.evidence, new RegExp(`credentials for "${host}", not "${lab.info.harbor}"`));
    assert.deepEqual(f.fix, [
      `kubectl harbor login ${lab.info.harbor} -n ${N.host} --secret-name harbor-lab --overwrite -u admin --password-stdin  # the password of admin on stdin`,
    ]);
    await samePodPulls(N.host, f, adminPassword());
  });

  test('bad-credentials: a wrong password; the printed login refuses a wrong or empty stdin (nothing written), then rewrites the secret: the pod pulls at its retry', async () => {
    seedSecret(N.bad, 'harbor-lab', lab.info.harbor, admin(), 'wrong-password');
    await failing(N.bad, 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', N.bad], 'bad-credentials');
    assert.deepEqual(f.fix, [
      `kubectl harbor login ${lab.info.harbor} -n ${N.bad} --secret-name harbor-lab --overwrite -u admin --password-stdin  # the password of admin on stdin`,
    ]);
    const was = secretData(N.bad, 'harbor-lab');
    for (const [input, code, line] of [
      ['still-wrong\n', 1, /^error: logging in to .*: wrong username or password for "admin"$/],
      ['', 2, /^error: --password-stdin: standard input was empty$/],
    ] as const) {
      const r = await sh(f.fix[0]!, input);
      assert.equal(r.code, code, r.stderr);
      // One error line (a usage error adds where to read the usage).
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, r.stderr);
      assert.match(r.stderr.split('\n')[0]!, line);
      assert.equal(secretData(N.bad, 'harbor-lab'), was, 'nothing written');
    }
    await samePodPulls(N.bad, f, adminPassword());
  });

  test('bad-credentials through the ServiceAccount: the printed login rewrites its secret, the pod is made again: it pulls', async () => {
    seedSecret(N.sabad, 'harbor-lab', lab.info.harbor, admin(), 'wrong-password');
    fx.sup.supervisor.registry.mutate(fx.sup.supervisor.type('serviceaccounts'), N.sabad, 'default', (sa) => {
      sa.imagePullSecrets = [{ name: 'harbor-lab' }];
    });
    await failing(N.sabad, 'web', lab.info.image);
    const f = await only(['web', '-n', N.sabad], 'bad-credentials');
    assert.deepEqual(f.fix, [
      `kubectl harbor login ${lab.info.harbor} -n ${N.sabad} --bind-sa default --secret-name harbor-lab --overwrite -u admin --password-stdin  # the password of admin on stdin`,
      `kubectl get pod web -n ${N.sabad} -o yaml | kubectl replace --force -f -`,
    ]);
    await runFix(f.fix, adminPassword());
    await settled(N.sabad, 'web', true);
  });

  test('no-pull-permission: a user who authenticates but is a member of nothing; the printed robot create replaces the entry: the pod pulls', async () => {
    seedSecret(N.perm, 'harbor-lab', lab.info.harbor, 'outsider', lab.info.users.outsider!);
    await failing(N.perm, 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', N.perm], 'no-pull-permission');
    assert.match(f.evidence, /"outsider".*grants no pull/);
    assert.deepEqual(f.fix, [
      `kubectl harbor robot create ${lab.info.harbor} --project lab --name ${N.perm} -n ${N.perm} --secret-name harbor-lab --overwrite -u admin --password-stdin  # the password of admin on stdin`,
    ]);
    await samePodPulls(N.perm, f, adminPassword());
  });

  test('robot-expired: robot$lab+old with the annotations robot create writes; the printed robot create: the pod pulls', async () => {
    const old = lab.info.robots.find((x) => x.expired)!;
    seedSecret(N.old, 'harbor-lab', lab.info.harbor, old.name, old.secret, {
      annotations: {
        'kubectl-harbor/registry': lab.info.harbor,
        'kubectl-harbor/robot-id': '9',
        'kubectl-harbor/robot-name': old.name,
        'kubectl-harbor/expires-at': '2025-01-01T00:00:00Z',
      },
    });
    await failing(N.old, 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', N.old], 'robot-expired');
    assert.match(f.evidence, /expired at 2025-01-01T00:00:00Z/);
    assert.deepEqual(f.fix, [
      `kubectl harbor robot create ${lab.info.harbor} --project lab --name ${N.old} -n ${N.old} --secret-name harbor-lab --overwrite -u admin --password-stdin  # the password of admin on stdin`,
    ]);
    await samePodPulls(N.old, f, adminPassword());
  });

  // Advice, not a command: which tag was meant, or whether the project should exist, only the user knows.
  test('image-not-found: a tag that is not there (advice: no command can know the right tag)', async () => {
    seedSecret(N.tag, 'harbor-lab', lab.info.harbor, admin(), adminPassword());
    await failing(N.tag, 'web', `${lab.info.harbor}/lab/tiny:nope`, ['harbor-lab']);
    const f = await only(['web', '-n', N.tag], 'image-not-found');
    assert.match(f.evidence, /lab\/tiny:nope: the manifest is not there \(HTTP 404\).*the node reported: .*not found$/);
    assert.deepEqual(f.fix, ['# correct the image tag or repository, or push the image']);
  });

  test('project-missing: Harbor says the project does not exist to a credential that may see it (advice)', async () => {
    seedSecret(N.proj, 'harbor-lab', lab.info.harbor, admin(), adminPassword());
    await failing(N.proj, 'web', `${lab.info.harbor}/nosuchproject/tiny:1`, ['harbor-lab']);
    const f = await only(['web', '-n', N.proj], 'project-missing');
    assert.match(f.evidence, /project "nosuchproject" does not exist/);
    assert.match(f.fix[0]!, /^# project "nosuchproject" does not exist/);
  });

  test('--image without a pod: the default ServiceAccount of the namespace; read-only throughout', async () => {
    seedSecret(N.img, 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!);
    fx.sup.supervisor.registry.mutate(fx.sup.supervisor.type('serviceaccounts'), N.img, 'default', (sa) => {
      sa.imagePullSecrets = [{ name: 'harbor-lab' }];
    });
    const from = fx.sup.supervisor.log.length;
    const ok = await doctor(['--image', lab.info.image, '-n', N.img]);
    assert.equal(ok.r.code, 0, ok.r.stdout);
    assert.deepEqual(
      ok.pods.map((p) => [p.name, p.findings.length]),
      [['-', 0]],
    );
    const missing = await doctor(['--image', `${lab.info.harbor}/lab/missing:1`, '-n', N.img]);
    assert.equal(missing.r.code, 1);
    assert.deepEqual(
      missing.pods[0]!.findings.map((x) => x.code),
      ['image-not-found'],
    );
    // Text form: the code, the evidence and the fix on stdout.
    const text = await h.harbor(['doctor', '--image', `${lab.info.harbor}/lab/missing:1`, '-n', N.img], {
      kubeconfig: fx.kubeconfigs.admin,
    });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /error image-not-found: .*HTTP 404/);
    const writes = fx.sup.supervisor.log.slice(from).filter((x) => x.method !== 'GET');
    assert.deepEqual(writes, []);
  });
});
