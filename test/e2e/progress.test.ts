// Progress on long work: a spinner on stderr on a terminal only (`n/N namespaces done`),
// through script(1) with a PTY that has a width; nothing on a 0-column PTY (ora would
// redraw without end), nothing in a pipe, nothing with -o yaml; stdout stays data only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import { exec, PLUGIN } from '../helpers/run.js';

const NAMESPACES = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

describe('progress on a terminal', { skip: !fs.existsSync('/usr/bin/script') && 'needs script(1)' }, () => {
  const h = e2e('progress');
  const fx = supervisorFixture(h, { namespaces: NAMESPACES }, (sup) => {
    // Slow enough that the spinner is drawn and redrawn while the namespaces are worked on.
    sup.supervisor.faults.latency(150, { resource: 'serviceaccounts' });
  });
  const args = () => [
    'bind-sa',
    'harbor-pull',
    '--allow-missing-secret',
    '--namespaces',
    NAMESPACES.join(','),
    '--parallel',
    '2',
    '--kubeconfig',
    fx.kubeconfigs.admin,
  ];
  /** The plugin inside script(1): a PTY of `cols` columns; returns what the terminal showed. */
  const onPty = async (cols: number, extra: string[] = []) => {
    const cmd = [PLUGIN, ...args(), ...extra].map((a) => `'${a}'`).join(' ');
    const r = await exec(
      'script',
      ['-qec', `stty cols ${cols} rows 40; ${cmd}`, '/dev/null'],
      h.env({ TERM: 'xterm' }),
    );
    return r;
  };

  test('a PTY with a width: the spinner counts namespaces on stderr; the results still print', async () => {
    const r = await onPty(120);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /bind-sa: \d\/6 namespaces done/);
    assert.match(r.stdout, /serviceaccount\/default bound/);
    // Every result line is whole: the spinner was cleared before each was written.
    assert.equal(r.stdout.match(/serviceaccount\/default bound\r?\n/g)?.length, NAMESPACES.length, r.stdout);
  });

  test('a 0-column PTY, a pipe, -o yaml: no spinner at all', async () => {
    const zero = await onPty(0);
    assert.equal(zero.code, 0, zero.stdout);
    assert.doesNotMatch(zero.stdout, /namespaces done/);
    const piped = await h.harbor(args());
    assert.equal(piped.code, 0, piped.stderr);
    assert.doesNotMatch(piped.stderr + piped.stdout, /namespaces done|\u001b\[/);
    const yaml = await onPty(120, ['-o', 'yaml', '--dry-run=client']);
    assert.doesNotMatch(yaml.stdout, /namespaces done/);
  });
});
