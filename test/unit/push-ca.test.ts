// push-ca's contract with node-trust.sh: the inputs travel on stdin as quoted assignments
// (a real sh reads them back unchanged), and each node's row comes from the script's
// RESULT line, or names why the node failed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { nodeOutcome, nodeTrustStdin } from '../../src/app/node-trust.js';
import type { Node } from '../../src/app/nodes.js';

const node: Node = { name: 'tkc-1-workers-x1', role: 'node', ip: '10.0.0.12' };
const ran = (stdout: string, code = 0, stderr = '') => ({ node, result: { code, stdout, stderr } });

test('nodeTrustStdin: every input reaches the script as data, quotes and $() included', async () => {
  const inputs = {
    name: "it's.pem",
    host: 'h:5000',
    restart: 'auto' as const,
    dryRun: true,
    pem: "-----BEGIN CERTIFICATE-----\nab'c $(touch /tmp/x) `id`\n-----END CERTIFICATE-----",
  };
  const script = `printf '%s\\n' "$NAME" "$HOST" "$RESTART" "$DRY"; printf '%s' "$CA"`;
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile('sh', ['-s'], { env: { PATH: '/usr/bin:/bin' } }, (e, stdout) =>
      e ? reject(e) : resolve(stdout),
    );
    child.stdin!.end(nodeTrustStdin(script, inputs));
  });
  assert.equal(out, `it's.pem\nh:5000\nauto\n1\n${inputs.pem}`);
  assert.match(nodeTrustStdin(script, { ...inputs, dryRun: false }), /^DRY=0$/m);
});

test('nodeOutcome: the RESULT line becomes the row', () => {
  assert.deepEqual(nodeOutcome(ran('noise\nRESULT installed yes yes photon-rehash,containerd-certs.d\n')), {
    node: 'tkc-1-workers-x1',
    role: 'node',
    ip: '10.0.0.12',
    result: 'installed',
    restarted: true,
    verified: 'yes',
    changes: ['photon-rehash', 'containerd-certs.d'],
  });
  const same = nodeOutcome(ran('RESULT unchanged no unknown none\n'));
  assert.equal(same.result, 'unchanged');
  assert.equal(same.restarted, false);
  assert.equal(same.verified, 'unknown');
  assert.deepEqual(same.changes, []);
  assert.equal(nodeOutcome(ran('RESULT would-install no no none')).result, 'would-install');
});

test('nodeOutcome: a node that could not be reached keeps its error', () => {
  const r = nodeOutcome({ node: { ...node, ip: undefined }, error: 'tkc-1-workers-x1 has no IP yet' });
  assert.deepEqual(r, {
    node: 'tkc-1-workers-x1',
    role: 'node',
    ip: null,
    result: 'failed',
    restarted: false,
    verified: 'unknown',
    changes: [],
    error: 'tkc-1-workers-x1 has no IP yet',
  });
});

test('nodeOutcome: denied sudo is named; otherwise the last stderr line, else the exit code', () => {
  assert.equal(
    nodeOutcome(ran('', 1, 'sudo: a password is required\n')).error,
    'tkc-1-workers-x1: sudo was denied (vmware-system-user needs passwordless sudo)',
  );
  assert.equal(
    nodeOutcome(ran('', 1, 'cp: x\nmv: cannot move: Read-only file system\n')).error,
    'tkc-1-workers-x1: mv: cannot move: Read-only file system',
  );
  assert.equal(nodeOutcome(ran('', 3)).error, 'tkc-1-workers-x1: exit 3');
  assert.equal(
    nodeOutcome(ran('RESULT installed yes yes none', 1, 'late failure')).result,
    'failed',
    'a non-zero exit fails even after a RESULT line',
  );
});

test('nodeOutcome: a RESULT line with values the script never prints is a failure, not a guess', () => {
  const r = nodeOutcome(ran('RESULT exploded yes yes none'));
  assert.equal(r.result, 'failed');
  assert.match(r.error ?? '', /unexpected script result "RESULT exploded yes yes none"/);
});
