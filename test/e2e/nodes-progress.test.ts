// Progress on node work, through script(1) with a PTY that has a width: a spinner while the
// jumpbox pod starts (`waiting for pod/<name> to run`), then `push-ca: n/3 nodes done` and
// `jumpbox exec: n/3 nodes done`; nothing in a pipe or with -o json; stdout stays data only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { LabInfo } from '../../lab/lab.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';
import { baseEnv, exec, PLUGIN } from '../helpers/run.js';

describe('progress on node work', {
  skip: (!canRunLab && 'needs root for the lab') || (!fs.existsSync('/usr/bin/script') && 'needs script(1)'),
}, () => {
  let lab: LabInfo;
  let home: string;
  const env = (extra: NodeJS.ProcessEnv = {}) => baseEnv({ HOME: home, KUBECONFIG: lab.adminKubeconfig, ...extra });
  const pushCa = () => [
    '--context',
    lab.cluster.namespace,
    'push-ca',
    lab.cluster.name,
    '--ca-file',
    lab.ca,
    '--registry',
    lab.harbor,
    '--parallel',
    '1',
  ];
  const execAll = () => [
    '--context',
    lab.cluster.namespace,
    'jumpbox',
    'exec',
    lab.cluster.name,
    '--all',
    '--parallel',
    '1',
    '--',
    'sh',
    '-c',
    'sleep 1; hostname',
  ];
  /** The plugin inside script(1) on a PTY of 120 columns; what the terminal showed. */
  const onPty = (args: string[]) => {
    const cmd = [PLUGIN, ...args].map((a) => `'${a}'`).join(' ');
    return exec('script', ['-qec', `stty cols 120 rows 40; ${cmd}`, '/dev/null'], env({ TERM: 'xterm' }));
  };

  before(async () => {
    ({ info: lab } = await sharedLab());
    home = tempDir('harbor-nodes-progress-');
  });
  after(() => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('push-ca on a terminal: the pod wait, then nodes counted; every row whole', async () => {
    const r = await onPty(pushCa());
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`waiting for pod/harbor-jumpbox-${lab.cluster.name} to run`));
    assert.match(r.stdout, /push-ca: [0-3]\/3 nodes done/);
    // Each row is whole: the spinner was cleared before the table was written.
    assert.equal(r.stdout.match(/^tkc-1-\S+\s+\S+\s+[\d.]+\s+(installed|unchanged)\s.*\r?$/gm)?.length, 3, r.stdout);
  });

  test('jumpbox exec --all on a terminal: nodes counted; each output line whole', async () => {
    const r = await onPty(execAll());
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /jumpbox exec: [0-3]\/3 nodes done/);
    // `[node] name` then the end of the line: the spinner was cleared before it and drawn after it.
    for (const n of lab.nodes) assert.match(r.stdout, new RegExp(`\\[tkc-1-[^\\]]+\\] ${n.name}\\r?\\n`), r.stdout);
  });

  test('in a pipe and with -o json on a terminal: no spinner at all', async () => {
    const piped = await exec(PLUGIN, pushCa(), env());
    assert.equal(piped.code, 0, piped.stderr);
    assert.doesNotMatch(piped.stderr + piped.stdout, /nodes done|waiting for pod|\u001b\[/);
    const json = await onPty([...pushCa(), '-o', 'json']);
    assert.equal(json.code, 0, json.stdout);
    assert.doesNotMatch(json.stdout, /nodes done|waiting for pod/);
    const execPiped = await exec(PLUGIN, execAll(), env());
    assert.equal(execPiped.code, 0, execPiped.stderr);
    assert.doesNotMatch(execPiped.stderr + execPiped.stdout, /nodes done|waiting for pod|\u001b\[/);
  });
});
