// `kubectl harbor doctor` (issue 18) for the codes a certificate, the network or the
// registry's answer produce, each made for real: vSphere Pods of a Supervisor emulator whose
// kubelet pulls through the lab's image fetcher (TLS against image-fetcher-ca-bundle, which
// holds the lab CA here, so only the fault under test remains), against the lab Harbor's
// listeners (no IP SAN, expired, plain HTTP; 429 and 412 repositories), a name that does not
// resolve, a port where nothing listens, a listener that never answers, and a TLS front on
// localhost whose certificate names another host. Where a fix exists it is run and a fresh
// pod pulls.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { imageFetcher } from '../../lab/apiserver/pullers.js';
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
  name: string;
  nodeKind: string;
  findings: Finding[];
}

const NS = 'dt';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kubectl harbor doctor: certificates, network, registry answers', needsLab, () => {
  const h = e2e('doctor-tls');
  const lab = labFixture(h);
  const ip = (): string => lab.info.harbor.replace(/:\d+$/, '');
  const pki = (f: string): string => fs.readFileSync(path.join(path.dirname(lab.info.ca), f), 'utf8');
  // A TLS front on localhost in front of the lab Harbor (plain HTTP behind), first with the
  // certificate that names only harbor.lab; and a listener that accepts and never answers.
  const sockets = new Set<net.Socket>();
  const keep = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  let front: tls.Server;
  let silent: net.Server;
  const port = (s: net.Server): number => (s.address() as net.AddressInfo).port;
  before(async () => {
    front = tls.createServer({ cert: pki('noipsan.pem'), key: pki('noipsan.key') }, (s) => {
      keep(s);
      const up = net.connect(Number(lab.info.harborHttp.split(':')[1]), ip());
      keep(up);
      s.pipe(up).pipe(s);
    });
    silent = net.createServer(keep);
    for (const s of [front, silent]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  });
  after(() => {
    for (const s of sockets) s.destroy();
    front?.close();
    silent?.close();
  });
  const fx = supervisorFixture(
    h,
    () => ({
      harbor: lab.info.harbor,
      namespaces: [NS],
      server: {
        kubelet: {
          startDelayMs: 20,
          pull: imageFetcher({
            hosts: [ip(), 'localhost', '127.0.0.1', 'nosuch.invalid'],
            bundle: () => fs.readFileSync(lab.info.ca, 'utf8'),
          }),
        },
      },
    }),
    (sup) => {
      sup.supervisor.registry.mutate(
        sup.supervisor.type('configmaps'),
        'kube-system',
        'image-fetcher-ca-bundle',
        (c) => {
          c.data = { 'ca-bundle': fs.readFileSync(lab.info.ca, 'utf8') };
        },
      );
    },
  );
  const registries = (): Record<string, string> => ({
    noIpSan: lab.info.harborNoIpSan,
    expired: lab.info.harborExpired,
    http: lab.info.harborHttp,
    harbor: lab.info.harbor,
    name: `localhost:${port(front)}`,
    dns: 'nosuch.invalid:8443',
    refused: `${ip()}:9`,
    silent: `127.0.0.1:${port(silent)}`,
  });
  /** One pull secret with the admin's entry for every registry above: only the fault under test remains. */
  const seedSecret = (): void => {
    const auths: Record<string, object> = {};
    const password = lab.info.users[lab.info.harborAdmin]!;
    for (const r of Object.values(registries()))
      auths[r] = { username: lab.info.harborAdmin, password, auth: b64(`${lab.info.harborAdmin}:${password}`) };
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'harbor-all', namespace: NS },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
    });
  };
  const seedPod = (name: string, image: string, secrets = ['harbor-all']): void => {
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: { containers: [{ name: 'app', image }], imagePullSecrets: secrets.map((x) => ({ name: x })) },
    });
  };
  const seedEntry = (name: string, user: string, password: string): void => {
    const auths = { [lab.info.harbor]: { username: user, password, auth: b64(`${user}:${password}`) } };
    fx.sup.supervisor.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: NS },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
    });
  };
  /** Until the kubelet has tried: Running, or a container waiting on a pull. */
  const settled = async (name: string): Promise<Obj> => {
    for (let i = 0; i < 200; i++) {
      const p = fx.sup.supervisor.get('v1', 'pods', NS, name);
      if (p?.status?.phase === 'Running' || p?.status?.containerStatuses?.[0]?.state?.waiting) return p;
      await wait(50);
    }
    throw new Error(`pod ${name} never settled`);
  };
  const doctor = async (name: string, extra: string[] = []): Promise<{ r: Result; pod: Pod }> => {
    const r = await h.harbor(['doctor', name, '-n', NS, '-o', 'json', ...extra], { kubeconfig: fx.kubeconfigs.admin });
    assert.ok(r.code === 0 || r.code === 1, `${name}: exit ${r.code}: ${r.stderr}`);
    const pods = (JSON.parse(r.stdout) as { pods: Pod[] }).pods;
    assert.equal(pods.length, 1, r.stdout);
    return { r, pod: pods[0]! };
  };

  // Every failing pod is made first and diagnosed at once: the cases share the wait.
  const cases: Record<string, { image: () => string; extra?: string[]; node?: RegExp }> = {
    // The image fetcher words these as Go's crypto/x509 HostnameError does.
    'ip-san-missing': {
      image: () => `${registries().noIpSan}/lab/tiny:1`,
      node: /x509: cannot validate certificate for [\d.]+ because it doesn't contain any IP SANs$/,
    },
    'name-mismatch': {
      image: () => `${registries().name}/lab/tiny:1`,
      node: /x509: certificate is valid for harbor\.lab, not localhost$/,
    },
    'cert-expired': { image: () => `${registries().expired}/lab/tiny:1`, node: /certificate has expired/ },
    'plain-http': { image: () => `${registries().http}/lab/tiny:1`, node: /HTTP response to HTTPS client/ },
    'rate-limited': { image: () => `${registries().harbor}/lab/ratelimited:1`, node: /429 Too Many Requests/ },
    'policy-blocked': { image: () => `${registries().harbor}/lab/blocked:1`, node: /412 Precondition Failed/ },
    dns: { image: () => `${registries().dns}/lab/tiny:1`, node: /no such host/ },
    unreachable: { image: () => `${registries().refused}/lab/tiny:1`, node: /connection refused/ },
    // The image fetcher waits 10 s for this one: doctor does not wait for its event.
    timeout: { image: () => `${registries().silent}/lab/tiny:1`, extra: ['--request-timeout', '2s'] },
  };
  const runs = new Map<string, Promise<{ r: Result; pod: Pod }>>();
  before(async () => {
    seedSecret();
    for (const [code, c] of Object.entries(cases)) seedPod(code, c.image());
    await Promise.all(Object.entries(cases).map(([code, c]) => (c.node ? settled(code) : undefined)));
    for (const [code, c] of Object.entries(cases)) runs.set(code, doctor(code, c.extra));
  });

  for (const [code, c] of Object.entries(cases)) {
    test(`${code}: the pod fails to pull for real; doctor names it, exit 1`, async () => {
      const { r, pod } = await runs.get(code)!;
      assert.equal(r.code, 1, r.stdout);
      assert.equal(pod.nodeKind, 'vsphere-pod');
      assert.equal(pod.findings[0]?.code, code, r.stdout);
      assert.equal(pod.findings[0]!.severity, 'error');
      if (c.node) assert.match(pod.findings[0]!.evidence, new RegExp(`the node reported: .*(?:${c.node.source})`));
      assert.ok(pod.findings[0]!.fix.length > 0, 'a fix or advice line');
    });
  }

  test('name-mismatch: the certificate re-issued with the name, as the fix says: a fresh pod pulls', async () => {
    const { pod } = await runs.get('name-mismatch')!;
    assert.deepEqual(pod.findings[0]!.fix, ['# re-issue the registry certificate with localhost as a SAN']);
    // The lab's Harbor certificate holds localhost as a SAN, signed by the same CA.
    front.setSecureContext({ cert: pki('harbor.pem'), key: pki('harbor.key') });
    seedPod('name-fixed', cases['name-mismatch']!.image());
    assert.equal((await settled('name-fixed')).status.phase, 'Running');
    const again = await doctor('name-fixed');
    assert.equal(again.r.code, 0, again.r.stdout);
  });

  test('several matching entries: a stale one before a working one pulls, as the kubelet tries each; none working is reported per entry', async () => {
    seedEntry('stale', lab.info.harborAdmin, 'an-old-password');
    seedEntry('reader', 'reader', lab.info.users.reader!);
    seedEntry('stale-too', 'outsider', 'wrong-as-well');
    seedPod('two-ok', lab.info.image, ['stale', 'reader']);
    seedPod('two-bad', lab.info.image, ['stale', 'stale-too']);
    assert.equal((await settled('two-ok')).status.phase, 'Running', 'the image fetcher pulls with the second entry');
    const ok = await doctor('two-ok', ['--from-node']);
    assert.equal(ok.r.code, 0, ok.r.stdout);
    assert.deepEqual(ok.pod.findings, []);
    // --from-node has no node to log in to for a vSphere Pod: one line says so, nothing else changes.
    assert.deepEqual(ok.r.stderr.trim().split('\n'), [
      "Warning: --from-node does not apply to a vSphere Pod (no node to log in to): TLS is checked against the Supervisor's image-fetcher-ca-bundle",
    ]);
    await settled('two-bad');
    const bad = await doctor('two-bad');
    assert.equal(bad.r.code, 1, bad.r.stdout);
    assert.deepEqual(
      bad.pod.findings.map((f) => [f.code, /secret ([\w-]+)/.exec(f.evidence)?.[1]]),
      [
        ['bad-credentials', 'stale'],
        ['bad-credentials', 'stale-too'],
      ],
    );
  });
});
