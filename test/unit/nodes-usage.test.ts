// push-ca and jumpbox: every bad flag value is a usage error (exit 2) found before any
// file, network or API access. The kubeconfig points at a dead server: had anything been
// contacted, the error would say "connection refused".
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let kubeconfig: string;

before(() => {
  kubeconfig = new KC()
    .cluster('dead', 'https://127.0.0.1:1')
    .ctx('dev', 'dead', 'u', 'dev')
    .use('dev')
    .write(tempDir('harbor-nodes-usage-'));
});

const pushCa = ['push-ca', 'tkc-1', '--ca-file', '/nonexistent/ca.pem', '--registry', 'h'];
const exec = (...flags: string[]) => ['jumpbox', 'exec', 'tkc-1', ...flags, '--', 'true'];

const cases: Array<[string, string[], RegExp]> = [
  [
    'push-ca --ttl 5s',
    [...pushCa, '--ttl', '5s'],
    /^error: --ttl "5s" must be a duration of at least 1m, such as 30m or 2h$/m,
  ],
  ['push-ca --ttl=soon', [...pushCa, '--ttl=soon'], /--ttl "soon" must be a duration/],
  [
    'push-ca --via bogus',
    [...pushCa, '--via', 'bogus'],
    /Invalid value for --via: expected one of "jumpbox", "direct", or "daemonset" \(got "bogus"\)/,
  ],
  [
    'push-ca --restart bogus',
    [...pushCa, '--restart', 'bogus'],
    /Invalid value for --restart: expected one of "auto", "always", or "never" \(got "bogus"\)/,
  ],
  [
    'push-ca --role bogus',
    [...pushCa, '--role', 'bogus'],
    /Invalid value for --role: expected one of "controlplane" or "node" \(got "bogus"\)/,
  ],
  ['push-ca --image=', [...pushCa, '--image='], /--image needs a value/],
  ['push-ca --parallel 0', [...pushCa, '--parallel', '0'], /--parallel/],
  [
    'push-ca bad CLUSTER',
    ['push-ca', 'Bad_Name', '--ca-file', 'x', '--registry', 'h'],
    /CLUSTER "Bad_Name" is not a valid Kubernetes name/,
  ],
  ['push-ca --nodes and --role', [...pushCa, '--nodes', 'a', '--role', 'node'], /choose the nodes/],
  ['jumpbox exec --ttl 5s', exec('--all', '--ttl', '5s'), /--ttl "5s" must be a duration of at least 1m/],
  [
    'jumpbox exec --role bogus',
    exec('--role', 'bogus'),
    /Invalid value for --role: expected one of "controlplane" or "node" \(got "bogus"\)/,
  ],
  ['jumpbox exec --via bogus (no such flag)', exec('--all', '--via', 'bogus'), /--via/],
  ['jumpbox exec --image=', exec('--all', '--image='), /--image needs a value/],
  [
    'jumpbox exec --pull-secret Bad_Name',
    exec('--all', '--pull-secret', 'Bad_Name'),
    /--pull-secret "Bad_Name" is not a valid Kubernetes name/,
  ],
  [
    'jumpbox exec bad CLUSTER',
    ['jumpbox', 'exec', 'Bad_Name', '--all', '--', 'true'],
    /CLUSTER "Bad_Name" is not a valid Kubernetes name/,
  ],
  ['jumpbox exec no command', ['jumpbox', 'exec', 'tkc-1', '--all'], /give the command after --/],
  ['jumpbox ssh --ttl 5s', ['jumpbox', 'ssh', 'tkc-1', 'n1', '--ttl', '5s'], /--ttl "5s" must be a duration/],
  ['jumpbox create --ttl 5s', ['jumpbox', 'create', 'tkc-1', '--ttl', '5s'], /--ttl "5s" must be a duration/],
  ['jumpbox delete with neither', ['jumpbox', 'delete'], /name the cluster, or pass --all/],
  [
    'jumpbox list -n and -A',
    ['jumpbox', 'list', '-n', 'dev', '-A'],
    /use either -n\/--namespace or -A\/--all-namespaces/,
  ],
  [
    'jumpbox status bad CLUSTER',
    ['jumpbox', 'status', 'Bad_Name'],
    /CLUSTER "Bad_Name" is not a valid Kubernetes name/,
  ],
];

for (const [name, argv, message] of cases) {
  test(`${name}: exit 2 before any I/O`, async () => {
    const r = await cli([...argv, '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /connection refused|127\.0\.0\.1|no such file/i);
    assert.equal(r.stdout, '');
  });
}

test('the control: a valid command with the same kubeconfig does reach for the dead server', async () => {
  const r = await cli(['jumpbox', 'status', 'tkc-1', '--kubeconfig', kubeconfig]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /connection refused https:\/\/127\.0\.0\.1:1/);
});
