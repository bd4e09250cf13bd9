// npm run demo, as a test: the whole story on a lab of its own (prefix khd), every step
// checked by the demo itself; so the README's main command cannot rot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canRunLab } from '../helpers/lab.js';
import { exec, ROOT } from '../helpers/run.js';

describe('npm run demo', { skip: !canRunLab && 'needs root for the lab' }, () => {
  test('walks the story, re-runs it unchanged, and tears its lab down', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? '/root',
      LAB_DIR: '/tmp/kubectl-harbor-lab-demo',
      LAB_PREFIX: 'khd',
      LAB_NET: '10.221.0',
      LAB_PORT_OFFSET: '400',
      NO_COLOR: '1',
    };
    const r = await exec('bash', [`${ROOT}/scripts/demo.sh`], env);
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr.slice(-2000));
    assert.match(r.stdout, /x509: certificate signed by unknown authority/);
    assert.match(r.stdout, /\$ kubectl harbor --context tkc-1 doctor app\n[^$]*error ca-untrusted: /);
    assert.match(r.stdout, /\$ kubectl harbor --context dev push-ca tkc-1 --from-registry/);
    assert.match(r.stdout, /#\s+n1 \(photon\): pulled /);
    assert.match(r.stdout, /#\s+n2 \(ubuntu\): pulled /);
    const summary = r.stdout.slice(r.stdout.lastIndexOf('Summary'));
    assert.equal((summary.match(/\(re-run\)\s+unchanged/g) ?? []).length, 3, summary);
    assert.doesNotMatch(summary, /FAILED/);
    assert.match(r.stdout, /The lab is down/);
  });
});
