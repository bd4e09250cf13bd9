// Progress on stderr: an ora spinner on a TTY, nothing otherwise. ora (and its
// string-width tables) is imported only when a spinner will really be drawn.
import type { Writable } from 'node:stream';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

export async function startProgress(text: string, stream: Writable & { isTTY?: boolean }, enabled: boolean): Promise<Progress> {
  if (!enabled || !stream.isTTY) return silent;
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
