// Progress on stderr: an ora spinner on a TTY, nothing otherwise. ora (and its
// string-width tables) is imported only when a spinner will really be drawn.
import type { Writable } from 'node:stream';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export async function startProgress(
  text: string,
  stream: Writable & { isTTY?: boolean; columns?: number },
  enabled: boolean,
): Promise<Progress> {
  // A terminal that reports no width (script(1), some CI PTYs) makes ora redraw without end.
  if (!enabled || !stream.isTTY || !stream.columns) return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: stream as NodeJS.WritableStream, discardStdin: false }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    stop: () => {
      spinner.stop();
    },
  };
}
