// Pure parts of login: registry names, secret names, challenges, merging, binding, stdin.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { authEntry } from '../../src/kube/dockerconfigjson.js';
import { mergeInto, newPullSecret } from '../../src/kube/pullsecret.js';
import { bindList } from '../../src/kube/serviceaccounts.js';
import { readSecretFromStdin } from '../../src/output/prompt.js';
import { defaultSecretName, parseRegistry } from '../../src/registry/endpoint.js';
import { parseChallenge } from '../../src/registry/verify.js';

test('parseRegistry: host[:port], https:// normalised, paths, user info and http:// refused', () => {
  assert.deepEqual(parseRegistry('Harbor.Example.com'), { host: 'harbor.example.com', plainHttp: false });
  assert.deepEqual(parseRegistry('https://10.0.0.5:8443/'), { host: '10.0.0.5:8443', plainHttp: false });
  assert.deepEqual(parseRegistry('https://10.0.0.5/v2/'), { host: '10.0.0.5', plainHttp: false });
  assert.deepEqual(parseRegistry('http://h:5000', { plainHttp: true }), { host: 'h:5000', plainHttp: true });
  assert.deepEqual(parseRegistry('[::1]:5000'), { host: '[::1]:5000', plainHttp: false });
  for (const [bad, msg] of [
    ['h/library/nginx', /has a path/],
    ['u:p@h', /user info/],
    ['http://h', /--plain-http/],
    ['ftp://h', /unsupported scheme/],
    ['h:99999', /out of range/],
    ['', /empty/],
    ['bad host', /not a valid/],
  ] as const) {
    assert.throws(() => parseRegistry(bad), msg, bad);
  }
});

test('defaultSecretName is a stable DNS-1123 name', () => {
  assert.equal(defaultSecretName('10.0.0.5:8443'), 'harbor-10.0.0.5-8443');
  assert.equal(defaultSecretName('Harbor.Example.com'), 'harbor-harbor.example.com');
  assert.equal(defaultSecretName('[::1]:5000'), 'harbor-1-5000');
  assert.match(defaultSecretName('x'.repeat(300)), /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  assert.ok(defaultSecretName('x'.repeat(300)).length <= 253);
});

test('parseChallenge reads Bearer and Basic challenges, quoted or not', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://h/service/token",service="harbor-registry"'), {
    scheme: 'bearer',
    params: { realm: 'https://h/service/token', service: 'harbor-registry' },
  });
  assert.deepEqual(parseChallenge('Basic realm="basic-realm"'), { scheme: 'basic', params: { realm: 'basic-realm' } });
  assert.deepEqual(parseChallenge('Bearer realm=https://h/t, scope="repository:a/b:pull,push"')?.params, {
    realm: 'https://h/t',
    scope: 'repository:a/b:pull,push',
  });
  assert.equal(parseChallenge(undefined), undefined);
});

test('mergeInto keeps other registries and keys; same entry means nothing to write; foreign secrets need --overwrite', () => {
  const entry = authEntry('robot$ci', 'pw');
  const ours = newPullSecret('s', 'ns', 'a:1', entry);
  assert.equal(mergeInto(ours, 'a:1', entry, { overwrite: false, dryRun: undefined }), undefined);
  const next = mergeInto(ours, 'b:2', authEntry('u', 'p'), { overwrite: false, dryRun: undefined })!;
  assert.deepEqual(Object.keys(JSON.parse(Buffer.from(next.data!['.dockerconfigjson']!, 'base64').toString()).auths), [
    'a:1',
    'b:2',
  ]);
  const foreign = { ...ours, metadata: { name: 's', namespace: 'ns' } };
  assert.throws(
    () => mergeInto(foreign, 'a:1', entry, { overwrite: false, dryRun: undefined }),
    /not created by kubectl-harbor; pass --overwrite/,
  );
  assert.equal(
    mergeInto(foreign, 'a:1', entry, { overwrite: true, dryRun: undefined })!.metadata!.labels![
      'app.kubernetes.io/managed-by'
    ],
    'kubectl-harbor',
  );
  assert.throws(
    () => mergeInto({ ...ours, type: 'Opaque' }, 'a:1', entry, { overwrite: false, dryRun: undefined }),
    /has type Opaque/,
  );
});

test('bindList appends only what is missing, in order; unbind removes only those named', () => {
  const cur = [{ name: 'ns-default-image-pull-secret' }, { name: 'x' }];
  assert.deepEqual(bindList(cur, ['harbor', 'x', 'harbor'], false), [...cur, { name: 'harbor' }]);
  assert.equal(bindList(cur, ['x'], false), undefined);
  assert.deepEqual(bindList(undefined, ['a'], false), [{ name: 'a' }]);
  assert.deepEqual(bindList(cur, ['x', 'absent'], true), [{ name: 'ns-default-image-pull-secret' }]);
  assert.equal(bindList(cur, ['absent'], true), undefined);
});

test('--password-stdin strips exactly one trailing newline and keeps everything else', async () => {
  const read = async (text: string) => {
    const s = new PassThrough();
    s.end(text);
    return readSecretFromStdin(s);
  };
  assert.equal(await read('secret\n'), 'secret');
  assert.equal(await read('secret\n\n'), 'secret\n');
  assert.equal(await read(' spaced \r\n'), ' spaced ');
  assert.equal(await read('no-newline'), 'no-newline');
  assert.equal(await read('robot$ci+x\\y\n'), 'robot$ci+x\\y');
});
