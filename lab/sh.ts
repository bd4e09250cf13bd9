// Running the lab's system commands: argv arrays only (never a shell string), stderr kept
// for the error, and a clean environment for anything that runs inside a node.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';

export class LabError extends Error {}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, maxBuffer: 64 << 20, timeout: opts.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error && typeof error.code !== 'number' ? error.message : ''),
        });
      },
    );
    child.stdin?.end(opts.input);
  });
}

/** Run and require success. */
export async function must(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0)
    throw new LabError(`${cmd} ${args.join(' ')}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Start a detached daemon; its pid goes to pidFile, its output to logFile. */
export function daemon(
  cmd: string,
  args: string[],
  pidFile: string,
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): number {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out], env, cwd });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(pidFile, String(child.pid));
  return child.pid!;
}

/** Alive and not a zombie (dead daemons linger as zombies for a moment). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** TERM, wait up to 5 s, then KILL. */
export async function stop(pid: number | undefined): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid!, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  every = 50,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(every);
  }
  throw new LabError(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
