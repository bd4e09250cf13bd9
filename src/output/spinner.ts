// Progress on stderr for long work (namespaces, nodes, a pod to start): an ora spinner on
// a TTY that reports a width, nothing otherwise (pipes, `-o json|yaml`, script(1) with
// no columns, where ora would redraw without end). ora and its string-width tables are
// imported only when a spinner will really be drawn. While it spins, every line the
// printer writes clears it first and draws it again after (see Printer.overlay).
import type { Writable } from 'node:stream';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

/** What the printer calls around each line it writes while a spinner is drawn. */
export interface Overlay {
  clear(): void;
  render(): void;
}

const silent: Progress = { update() {}, stop() {} };

export type ProgressStream = Writable & { isTTY?: boolean; columns?: number };

export async function startProgress(
  text: string,
  stream: ProgressStream,
  enabled: boolean,
  attach: (overlay: Overlay | undefined) => void = () => undefined,
  color = true,
): Promise<Progress> {
  if (!enabled || !stream.isTTY || !stream.columns) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({
    text,
    stream: stream as NodeJS.WritableStream,
    discardStdin: false,
    isEnabled: true,
    color: color ? 'cyan' : false,
  }).start();
  attach({ clear: () => spinner.clear(), render: () => spinner.render() });
  return {
    update: (t) => {
      spinner.text = t;
    },
    stop: () => {
      attach(undefined);
      spinner.stop();
    },
  };
}

/** How far a batch of work is: `3/20 nodes done, waiting on n7 (12s), 45s`. */
export class Tally {
  private readonly started: number;
  private readonly inFlight = new Map<string, number>();
  private done = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly noun: string,
    private readonly progress: Progress,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.progress.update(this.text());
    this.timer = setInterval(() => this.progress.update(this.text()), 1000);
    this.timer.unref();
  }

  begin(item: string): void {
    this.inFlight.set(item, this.now());
    this.progress.update(this.text());
  }

  end(item: string): void {
    this.inFlight.delete(item);
    this.done++;
    this.progress.update(this.text());
  }

  /** Count `item` in flight while `work` runs. */
  async run<T>(item: string, work: () => Promise<T>): Promise<T> {
    this.begin(item);
    try {
      return await work();
    } finally {
      this.end(item);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.progress.stop();
  }

  text(): string {
    const secs = (ms: number): string => `${Math.round(ms / 1000)}s`;
    const now = this.now();
    const slowest = [...this.inFlight].sort((a, b) => a[1] - b[1])[0];
    const waiting = slowest && now - slowest[1] >= 2000 ? `, waiting on ${slowest[0]} (${secs(now - slowest[1])})` : '';
    return `${this.label}: ${this.done}/${this.total} ${this.noun} done${waiting}, ${secs(now - this.started)}`;
  }
}
