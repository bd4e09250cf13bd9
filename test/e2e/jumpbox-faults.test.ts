// `jumpbox exec` when things go wrong mid-run, with the built plugin against the lab's
// real nodes: Ctrl-C stops the command in flight (SIGINT to it, channel closed), starts no
// other node, deletes the jumpbox pod and exits 130; a jumpbox pod deleted under the run
// fails every unfinished node with a reason and exits 1, never a silent 0.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { LabConfig } from '../../lab/config.js';
import type { LabInfo } from '../../lab/lab.js';
import { nodeExec } from '../../lab/nodes/nodes.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';
import { baseEnv, exec, PLUGIN, type Result, runAndActWhen } from '../helpers/run.js';

const MARK = '/tmp/harbor-test-exec';

describe('jumpbox exec under faults', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let lab: LabInfo;
  let cfg: LabConfig;
  let home: string;
  const env = () => baseEnv({ HOME: home, KUBECONFIG: lab.adminKubeconfig });
  const kubectl = (a: string[]): Promise<Result> =>
    exec('kubectl', ['--cache-dir', path.join(home, 'kcache'), '--context', lab.cluster.namespace, ...a], env());
  const marked = async () => {
    let n = 0;
    for (let i = 1; i <= cfg.nodes; i++) if ((await nodeExec(cfg, i, ['test', '-e', MARK])).code === 0) n++;
    return n;
  };
  const clearMarks = async () => {
    for (let i = 1; i <= cfg.nodes; i++) await nodeExec(cfg, i, ['rm', '-f', MARK]);
  };

  /** `jumpbox exec --all --parallel 1` of a long command; `act` once it runs on the first node. */
  const runWhile = (act: (child: ChildProcess) => void): Promise<Result> => {
    const args = ['--context', lab.cluster.namespace, 'jumpbox', 'exec', lab.cluster.name, '--all', '--parallel', '1'];
    return runAndActWhen(
      PLUGIN,
      [...args, '--', 'sh', '-c', `touch ${MARK}; sleep 60`],
      env(),
      async () => (await marked()) >= 1,
      act,
    );
  };

  before(async () => {
    ({ info: lab, cfg } = await sharedLab());
  });
  beforeEach(async () => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
    home = tempDir('harbor-jumpbox-faults-');
    await clearMarks();
  });
  after(async () => {
    if (cfg) await clearMarks().catch(() => undefined);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('SIGINT: the command in flight is stopped, no other node starts, the pod is deleted, exit 130', async () => {
    const r = await runWhile((child) => child.kill('SIGINT'));
    assert.equal(r.code, 130, r.stderr);
    assert.equal(await marked(), 1, 'no other node started');
    assert.match(r.stderr, /interrupted: starting no more nodes/);
    assert.equal((r.stderr.match(/^error: .*interrupted$/gm) ?? []).length, 1, r.stderr);
    assert.match(r.stderr, /jumpbox exec: 3 nodes: 2 skipped \(interrupted\), 1 failed/);
    assert.equal(
      (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.cluster.name}`])).code,
      1,
      'the pod this run created is deleted',
    );
  });

  test('the jumpbox pod deleted mid-run: every unfinished node failed with a reason, exit 1', async () => {
    const r = await runWhile(() => {
      void kubectl(['delete', 'pod', `harbor-jumpbox-${lab.cluster.name}`, '--grace-period=0', '--force']);
    });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    assert.equal(errors.length, 3, r.stderr);
    assert.match(errors[0]!, /connection lost while the command ran \(the relay to .* ended/);
    for (const e of errors.slice(1))
      assert.match(e, /not started: pod\/harbor-jumpbox-tkc-1 .* was deleted during the run/);
    assert.match(r.stderr, /jumpbox exec: 3 nodes: 3 failed/);
    assert.doesNotMatch(r.stderr, /internal error/);
  });
});
