// Many clusters at once (push-ca, jumpbox exec, trust --cluster): every bad combination of
// CLUSTER arguments, --all-clusters, -n, --namespaces, -A and --parallel-clusters is a usage
// error (exit 2) found before any file, network or API access; and the pure parts of the
// shared machinery (labels, node counts).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { clusterLabel, fromNodes, nodeDetail } from '../../src/app/clusters.js';
import { commandDefs, complete, Directive } from '../../src/app/complete.js';
import { BINARY_NAME, getCli } from '../../src/cli.js';
import { ENUMS } from '../../src/commands/options.js';
import { KC, tempDir } from '../helpers/kubeconfig.js';
import { cli } from '../helpers/run.js';

let kubeconfig: string;

before(() => {
  kubeconfig = new KC()
    .cluster('dead', 'https://127.0.0.1:1')
    .ctx('dev', 'dead', 'u', 'dev')
    .use('dev')
    .write(tempDir('harbor-clusters-usage-'));
});

const ca = ['--ca-file', '/nonexistent/ca.pem', '--registry', 'h'];
const pushCa = (...args: string[]) => ['push-ca', ...args, ...ca];
const exec = (...args: string[]) => ['jumpbox', 'exec', ...args, '--all', '--', 'true'];
const trust = (...args: string[]) => ['trust', 'h', '--ca-file', '/nonexistent/ca.pem', '--yes', ...args];

const cases: Array<[string, string[], RegExp]> = [
  [
    'push-ca CLUSTER with --all-clusters',
    pushCa('tkc-1', '--all-clusters'),
    /^error: name clusters \(CLUSTER\) or use --all-clusters, not both$/m,
  ],
  ['push-ca no CLUSTER', pushCa(), /^error: name the cluster: CLUSTER \(several, or --all-clusters\)$/m],
  [
    'push-ca a bad name among several',
    pushCa('tkc-1', 'Bad_Name'),
    /CLUSTER "Bad_Name" is not a valid Kubernetes name/,
  ],
  ['push-ca a,,b', pushCa('tkc-1,,tkc-2'), /CLUSTER "" is not a valid Kubernetes name/],
  ['push-ca --parallel-clusters 0', pushCa('--all-clusters', '--parallel-clusters', '0'), /--parallel-clusters/],
  ['push-ca --parallel-clusters x', pushCa('--all-clusters', '--parallel-clusters', 'x'), /--parallel-clusters/],
  ['push-ca --parallel-clusters 1.5', pushCa('--all-clusters', '--parallel-clusters', '1.5'), /--parallel-clusters/],
  [
    'push-ca -A with -n',
    pushCa('--all-clusters', '-A', '-n', 'dev'),
    /^error: use only one of -n\/--namespace, --namespaces and -A\/--all-namespaces$/m,
  ],
  [
    'push-ca --namespaces with -A',
    pushCa('--all-clusters', '-A', '--namespaces', 'dev'),
    /use only one of -n\/--namespace, --namespaces and -A/,
  ],
  [
    'push-ca --namespaces ,',
    pushCa('--all-clusters', '--namespaces', ','),
    /--namespaces needs at least one namespace/,
  ],
  ['push-ca --namespaces Bad', pushCa('--all-clusters', '--namespaces', 'dev,Bad'), /"Bad"/],
  [
    'push-ca -A without --all-clusters',
    pushCa('tkc-1', '-A'),
    /^error: --namespaces and -A say where --all-clusters looks; the namespace of a named cluster is -n$/m,
  ],
  ['push-ca --namespaces without --all-clusters', pushCa('tkc-1', '--namespaces', 'dev'), /say where --all-clusters/],
  ['jumpbox exec a bad name in a list', exec('tkc-1,Bad_Name'), /CLUSTER "Bad_Name" is not a valid Kubernetes name/],
  ['jumpbox exec -A with -n', exec('--all-clusters', '-A', '-n', 'dev'), /use only one of -n\/--namespace/],
  ['jumpbox exec --parallel-clusters 0', exec('tkc-1,tkc-2', '--parallel-clusters', '0'), /--parallel-clusters/],
  ['jumpbox exec -A without --all-clusters', exec('tkc-1', '-A'), /say where --all-clusters looks/],
  [
    'trust --cluster with --all-clusters',
    trust('--cluster', 'a', '--all-clusters'),
    /name clusters \(--cluster\) or use --all-clusters, not both/,
  ],
  ['trust --cluster a,Bad', trust('--cluster', 'a,Bad_Name'), /--cluster "Bad_Name" is not a valid Kubernetes name/],
  [
    'trust -A with no cluster target',
    trust('--supervisor', '-A'),
    /^error: --namespaces and -A say where --all-clusters looks$/m,
  ],
  ['trust --all-clusters -A -n', trust('--all-clusters', '-A', '-n', 'dev'), /use only one of -n\/--namespace/],
  ['trust --parallel-clusters 65', trust('--all-clusters', '--parallel-clusters', '65'), /--parallel-clusters/],
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

test('the control: several clusters, well formed, do reach for the dead server', async () => {
  for (const argv of [
    ['push-ca', 'tkc-1', 'tkc-2', '--ca-file', '/dev/null', '--registry', 'h'],
    ['jumpbox', 'exec', '--all-clusters', '--namespaces', 'dev,prod', '--all', '--', 'true'],
  ]) {
    const r = await cli([...argv, '--kubeconfig', kubeconfig]);
    assert.notEqual(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
  }
});

test('trust --remove counts --all-clusters as a target', async () => {
  const r = await cli(['trust', '--remove', '--name', 'x', '--kubeconfig', kubeconfig]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--remove needs a target/);
  const all = await cli(['trust', '--remove', '--name', 'x', '--all-clusters', '--kubeconfig', kubeconfig]);
  assert.notEqual(all.code, 2, all.stderr);
});

test('clusterLabel: the name, or namespace/name once the clusters span namespaces', () => {
  const one = [
    { namespace: 'dev', cluster: 'a' },
    { namespace: 'dev', cluster: 'b' },
  ];
  assert.equal(clusterLabel(one)(one[0]!), 'a');
  const two = [...one, { namespace: 'prod', cluster: 'a' }];
  assert.equal(clusterLabel(two)(two[2]!), 'prod/a');
  assert.equal(clusterLabel(two)(two[0]!), 'dev/a');
});

test('nodeDetail: the count, then each result with its count in first-seen order', () => {
  assert.equal(nodeDetail(['installed', 'unchanged', 'installed']), '3 nodes: 2 installed, 1 unchanged');
  assert.equal(nodeDetail(['failed']), '1 node: 1 failed');
  assert.equal(nodeDetail([]), '0 nodes');
});

test('fromNodes: failed when a node failed, interrupted when a node never started, else done', () => {
  assert.deepEqual(fromNodes(['installed', 'unchanged'], {}), {
    result: 'done',
    detail: '2 nodes: 1 installed, 1 unchanged',
    data: {},
  });
  const bad = fromNodes(['installed', 'failed', 'skipped (interrupted)'], {});
  assert.equal(bad.result, 'failed');
  assert.equal(bad.error, '1 node failed');
  const cut = fromNodes(['installed', 'skipped (interrupted)'], {});
  assert.equal(cut.result, 'interrupted');
  assert.equal(cut.error, undefined, 'an interrupted cluster did not fail');
});

test('completion offers cluster names for each CLUSTER argument, the next name of a list, and --cluster', async () => {
  const defs = commandDefs(getCli().definitions(), BINARY_NAME);
  const sources = {
    contexts: async () => [],
    namespaces: async () => [],
    clusters: async () => ['tkc-1', 'tkc-2', 'vks-1'],
    enums: ENUMS,
  };
  const run = (...words: string[]) => complete(words, defs, sources);
  const NOFILE = `:${Directive.NoFileComp}`;
  assert.deepEqual(await run('push-ca', ''), ['tkc-1', 'tkc-2', 'vks-1', NOFILE]);
  assert.deepEqual(await run('push-ca', 'tkc-1', '-n', 'dev', 't'), ['tkc-2', NOFILE], 'not the one already named');
  assert.deepEqual(await run('jumpbox', 'exec', 'tkc-1,'), ['tkc-1,tkc-2', 'tkc-1,vks-1', NOFILE]);
  assert.deepEqual(await run('jumpbox', 'exec', 'tkc-1', ''), [NOFILE], 'jumpbox exec takes one CLUSTER word');
  assert.deepEqual(await run('jumpbox', 'exec', 'tkc-1', '--all', '--', ''), [NOFILE], 'after --: the command');
  assert.deepEqual(await run('trust', '--cluster', 'v'), ['vks-1', NOFILE]);
  assert.deepEqual(await run('jumpbox', 'ssh', ''), ['tkc-1', 'tkc-2', 'vks-1', NOFILE]);
});
