// doctor tries every matching `auths` entry, as the kubelet does (kuberuntime_image.go tries
// each credential the keyring returns until one pulls): the entries in order across the
// effective pull secrets, and a credential finding only when none of them pulls, against an
// in-process HTTPS registry with Basic auth.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { makeCa, makeCert } from '../../lab/pki.js';
import { chooseCredentials } from '../../src/app/doctor-creds.js';
import type { NamespaceEvidence, PodEvidence } from '../../src/app/doctor-evidence.js';
import { parseImage } from '../../src/app/doctor-match.js';
import { probe } from '../../src/app/doctor-probes.js';
import type { FixContext } from '../../src/app/doctor-verdict.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (name: string, auths: Record<string, [string, string]>): V1Secret => ({
  metadata: { name },
  type: 'kubernetes.io/dockerconfigjson',
  data: {
    '.dockerconfigjson': b64(
      JSON.stringify({
        auths: Object.fromEntries(
          Object.entries(auths).map(([k, [u, p]]) => [k, { username: u, password: p, auth: b64(`${u}:${p}`) }]),
        ),
      }),
    ),
  },
});
const pod = (pullSecrets: string[]): PodEvidence => ({
  namespace: 'dev',
  name: 'web',
  node: 'n1',
  serviceAccount: 'default',
  images: [],
  pullSecrets,
  pullSecretsFrom: 'pod',
  events: [],
  waiting: new Map(),
  owned: false,
});
const ns = (...secrets: V1Secret[]): NamespaceEvidence => ({
  namespace: 'dev',
  pods: [],
  serviceAccounts: new Map(),
  secrets: new Map(secrets.map((s) => [s.metadata!.name!, s])),
  events: new Map(),
});

test('every matching entry, in the order of the pull secrets, the most specific key first in each', () => {
  const ref = parseImage('h.example:8443/lab/tiny:1')!;
  const choice = chooseCredentials(
    pod(['a', 'missing', 'b']),
    ns(
      secret('a', { 'h.example:8443': ['alice', 'x'], 'h.example:8443/lab': ['lab', 'y'], 'h.example': ['no', 'z'] }),
      secret('b', { 'https://h.example:8443': ['bob', 'w'] }),
    ),
    ref,
  );
  assert.equal(choice.kind, 'entry');
  if (choice.kind !== 'entry') return;
  assert.deepEqual(
    choice.entries.map((e) => [e.secret, e.key, e.creds.username]),
    [
      ['a', 'h.example:8443/lab', 'lab'],
      ['a', 'h.example:8443', 'alice'],
      ['b', 'https://h.example:8443', 'bob'],
    ],
  );
});

let server: https.Server;
let host = '';
let ca = '';
before(async () => {
  const root = makeCa('doctor unit CA');
  const leaf = makeCert({ cn: 'localhost', issuer: root, ips: ['127.0.0.1'], dns: ['localhost'] });
  ca = root.certPem;
  const good = `Basic ${b64('good:pw')}`;
  server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    if (req.url === '/v2/lab/tiny/manifests/1' && req.headers.authorization === good) {
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' }).end('{}');
      return;
    }
    res.writeHead(401, { 'Www-Authenticate': 'Basic realm="r"' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

const run = (secrets: V1Secret[]) => {
  const ref = parseImage(`${host}/lab/tiny:1`)!;
  const fix: FixContext = {
    registry: host,
    project: 'lab',
    namespace: 'dev',
    serviceAccount: 'default',
    pod: 'web',
    nodeKind: 'vsphere-pod',
    cluster: undefined,
  };
  return probe({
    ref,
    choice: chooseCredentials(pod(secrets.map((s) => s.metadata!.name!)), ns(...secrets), ref),
    options: { tls: { ca: [ca], rejectUnauthorized: true }, timeoutMs: 5000 },
    trustFrom: 'the test CA',
    trustCertain: true,
    fix,
  });
};

test('a wrong entry before a working one: no finding (the kubelet pulls with the second)', async () => {
  const got = await run([secret('old', { [host]: ['stale', 'nope'] }), secret('new', { [host]: ['good', 'pw'] })]);
  assert.deepEqual(got, []);
});

test('no entry pulls: one credential finding per entry, each naming its secret', async () => {
  const got = await run([secret('old', { [host]: ['stale', 'nope'] }), secret('other', { [host]: ['x', 'y'] })]);
  assert.deepEqual(
    got.map((f) => f.code),
    ['no-pull-permission', 'no-pull-permission'],
  );
  assert.match(got[0]!.evidence, /"stale" \(secret old/);
  assert.match(got[1]!.evidence, /"x" \(secret other/);
});
