// The one translation point: Kubernetes Status bodies and socket errors become one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translate } from '../../src/translate.js';
import { ApiError, type CliError, NetworkError } from '../../src/errors.js';

const status = (code: number, reason: string, message: string) => ({
  code,
  body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }),
});

test('Kubernetes Status errors keep the reason and the server message', () => {
  const cases: Array<[number, string, RegExp]> = [
    [403, 'Forbidden', /^creating secret\/x: Forbidden: secrets is forbidden: User "u" cannot create/],
    [404, 'NotFound', /^creating secret\/x: NotFound: namespaces "nope" not found$/],
    [409, 'Conflict', /^creating secret\/x: Conflict: the object has been modified/],
    [409, 'AlreadyExists', /^creating secret\/x: AlreadyExists: /],
    [422, 'Invalid', /^creating secret\/x: Invalid: /],
    [500, 'InternalError', /^creating secret\/x: server answered 500 InternalError: /],
  ];
  const messages: Record<string, string> = {
    Forbidden: 'secrets is forbidden: User "u" cannot create resource "secrets"',
    NotFound: 'namespaces "nope" not found',
    Conflict: 'the object has been modified; please apply your changes to the latest version',
    AlreadyExists: 'secrets "x" already exists',
    Invalid: 'Secret "X" is invalid: metadata.name: Invalid value',
    InternalError: 'boom\nsecond line',
  };
  for (const [code, reason, re] of cases) {
    const e = translate(status(code, reason, messages[reason]!), { doing: 'creating secret/x' });
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, code);
    assert.equal(e.reason, reason);
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'));
  }
});

test('401 on a vSphere session says the token expired and how to log in again', () => {
  const e = translate(status(401, 'Unauthorized', 'Unauthorized'), {
    doing: 'listing secrets',
    context: 'team-a',
    vsphere: { server: '10.0.0.10', username: 'devops@vsphere.local' },
  }) as CliError;
  assert.match(
    e.message,
    /Unauthorized: the vSphere session token has expired .* run `kubectl vsphere login --server 10.0.0.10 --vsphere-username devops@vsphere.local` again/,
  );
  const plain = translate({ code: 401, body: '' }, { doing: 'listing secrets', context: 'kind' }) as CliError;
  assert.match(plain.message, /check the credentials of context "kind"/);
});

test('socket and TLS errors, also when nested in a cause chain', () => {
  const sys = (code: string, message = code) => Object.assign(new Error(message), { code });
  const cases: Array<[unknown, string, RegExp]> = [
    [sys('ECONNREFUSED'), 'REFUSED', /connection refused https:\/\/h:1/],
    [sys('ENOTFOUND'), 'DNS', /cannot resolve host/],
    [sys('ETIMEDOUT'), 'TIMEOUT', /timed out/],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'TIMEOUT', /timed out/],
    [sys('DEPTH_ZERO_SELF_SIGNED_CERT'), 'TLS_UNKNOWN_CA', /x509: certificate signed by unknown authority/],
    [sys('SELF_SIGNED_CERT_IN_CHAIN'), 'TLS_UNKNOWN_CA', /unknown authority/],
    [sys('CERT_HAS_EXPIRED'), 'TLS_EXPIRED', /certificate has expired/],
    [
      sys(
        'ERR_TLS_CERT_ALTNAME_INVALID',
        "Hostname/IP does not match certificate's altnames: IP: 10.1.2.3 is not in the cert's list: ",
      ),
      'TLS_NO_IP_SAN',
      /not valid for IP 10.1.2.3/,
    ],
    [sys('EPROTO', 'wrong version number'), 'TLS_PLAIN_HTTP', /gave HTTP response to HTTPS client/],
    [new Error('request to x failed', { cause: sys('ECONNRESET') }), 'RESET', /connection reset/],
  ];
  for (const [err, code, re] of cases) {
    const e = translate(err, { doing: 'talking', target: 'https://h:1' });
    assert.ok(e instanceof NetworkError, `${code}: ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
  }
});

test('anything else is left alone: it is a bug, not a user mistake', () => {
  const bug = new TypeError('x is undefined');
  assert.equal(translate(bug, { doing: 'x' }), bug);
});

test('no IP SAN: the line names the DNS names the certificate holds, the host:port to use and the other fix', () => {
  const err = Object.assign(
    new Error("Hostname/IP does not match certificate's altnames: IP: 10.1.2.3 is not in the cert's list: "),
    { code: 'ERR_TLS_CERT_ALTNAME_INVALID', cert: { subjectaltname: 'DNS:harbor.example.com, DNS:*.example.com' } },
  );
  const e = translate(new Error('request failed', { cause: err }), { doing: 'logging in', target: '10.1.2.3:8444' });
  assert.ok(e instanceof NetworkError);
  assert.equal(
    e.message,
    'logging in: x509: certificate is not valid for IP 10.1.2.3 (it has no matching IP SAN); it is valid for harbor.example.com, *.example.com: use harbor.example.com:8444 instead (in DNS or /etc/hosts), or re-issue the certificate with an IP SAN for 10.1.2.3',
  );
  const bare = Object.assign(new Error("IP: 10.1.2.3 is not in the cert's list: "), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  assert.match(
    (translate(bare, { doing: 'x', target: 'https://10.1.2.3:6443' }) as Error).message,
    /no matching IP SAN\); use a host name the certificate holds, or re-issue the certificate with an IP SAN for 10\.1\.2\.3$/,
  );
});
