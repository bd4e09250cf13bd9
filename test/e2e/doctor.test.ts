// `kubectl harbor doctor` (issue 18) against the Supervisor emulator (vSphere Pods, whose
// kubelet stand-in writes the pull-failure events) and the shared lab Harbor: each
// misconfiguration is seeded, doctor names its code and a complete fix, and for the trust
// and binding findings running the printed fix makes the next doctor pass. doctor only
// ever reads (the emulator's request log).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dockerConfig } from '../../lab/apiserver/supervisor.js';
import type { Obj } from '../../lab/apiserver/types.js';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

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

const NS = ['dr-proj', 'dr-ca', 'dr-none', 'dr-unbound', 'dr-host', 'dr-bad', 'dr-perm', 'dr-old', 'dr-tag', 'dr-img'];
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kubectl harbor doctor', needsLab, () => {
  const h = e2e('doctor');
  const lab = labFixture(h);
  // The namespaces' own Supervisor pull secrets name another registry: each case seeds its own.
  const fx = supervisorFixture(h, () => ({
    harbor: 'harbor.invalid:8443',
    namespaces: NS,
    server: {
      kubelet: {
        // Pods named ok-* pull; the others fail as a node would say it.
        pullError: (image: string, pod: Obj) =>
          String(pod.metadata.name).startsWith('ok-')
            ? undefined
            : `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to authorize: failed to fetch oauth token: 401 Unauthorized`,
      },
    },
  }));
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
  /** Run a printed `kubectl harbor …` fix as the admin. */
  const runFix = async (fix: string, input?: string): Promise<void> => {
    assert.match(fix, /^kubectl harbor /);
    const r = await h.harbor(fix.replace(/^kubectl harbor /, '').split(' '), {
      kubeconfig: fx.kubeconfigs.admin,
      input,
    });
    assert.equal(r.code, 0, `${fix}: ${r.stderr}`);
  };

  test('ca-untrusted: a vSphere Pod, the bundle without the lab CA; running the fix makes the next doctor pass', async () => {
    seedSecret('dr-ca', 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!);
    seedPod('dr-ca', 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-ca'], 'ca-untrusted');
    assert.match(f.evidence, /image-fetcher-ca-bundle/);
    assert.equal(f.fix.length, 1);
    assert.match(
      f.fix[0]!,
      new RegExp(
        `^kubectl harbor trust --supervisor --from-registry ${lab.info.harbor} --fingerprint sha256:[0-9a-f]{64}$`,
      ),
    );
    await runFix(f.fix[0]!);
    seedPod('dr-ca', 'ok-web', lab.info.image, ['harbor-lab']);
    const { r, pods } = await doctor(['ok-web', '-n', 'dr-ca']);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(pods[0]!.findings, []);
  });

  test('no-credentials: no pull secret of the pod (nor its ServiceAccount) has the registry', async () => {
    seedPod('dr-none', 'web', lab.info.image);
    const f = await only(['web', '-n', 'dr-none'], 'no-credentials');
    assert.deepEqual(f.fix, [
      `kubectl harbor robot create ${lab.info.harbor} --project lab -n dr-none --bind-sa default`,
      'kubectl delete pod web -n dr-none',
    ]);
  });

  test('sa-unbound: found without naming the pod; bind-sa as printed makes a new pod pull', async () => {
    seedSecret('dr-unbound', 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!, {
      labels: { 'app.kubernetes.io/managed-by': 'kubectl-harbor' },
    });
    seedPod('dr-unbound', 'web', lab.info.image);
    seedPod('dr-unbound', 'ok-fine', `${lab.info.harbor}/library/tiny:1`);
    for (let i = 0; i < 50; i++) {
      const p = fx.sup.supervisor.get('v1', 'pods', 'dr-unbound', 'web');
      if (p?.status?.containerStatuses?.[0]?.state?.waiting) break;
      await wait(50);
    }
    const f = await only(['-n', 'dr-unbound'], 'sa-unbound');
    assert.deepEqual(f.fix, [
      'kubectl harbor bind-sa harbor-lab default -n dr-unbound',
      'kubectl delete pod web -n dr-unbound',
    ]);
    await runFix(f.fix[0]!);
    const { r } = await doctor(['--image', lab.info.image, '-n', 'dr-unbound']);
    assert.equal(r.code, 0, r.stdout);
  });

  test('secret-host-mismatch: the auths key has the host without the port', async () => {
    const host = lab.info.harbor.replace(/:\d+$/, '');
    seedSecret('dr-host', 'harbor-lab', host, admin(), lab.info.users[admin()]!);
    seedPod('dr-host', 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-host'], 'secret-host-mismatch');
    assert.match(f.evidence, new RegExp(`credentials for "${host}", not "${lab.info.harbor}"`));
    assert.equal(
      f.fix[0],
      `kubectl harbor login ${lab.info.harbor} -u ${admin()} --password-stdin -n dr-host --bind-sa default`,
    );
  });

  test('bad-credentials: a wrong password (the scope-less token request is refused)', async () => {
    seedSecret('dr-bad', 'harbor-lab', lab.info.harbor, admin(), 'wrong-password');
    seedPod('dr-bad', 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-bad'], 'bad-credentials');
    assert.equal(
      f.fix[0],
      `kubectl harbor login ${lab.info.harbor} -u ${admin()} --password-stdin -n dr-bad --bind-sa default --secret-name harbor-lab --overwrite`,
    );
  });

  test('no-pull-permission: a user who authenticates but is a member of nothing', async () => {
    seedSecret('dr-perm', 'harbor-lab', lab.info.harbor, 'outsider', lab.info.users.outsider!);
    seedPod('dr-perm', 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-perm'], 'no-pull-permission');
    assert.match(f.evidence, /"outsider".*grants no pull/);
    assert.equal(f.fix[0], `kubectl harbor robot create ${lab.info.harbor} --project lab -n dr-perm --bind-sa default`);
  });

  test('robot-expired: robot$lab+old with the annotations robot create writes', async () => {
    const old = lab.info.robots.find((x) => x.expired)!;
    seedSecret('dr-old', 'harbor-lab', lab.info.harbor, old.name, old.secret, {
      annotations: {
        'kubectl-harbor/registry': lab.info.harbor,
        'kubectl-harbor/robot-id': '9',
        'kubectl-harbor/robot-name': old.name,
        'kubectl-harbor/expires-at': '2025-01-01T00:00:00Z',
      },
    });
    seedPod('dr-old', 'web', lab.info.image, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-old'], 'robot-expired');
    assert.match(f.evidence, /expired at 2025-01-01T00:00:00Z/);
    assert.equal(f.fix[0], `kubectl harbor robot create ${lab.info.harbor} --project lab -n dr-old --bind-sa default`);
  });

  test('image-not-found: a tag that is not there', async () => {
    seedSecret('dr-tag', 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!);
    seedPod('dr-tag', 'web', `${lab.info.harbor}/lab/tiny:nope`, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-tag'], 'image-not-found');
    assert.match(f.evidence, /lab\/tiny:nope: the manifest is not there \(HTTP 404\)/);
  });

  test('project-missing: Harbor says the project does not exist to a credential that may see it', async () => {
    seedSecret('dr-proj', 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!);
    seedPod('dr-proj', 'web', `${lab.info.harbor}/nosuchproject/tiny:1`, ['harbor-lab']);
    const f = await only(['web', '-n', 'dr-proj'], 'project-missing');
    assert.match(f.evidence, /project "nosuchproject" does not exist/);
  });

  test('--image without a pod: the default ServiceAccount of the namespace; read-only throughout', async () => {
    seedSecret('dr-img', 'harbor-lab', lab.info.harbor, admin(), lab.info.users[admin()]!);
    fx.sup.supervisor.registry.mutate(fx.sup.supervisor.type('serviceaccounts'), 'dr-img', 'default', (sa) => {
      sa.imagePullSecrets = [{ name: 'harbor-lab' }];
    });
    const from = fx.sup.supervisor.log.length;
    const ok = await doctor(['--image', lab.info.image, '-n', 'dr-img']);
    assert.equal(ok.r.code, 0, ok.r.stdout);
    assert.deepEqual(
      ok.pods.map((p) => [p.name, p.findings.length]),
      [['-', 0]],
    );
    const missing = await doctor(['--image', `${lab.info.harbor}/lab/missing:1`, '-n', 'dr-img']);
    assert.equal(missing.r.code, 1);
    assert.deepEqual(
      missing.pods[0]!.findings.map((x) => x.code),
      ['image-not-found'],
    );
    // Text form: the code, the evidence and the fix on stdout.
    const text = await h.harbor(['doctor', '--image', `${lab.info.harbor}/lab/missing:1`, '-n', 'dr-img'], {
      kubeconfig: fx.kubeconfigs.admin,
    });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /error image-not-found: .*HTTP 404/);
    const writes = fx.sup.supervisor.log.slice(from).filter((x) => x.method !== 'GET');
    assert.deepEqual(writes, []);
  });
});
