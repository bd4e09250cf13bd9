// Which nodes a command works on: selectNodes (all, a role, names) and pickNode (exact
// name, unique prefix, IP, ambiguous, unknown); and what a VirtualMachine says of its node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickNode, selectNodes, type Node } from '../../src/app/nodes.js';
import { byRoleThenName, vmNode } from '../../src/kube/virtualmachines.js';
import { CliError } from '../../src/errors.js';

const nodes: Node[] = [
  { name: 'tkc-1-control-plane-abc', role: 'controlplane', ip: '10.0.0.11' },
  { name: 'tkc-1-workers-x1', role: 'node', ip: '10.0.0.12' },
  { name: 'tkc-1-workers-x2', role: 'node', ip: '10.0.0.13' },
  { name: 'tkc-1-workers-y9', role: 'node', ip: undefined },
];

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return e.code;
  }
  return undefined;
};

test('pickNode: an exact name wins over a prefix of another', () => {
  const withPrefix = [...nodes, { name: 'tkc-1-workers-x1-extra', role: 'node' as const, ip: '10.0.0.14' }];
  assert.equal(pickNode(withPrefix, 'tkc-1-workers-x1').ip, '10.0.0.12');
});

test('pickNode: a unique prefix, and an IP', () => {
  assert.equal(pickNode(nodes, 'tkc-1-control').name, 'tkc-1-control-plane-abc');
  assert.equal(pickNode(nodes, 'tkc-1-workers-y').name, 'tkc-1-workers-y9');
  assert.equal(pickNode(nodes, '10.0.0.13').name, 'tkc-1-workers-x2');
});

test('pickNode: an ambiguous prefix names the matches; an unknown node lists the nodes', () => {
  assert.equal(
    code(() => pickNode(nodes, 'tkc-1-workers-x')),
    'AMBIGUOUS_NODE',
  );
  assert.throws(
    () => pickNode(nodes, 'tkc-1-workers-x'),
    /"tkc-1-workers-x" matches 2 nodes \(tkc-1-workers-x1, tkc-1-workers-x2\); give more of the name/,
  );
  assert.equal(
    code(() => pickNode(nodes, 'nope')),
    'NO_NODE',
  );
  assert.throws(() => pickNode(nodes, '10.0.0.99'), /no node "10\.0\.0\.99"; nodes are .*tkc-1-workers-y9 \(no IP\)/);
});

test('selectNodes: all keeps every node in order, including one without an IP (reported later, never skipped)', () => {
  assert.deepEqual(selectNodes({ kind: 'all' })(nodes), nodes);
});

test('selectNodes: a role', () => {
  assert.deepEqual(
    selectNodes({ kind: 'role', role: 'controlplane' })(nodes).map((n) => n.name),
    ['tkc-1-control-plane-abc'],
  );
  assert.deepEqual(
    selectNodes({ kind: 'role', role: 'node' })(nodes).map((n) => n.name),
    ['tkc-1-workers-x1', 'tkc-1-workers-x2', 'tkc-1-workers-y9'],
  );
});

test('selectNodes: names in the order given, each node once however it was named', () => {
  const picked = selectNodes({ kind: 'names', names: ['10.0.0.13', 'tkc-1-control', 'tkc-1-workers-x2'] })(nodes);
  assert.deepEqual(
    picked.map((n) => n.name),
    ['tkc-1-workers-x2', 'tkc-1-control-plane-abc'],
  );
  assert.throws(() => selectNodes({ kind: 'names', names: ['tkc-1-workers-x'] })(nodes), /matches 2 nodes/);
});

test('vmNode: role and IP from either label family and either status field; no IP is undefined', () => {
  assert.deepEqual(
    vmNode({
      metadata: { name: 'a', labels: { 'capw.vmware.com/cluster.role': 'controlplane' } },
      status: { network: { primaryIP4: '10.0.0.1' }, vmIp: '10.9.9.9' },
    }),
    { name: 'a', role: 'controlplane', ip: '10.0.0.1' },
  );
  assert.deepEqual(
    vmNode({
      metadata: { name: 'b', labels: { 'capv.vmware.com/cluster.role': 'node' } },
      status: { vmIp: '10.0.0.2' },
    }),
    { name: 'b', role: 'node', ip: '10.0.0.2' },
  );
  assert.deepEqual(
    vmNode({ metadata: { name: 'c', labels: { 'capv.vmware.com/cluster.role': 'etcd' } }, status: { vmIp: '' } }),
    { name: 'c', role: 'unknown', ip: undefined },
  );
});

test('byRoleThenName: control plane first, then by name; a total order', () => {
  const mixed: Node[] = [
    { name: 'z', role: 'unknown', ip: undefined },
    { name: 'b', role: 'node', ip: undefined },
    { name: 'c', role: 'controlplane', ip: undefined },
    { name: 'a', role: 'node', ip: undefined },
  ];
  assert.deepEqual(
    [...mixed].sort(byRoleThenName).map((n) => n.name),
    ['c', 'a', 'b', 'z'],
  );
  assert.deepEqual(
    [...mixed]
      .reverse()
      .sort(byRoleThenName)
      .map((n) => n.name),
    ['c', 'a', 'b', 'z'],
  );
});
