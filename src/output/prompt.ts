// Questions on a terminal: a visible one for the username, a hidden one for the password.
// Only on a TTY; off a TTY the caller must have another source or fail clearly.
import readline from 'node:readline';
import { Writable, type Readable } from 'node:stream';

export function isTty(stream: unknown): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

export async function ask(question: string, stdin: Readable, stderr: Writable, hidden: boolean): Promise<string> {
  const out = hidden
    ? new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          // Echo only the prompt itself and line ends, never what is typed.
          const s = chunk.toString();
          if (s.includes(question)) stderr.write(question);
          else if (s.includes('\n')) stderr.write('\n');
          cb();
        },
      })
    : stderr;
  const rl = readline.createInterface({ input: stdin, output: out, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (hidden) stderr.write('\n');
  }
}

/** All of stdin; exactly one trailing newline is removed, everything else is kept. */
export async function readSecretFromStdin(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  const text = Buffer.concat(chunks).toString('utf8');
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** The questions a command may ask, on the terminal it runs in; tests replace it. */
export class Prompter {
  constructor(
    private readonly stdin: Readable & { isTTY?: boolean },
    private readonly stderr: Writable & { isTTY?: boolean },
  ) {}

  /** Both ends are a terminal: questions can be asked. */
  get interactive(): boolean {
    return isTty(this.stdin) && isTty(this.stderr);
  }

  get stdinIsTty(): boolean {
    return isTty(this.stdin);
  }

  /** A yes/no question; undefined when there is no terminal to ask on (the caller says what flag to pass). */
  async confirm(question: string): Promise<boolean | undefined> {
    if (!this.interactive) return undefined;
    return /^y(es)?$/i.test((await ask(question, this.stdin, this.stderr, false)).trim());
  }

  ask(question: string, hidden: boolean): Promise<string> {
    return ask(question, this.stdin, this.stderr, hidden);
  }

  /** All of stdin (for --password-stdin). */
  readSecret(): Promise<string> {
    return readSecretFromStdin(this.stdin);
  }
}
