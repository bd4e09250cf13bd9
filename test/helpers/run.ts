// Running the CLI: in-process through runCli (fast, for flag parsing), or the
// built plugin/kubectl-harbor as a child process (real argv, real exit codes).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PLUGIN = path.join(ROOT, 'plugin', 'kubectl-harbor');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Run in-process with a clean environment (only what the test passes). */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, homedir = '/nonexistent-home'): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await runCli(argv, { stdin: new PassThrough(), stdout, stderr, env, colorDepth: 1, homedir });
  return { code, stdout: out(), stderr: err() };
}

/** Run a program (the plugin, kubectl) and capture everything, never rejecting on a non-zero exit. */
export function exec(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/** A minimal environment for child processes: PATH and HOME, nothing that leaks from the machine. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent-home', ...extra };
}

/**
 * Start `file args` and, once `ready()` says the run is where the test wants it (polled every
 * 100 ms), `act` on the child (a signal, a pod deleted under it); resolves with what it
 * printed and how it ended: the exit code, or 128 + the signal number when a signal ended it.
 */
export async function runAndActWhen(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
  act: (child: ChildProcess) => void,
): Promise<Result & { signalled: boolean }> {
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<Result & { signalled: boolean }>((resolve) =>
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128 + (signal ? osConstants.signals[signal] : 0),
        stdout,
        stderr,
        signalled: signal !== null,
      }),
    ),
  );
  let exited = false;
  void closed.then(() => (exited = true));
  while (!exited && !(await ready())) await new Promise((r) => setTimeout(r, 100));
  if (!exited) act(child);
  return closed;
}
