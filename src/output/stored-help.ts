// The overview (`kubectl harbor`, `--help`, `-h`, `help`) is static text: the build stores
// what the CLI itself prints (scripts/help-texts.ts) and the start-up path prints it without
// loading or building the CLI. The colour decision is colorEnabled's, as on the normal path;
// any other command line falls through to the CLI. test/unit/stored-help.test.ts compares
// the stored text with the live CLI's output.
import fs from 'node:fs';
import { colorEnabled } from './style.js';

export interface StoredHelp {
  /** The command lines that print this text, exactly. */
  forms: string[][];
  plain: string;
  /** What is printed with colours on; absent when colours change nothing. */
  color?: string;
}

/** True when argv is exactly one of the stored forms. */
export function isStoredForm(argv: readonly string[], help: StoredHelp): boolean {
  return help.forms.some((f) => f.length === argv.length && f.every((w, i) => w === argv[i]));
}

interface Proc {
  exitCode?: number | string | undefined;
  exit(code?: number | string | null): never;
}

interface Out {
  isTTY?: boolean;
  write(s: string | Uint8Array): unknown;
  on(event: 'error', fn: (e: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Print the stored text when argv asks for it and say whether it did. `… --help | head`
 * closes stdout early: that is not an error, as on the normal path (src/main.ts).
 * With `fd` (1, stdout's descriptor) and a text that colours do not change, there is no colour
 * to decide and the text goes straight to the descriptor: creating process.stdout costs ~1.5 ms
 * (more on a TTY). Whatever a direct write could not take (a full non-blocking pipe, a closed
 * descriptor) goes through the stream, as on the normal path.
 */
export function printStoredHelp(
  argv: readonly string[],
  help: StoredHelp | undefined,
  proc: Proc & { stdout: Out; env: NodeJS.ProcessEnv },
  fd?: number,
): boolean {
  if (!help || !isStoredForm(argv, help)) return false;
  const rest = fd !== undefined && help.color === undefined ? writeDirect(fd, help.plain, proc) : undefined;
  if (rest?.length === 0) return true;
  const out = proc.stdout;
  quietOnEpipe(out, proc);
  out.write(rest ?? (colorEnabled(out, proc.env) ? (help.color ?? help.plain) : help.plain));
  return true;
}

/** Write text to fd; EPIPE ends the run as quietOnEpipe does. Returns what was not written. */
function writeDirect(fd: number, text: string, proc: Proc): Buffer {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') proc.exit(proc.exitCode ?? 0);
  }
  return bytes.subarray(done);
}

/** A closed stdout (EPIPE) ends the run with the exit code it has; any other error is thrown. */
export function quietOnEpipe(out: Out, proc: Proc): void {
  out.on('error', (e) => {
    if (e.code === 'EPIPE') proc.exit(proc.exitCode ?? 0);
    throw e;
  });
}
