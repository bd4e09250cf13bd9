// doctor's pure parts: the kubelet's pull-failure events in both forms and containerd's
// wrapping, image references, the `auths` matching containerd's keyring does (host and
// port exactly), the fixes, and the usage errors (exit 2 before any I/O).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hintOf, latestByImage, parsePullEvent, peel } from '../../src/app/doctor-events.js';
import { matchingKeys, nearMisses, parseImage } from '../../src/app/doctor-match.js';
import { CODES, fixFor, type FixContext } from '../../src/app/doctor-verdict.js';
import { cli } from '../helpers/run.js';

const IMG = '10.217.0.1:8443/lab/tiny:1';
const X509 = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
const WRAPPED = `failed to pull and unpack image "${IMG}": failed to resolve reference "${IMG}": failed to do request: Head "https://10.217.0.1:8443/v2/lab/tiny/manifests/1": ${X509}`;

test('events: both kubelet forms and containerd wrapping peel to the same cause', () => {
  const old = parsePullEvent(`Failed to pull image "${IMG}": rpc error: code = Unknown desc = ${WRAPPED}`)!;
  const now = parsePullEvent(`Failed to pull image "${IMG}": ${WRAPPED}`)!;
  for (const e of [old, now]) {
    assert.equal(e.image, IMG);
    assert.equal(e.cause, X509);
    assert.equal(e.hint, 'ca-untrusted');
    assert.equal(e.backOff, false);
  }
  const plain = parsePullEvent(`Failed to pull image "${IMG}": x509: certificate signed by unknown authority`)!;
  assert.equal(plain.hint, 'ca-untrusted');
});

test('events: the causes containerd reports map to codes', () => {
  const cases: Array<[string, string]> = [
    [`failed to resolve reference "${IMG}": ${IMG}: not found`, 'image-not-found'],
    [
      `failed to resolve reference "${IMG}": pulling from host 10.217.0.1:8443 failed with status code [manifests 1]: 401 Unauthorized`,
      'bad-credentials',
    ],
    [
      `failed to resolve reference "${IMG}": failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://h/service/token: 403 Forbidden`,
      'no-pull-permission',
    ],
    [
      'failed to do request: Head "https://h/v2/x/manifests/1": dial tcp: lookup h on 127.0.0.53:53: no such host',
      'dns',
    ],
    ['failed to do request: Head "https://h/v2/": dial tcp 10.0.0.1:443: connect: connection refused', 'unreachable'],
    ['failed to do request: Head "https://h/v2/": dial tcp 10.0.0.1:443: i/o timeout', 'timeout'],
    [
      'failed to do request: Head "https://10.0.0.1/v2/": tls: failed to verify certificate: x509: cannot validate certificate for 10.0.0.1 because it doesn\'t contain any IP SANs',
      'ip-san-missing',
    ],
    [
      'failed to do request: Head "https://h/v2/": x509: certificate is valid for other.example.com, not h',
      'name-mismatch',
    ],
    ['x509: certificate has expired or is not yet valid: current time 2026-12-03', 'cert-expired'],
    ['failed to do request: Head "https://h/v2/": http: server gave HTTP response to HTTPS client', 'plain-http'],
    ['unexpected status from HEAD request to https://h/v2/x/manifests/1: 429 Too Many Requests', 'rate-limited'],
    ['unexpected status from HEAD request to https://h/v2/x/manifests/1: 412 Precondition Failed', 'policy-blocked'],
  ];
  for (const [text, code] of cases) assert.equal(hintOf(peel(text)), code, text);
  assert.equal(hintOf('something else entirely'), undefined);
});

test('events: Back-off is recognised, a Failed event wins over it, others are not pull events', () => {
  const back = parsePullEvent(`Back-off pulling image "${IMG}"`)!;
  assert.equal(back.backOff, true);
  assert.equal(parsePullEvent('Error: ImagePullBackOff'), undefined);
  assert.equal(parsePullEvent(`Pulling image "${IMG}"`), undefined);
  const failed = parsePullEvent(`Failed to pull image "${IMG}": ${WRAPPED}`)!;
  assert.equal(latestByImage([failed, back]).get(IMG), failed);
  assert.equal(latestByImage([back]).get(IMG), back);
});

test('events: a pull that worked after the failures (the fix took) leaves no failure; a later failure counts again', () => {
  const failed = parsePullEvent(`Failed to pull image "${IMG}": ${WRAPPED}`)!;
  const back = parsePullEvent(`Back-off pulling image "${IMG}"`)!;
  const pulled = parsePullEvent(`Successfully pulled image "${IMG}" in 1.2s (1.2s including waiting)`)!;
  const present = parsePullEvent(`Container image "${IMG}" already present on machine`)!;
  assert.equal(pulled.pulled, true);
  assert.equal(present.pulled, true);
  assert.equal(latestByImage([failed, back, pulled]).size, 0);
  assert.equal(latestByImage([failed, present]).size, 0);
  assert.equal(latestByImage([pulled, failed]).get(IMG), failed);
});

test('image references: registry, repository, reference', () => {
  assert.deepEqual(parseImage(IMG), { registry: '10.217.0.1:8443', repository: 'lab/tiny', reference: '1' });
  assert.deepEqual(parseImage('harbor.example.com/apps/web'), {
    registry: 'harbor.example.com',
    repository: 'apps/web',
    reference: 'latest',
  });
  assert.deepEqual(parseImage('h.example.com:5000/a/b@sha256:abc'), {
    registry: 'h.example.com:5000',
    repository: 'a/b',
    reference: 'sha256:abc',
  });
  assert.deepEqual(parseImage('nginx:1.25'), { registry: 'docker.io', repository: 'library/nginx', reference: '1.25' });
  assert.equal(parseImage('has space'), undefined);
  assert.equal(parseImage(''), undefined);
});

test('auths: host and port must match exactly; scheme, path prefix and globs as the kubelet reads them', () => {
  const ref = parseImage(IMG)!;
  assert.deepEqual(matchingKeys(['10.217.0.1:8443'], ref), ['10.217.0.1:8443']);
  assert.deepEqual(matchingKeys(['https://10.217.0.1:8443'], ref), ['https://10.217.0.1:8443']);
  assert.deepEqual(matchingKeys(['10.217.0.1'], ref), []);
  assert.deepEqual(matchingKeys(['10.217.0.1:443'], ref), []);
  assert.deepEqual(matchingKeys(['10.217.0.1:8443/other'], ref), []);
  assert.deepEqual(matchingKeys(['10.217.0.1:8443', '10.217.0.1:8443/lab'], ref), [
    '10.217.0.1:8443/lab',
    '10.217.0.1:8443',
  ]);
  const named = parseImage('harbor.corp.example/apps/web:1')!;
  assert.deepEqual(matchingKeys(['*.corp.example'], named), ['*.corp.example']);
  assert.deepEqual(matchingKeys(['HARBOR.corp.example'], named), ['HARBOR.corp.example']);
  assert.deepEqual(matchingKeys(['harbor.corp.example:443'], named), []);
  assert.deepEqual(nearMisses(['10.217.0.1', '10.217.0.1:443', 'other:8443', '10.217.0.1:8443'], ref), [
    '10.217.0.1',
    '10.217.0.1:443',
  ]);
  assert.deepEqual(matchingKeys(['https://index.docker.io/v1/'], parseImage('nginx')!), [
    'https://index.docker.io/v1/',
  ]);
});

test('fixes: complete commands with the real names', () => {
  const c: FixContext = {
    registry: 'h.example.com',
    project: 'apps',
    namespace: 'dev',
    serviceAccount: 'builder',
    pod: 'web-1',
    nodeKind: 'vsphere-pod',
    cluster: undefined,
    fingerprint: `sha256:${'a'.repeat(64)}`,
    secret: 'harbor-h.example.com',
    user: 'alice',
    podOwned: true,
  };
  assert.deepEqual(fixFor('ca-untrusted', c), [
    `kubectl harbor trust --supervisor --from-registry h.example.com --fingerprint sha256:${'a'.repeat(64)}`,
  ]);
  assert.deepEqual(fixFor('ca-untrusted', { ...c, nodeKind: 'tkc-node', cluster: 'tkc-1' }), [
    `kubectl harbor push-ca tkc-1 --from-registry h.example.com --fingerprint sha256:${'a'.repeat(64)}`,
  ]);
  assert.deepEqual(
    fixFor('ca-untrusted', {
      ...c,
      nodeKind: 'tkc-node',
      cluster: 'tkc-1',
      clusterNamespace: 'dev',
      fingerprint: undefined,
    }),
    ['kubectl harbor push-ca tkc-1 -n dev --from-registry h.example.com'],
  );
  assert.match(fixFor('dns', c)[0]!, /\(this is the workstation's view\)$/);
  assert.match(
    fixFor('timeout', { ...c, seenFrom: 'node n2 (10.0.0.12)' })[0]!,
    /\(as node n2 \(10\.0\.0\.12\) sees it\)$/,
  );
  assert.deepEqual(fixFor('sa-unbound', c), [
    'kubectl harbor bind-sa harbor-h.example.com builder -n dev',
    'kubectl delete pod web-1 -n dev',
  ]);
  // The password goes on stdin and the line says whose; a ServiceAccount binding reaches only new pods.
  const pw = (u: string): string => `-u ${u} --password-stdin  # the password of ${u} on stdin`;
  assert.deepEqual(fixFor('no-pull-permission', { ...c, pod: undefined }), [
    `kubectl harbor robot create h.example.com --project apps --name dev -n dev --bind-sa builder ${pw('admin')}`,
  ]);
  assert.deepEqual(fixFor('secret-host-mismatch', c), [
    `kubectl harbor login h.example.com -n dev --bind-sa builder ${pw('alice')}`,
    'kubectl delete pod web-1 -n dev',
  ]);
  assert.deepEqual(fixFor('bad-credentials', c), [
    `kubectl harbor login h.example.com -n dev --bind-sa builder --secret-name harbor-h.example.com --overwrite ${pw('alice')}`,
    'kubectl delete pod web-1 -n dev',
  ]);
  // A pod without a controller is created again from its own manifest, not just deleted.
  assert.deepEqual(fixFor('sa-unbound', { ...c, podOwned: false }), [
    'kubectl harbor bind-sa harbor-h.example.com builder -n dev',
    'kubectl get pod web-1 -n dev -o yaml | kubectl replace --force -f -',
  ]);
  // A pod that lists its own pull secrets never reads the ServiceAccount's: the fix writes into
  // the one the finding is about (else the first), read again at the next retry; nothing to recreate.
  const own = { ...c, podSecrets: ['a', 'harbor-h.example.com'] };
  assert.deepEqual(fixFor('secret-host-mismatch', own), [
    `kubectl harbor login h.example.com -n dev --secret-name harbor-h.example.com --overwrite ${pw('alice')}`,
  ]);
  assert.deepEqual(fixFor('robot-expired', own), [
    `kubectl harbor robot create h.example.com --project apps --name dev -n dev --secret-name harbor-h.example.com --overwrite ${pw('admin')}`,
  ]);
  assert.deepEqual(fixFor('no-credentials', { ...own, secret: undefined }), [
    `kubectl harbor robot create h.example.com --project apps --name dev -n dev --secret-name a --overwrite ${pw('admin')}`,
  ]);
  for (const code of CODES) assert.ok(Array.isArray(fixFor(code, c)));
});

test('doctor: usage errors exit 2 before any I/O', async () => {
  const usage = async (argv: string[], pattern: RegExp): Promise<void> => {
    const r = await cli(argv, { KUBECONFIG: '/nonexistent/kubeconfig' });
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.split('\n')[0]!, pattern, argv.join(' '));
    assert.equal(r.stdout, '');
  };
  await usage(['doctor', '-A', '-n', 'dev'], /either -n\/--namespace or -A/);
  await usage(['doctor', 'web', '-A'], /a POD is in one namespace/);
  await usage(['doctor', '--image', 'h/x:1', '-A'], /--image without a POD checks one namespace/);
  await usage(['doctor', '--image', 'a b'], /is not an image reference/);
  await usage(['doctor', '--image='], /--image needs a value/);
  await usage(['doctor', 'Bad_Pod'], /POD "Bad_Pod" is not a valid/);
  await usage(['doctor', '-o', 'wide'], /does not support -o wide/);
});
