// Ctrl-C (SIGINT) and SIGTERM during a run. Work that can stop cleanly (the node pool:
// start no new node, let the ones in flight end, delete the jumpbox this run created)
// holds the Interruption while it runs; a signal then aborts its AbortSignal instead of
// killing the process, and the run exits 130 (SIGINT) or 143 (SIGTERM) once it has
// cleaned up. A second signal exits at once, after saying what may be left behind.
// Outside a hold a signal does what it always did: the process dies of it.

export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNAL_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface Interruption {
  /** Aborted by the first SIGINT or SIGTERM that arrives during a hold. */
  readonly signal: AbortSignal;
  /**
   * The work from now until the returned release stops cleanly on `signal`. `leftBehind`
   * says what a second signal (exit at once) would leave behind, e.g. a pod.
   */
  hold(leftBehind?: string): () => void;
}

/** What the handlers need of the process (a seam for tests). */
export interface SignalTarget {
  on(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
  kill(pid: number, signal: StopSignal): unknown;
  exit(code: number): unknown;
  readonly pid: number;
}

/** An Interruption that never fires (in-process runs, tests). */
export const NEVER: Interruption = { signal: new AbortController().signal, hold: () => () => undefined };

export interface InstalledInterruption extends Interruption {
  /** 130 or 143 once a signal aborted the work, else undefined. */
  readonly exitCode: number | undefined;
  /** Remove the handlers. */
  dispose(): void;
}

export function installInterruption(proc: SignalTarget, say: (line: string) => void): InstalledInterruption {
  const controller = new AbortController();
  const holds = new Map<number, string | undefined>();
  let nextHold = 0;
  let received: StopSignal | undefined;
  const handlers = new Map<StopSignal, () => void>();
  const dispose = (): void => {
    for (const [sig, h] of handlers) proc.off(sig, h);
    handlers.clear();
  };
  const on = (sig: StopSignal) => () => {
    if (received) {
      const left = [...new Set([...holds.values()].filter(Boolean))].join('; ');
      say(`interrupted again: exiting at once, without cleaning up${left ? ` (${left})` : ''}`);
      proc.exit(SIGNAL_CODES[sig]);
      return;
    }
    if (holds.size === 0) {
      // Nothing here stops cleanly: die of the signal, as without these handlers.
      dispose();
      proc.kill(proc.pid, sig);
      return;
    }
    received = sig;
    controller.abort(new Error(sig === 'SIGINT' ? 'interrupted' : 'terminated'));
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const h = on(sig);
    handlers.set(sig, h);
    proc.on(sig, h);
  }
  return {
    signal: controller.signal,
    hold(leftBehind) {
      const id = nextHold++;
      holds.set(id, leftBehind);
      return () => void holds.delete(id);
    },
    get exitCode() {
      return received ? SIGNAL_CODES[received] : undefined;
    },
    dispose,
  };
}
