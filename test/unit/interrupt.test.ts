// Ctrl-C and SIGTERM: outside a hold the process dies of the signal as before; during a hold
// the first one aborts the work (exit 130/143 afterwards), a second one exits at once and
// says what may be left behind.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { installInterruption, type SignalTarget, type StopSignal } from '../../src/interrupt.js';

function fakeProcess() {
  const events = new EventEmitter();
  const calls: string[] = [];
  const proc: SignalTarget = {
    pid: 42,
    on: (e, l) => events.on(e, l),
    off: (e, l) => events.off(e, l),
    kill: (pid, sig) => calls.push(`kill ${pid} ${sig}`),
    exit: (code) => calls.push(`exit ${code}`),
  };
  const send = (sig: StopSignal) => events.emit(sig);
  return { proc, calls, send, listeners: (sig: StopSignal) => events.listenerCount(sig) };
}

test('outside a hold a signal kills the process as it would without handlers', () => {
  const f = fakeProcess();
  const lines: string[] = [];
  const i = installInterruption(f.proc, (l) => lines.push(l));
  f.send('SIGINT');
  assert.deepEqual(f.calls, ['kill 42 SIGINT']);
  assert.equal(f.listeners('SIGINT'), 0, 'the handlers are gone, so the re-raised signal is the default');
  assert.equal(i.signal.aborted, false);
  assert.equal(i.exitCode, undefined);
  assert.deepEqual(lines, []);
});

test('during a hold: SIGINT aborts the work and the run exits 130; a second signal exits at once, saying what is left', () => {
  const f = fakeProcess();
  const lines: string[] = [];
  const i = installInterruption(f.proc, (l) => lines.push(l));
  const release = i.hold('pod/harbor-jumpbox-c1 may be left behind');
  f.send('SIGINT');
  assert.equal(i.signal.aborted, true);
  assert.equal(i.exitCode, 130);
  assert.deepEqual(f.calls, [], 'the process lives on to clean up');
  f.send('SIGINT');
  assert.deepEqual(f.calls, ['exit 130']);
  assert.match(
    lines[0]!,
    /^interrupted again: exiting at once, without cleaning up \(pod\/harbor-jumpbox-c1 may be left behind\)$/,
  );
  release();
  i.dispose();
  assert.equal(f.listeners('SIGINT') + f.listeners('SIGTERM'), 0);
});

test('SIGTERM during a hold: exit 143; after the hold is released, a signal kills as before', () => {
  const f = fakeProcess();
  const i = installInterruption(f.proc, () => undefined);
  const release = i.hold();
  f.send('SIGTERM');
  assert.equal(i.exitCode, 143);
  release();
  const g = fakeProcess();
  const j = installInterruption(g.proc, () => undefined);
  j.hold()();
  g.send('SIGTERM');
  assert.deepEqual(g.calls, ['kill 42 SIGTERM']);
});
