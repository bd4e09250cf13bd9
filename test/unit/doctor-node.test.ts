// doctor --from-node's pure parts: openssl s_client's output per trust file read back into
// doctor codes (OpenSSL verify codes, socket failures, the kill after the limit), and the
// verdict over a node's trust files (any verifies: verified; else the failure that got furthest),
// and how the node's verdict and this workstation's probes combine.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { makeCa, makeCert } from '../../lab/pki.js';
import { parseImage } from '../../src/app/doctor-match.js';
import { judge, type NodeTls, parseRuns, probeFromNode, verdict } from '../../src/app/doctor-node.js';
import type { ProbeContext } from '../../src/app/doctor-probes.js';
import type { FixContext } from '../../src/app/doctor-verdict.js';

const run = (store: string, body: string, rc = 1): string => `@@store ${store}\n${body}\n@@rc ${rc}\n`;
const BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const CERTS_D = '/etc/containerd/certs.d/h:8443/ca.crt';

test('openssl output per trust file maps to codes', () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['CONNECTED(00000003)\nVerify return code: 0 (ok)', 0, undefined],
    ['verify error:num=19:self-signed certificate in certificate chain\nVerify return code: 19 (x)', 1, 'ca-untrusted'],
    ['verify error:num=20:unable to get local issuer certificate', 1, 'ca-untrusted'],
    ['verify error:num=10:certificate has expired', 1, 'cert-expired'],
    ['verify error:num=62:hostname mismatch', 1, 'name-mismatch'],
    ['verify error:num=64:IP address mismatch', 1, 'ip-san-missing'],
    ['connect:errno=111\nConnection refused', 1, 'unreachable'],
    ['BIO_lookup_ex:system lib: Name or service not known', 1, 'dns'],
    ['error:0A00010B:SSL routines::wrong version number', 1, 'plain-http'],
    ['CONNECTED(00000003)\n@@timeout', 143, 'timeout'],
    ['something new', 1, 'unknown'],
  ];
  for (const [body, rc, code] of cases) {
    const [r] = parseRuns(run(BUNDLE, body, rc));
    assert.equal(judge(r!).code, code, body);
  }
});

test('verdict: any trust file verifies; else the failure past the chain wins; the node and its files in the evidence', () => {
  const ok = verdict(
    'n1 (10.0.0.11)',
    parseRuns(run(BUNDLE, 'verify error:num=19:self-signed') + run(CERTS_D, 'Verify return code: 0 (ok)', 0)),
  );
  assert.equal(ok.code, undefined);
  assert.match(
    ok.evidence,
    /^from node n1 \(10\.0\.0\.11\) through the jumpbox, against its own trust \(.*ca-certificates\.crt, .*ca\.crt\): verified$/,
  );
  const expired = verdict(
    'n1',
    parseRuns(
      run(BUNDLE, 'verify error:num=19:self-signed') + run(CERTS_D, 'verify error:num=10:certificate has expired'),
    ),
  );
  assert.equal(expired.code, 'cert-expired');
  assert.match(expired.evidence, /verify error 10 \(certificate has expired\)$/);
  const untrusted = verdict(
    'n1',
    parseRuns(run(BUNDLE, 'verify error:num=19:self-signed certificate in certificate chain')),
  );
  assert.equal(untrusted.code, 'ca-untrusted');
  assert.equal(verdict('n1', parseRuns('@@nostore\n')).code, 'unknown');
});

test('probeFromNode: the node judges TLS; a TLS failure seen only here is a warning; an unreachable node falls back', async () => {
  const root = makeCa('doctor node unit CA');
  const leaf = makeCert({ cn: 'localhost', issuer: root, ips: ['127.0.0.1'], dns: ['localhost'] });
  const server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.writeHead(200).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ref = parseImage(`${host}/lab/tiny:1`)!;
    const fix: FixContext = {
      registry: host,
      project: 'lab',
      namespace: 'default',
      serviceAccount: 'default',
      pod: 'web',
      nodeKind: 'tkc-node',
      cluster: 'tkc-1',
    };
    // This workstation does not trust the test CA.
    const c = (): ProbeContext => ({
      ref,
      choice: { kind: 'none', missing: [], unbound: undefined, nearMiss: undefined },
      options: { tls: { ca: [], rejectUnauthorized: true }, timeoutMs: 5000 },
      trustFrom: 'none',
      trustCertain: false,
      fix: { ...fix },
    });
    const node = (t: NodeTls) => ({ check: async () => t });
    const verified = await probeFromNode(
      node({ node: 'n1', checked: true, code: undefined, evidence: 'from node n1 x: verified' }),
      'n1',
      c(),
    );
    assert.deepEqual(
      verified.map((f) => [f.code, f.severity]),
      [['unknown', 'warning']],
    );
    assert.match(verified[0]!.evidence, /^TLS verifies from node n1 x, but not from this workstation .*--ca-file/);
    const expired = await probeFromNode(
      node({ node: 'n1', checked: true, code: 'cert-expired', evidence: 'from node n1: verify error 10' }),
      'n1',
      c(),
    );
    assert.deepEqual(
      expired.map((f) => [f.code, f.severity, f.evidence]),
      [['cert-expired', 'error', 'from node n1: verify error 10']],
    );
    const down = await probeFromNode(
      node({ node: 'n1', checked: false, code: undefined, evidence: 'n1: connection refused' }),
      'n1',
      c(),
    );
    assert.deepEqual(
      down.map((f) => [f.code, f.severity]),
      [
        ['unknown', 'warning'],
        ['ca-untrusted', 'warning'],
      ],
    );
  } finally {
    server.close();
  }
});
