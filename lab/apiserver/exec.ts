// pods/exec over WebSocket (v5.channel.k8s.io and v4.channel.k8s.io): each exec runs a
// real local process. Channel 0 is stdin, 1 stdout, 2 stderr, 3 the closing Status with
// the exit code, 4 resize (ignored) and, in v5, 255 "close this stream".
import { spawn, type ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { Obj } from './types.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ExecRequest {
  pod: Obj;
  container: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** How an exec becomes a local process. The lab's jumpbox pods enter a network namespace here. */
export type ExecSpawner = (r: ExecRequest) => { file: string; args: string[]; env?: Record<string, string> };

export const hostSpawner: ExecSpawner = (r) => ({
  file: r.command[0]!,
  args: r.command.slice(1),
  env: {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    HOSTNAME: r.pod.metadata.name,
  },
});

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

function exitStatus(code: number): Obj {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function runtimeError(message: string): Obj {
  const full = `error executing command in container: failed to exec in container: ${message}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${full}`,
    reason: 'InternalError',
    details: { causes: [{ message: full }] },
    code: 500,
  };
}

/** Sessions by pod uid, so deleting a pod ends its execs, as a real container's death would. */
export class ExecSessions {
  private readonly byPod = new Map<string, Set<ChildProcess>>();

  constructor(private readonly spawner: ExecSpawner) {}

  killPod(uid: string): void {
    for (const child of this.byPod.get(uid) ?? []) child.kill('SIGKILL');
  }

  closeAll(): void {
    for (const uid of this.byPod.keys()) this.killPod(uid);
  }

  run(ws: WebSocket, r: ExecRequest): void {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]));
    };
    const finish = (status: Obj): void => {
      send(3, JSON.stringify(status));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };
    const { file, args, env } = this.spawner(r);
    let child: ChildProcess;
    try {
      child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      finish(runtimeError(String((e as Error).message)));
      return;
    }
    const uid = r.pod.metadata.uid as string;
    const set = this.byPod.get(uid) ?? new Set();
    set.add(child);
    this.byPod.set(uid, set);
    let failedToStart = false;
    child.on('error', (e: NodeJS.ErrnoException) => {
      failedToStart = true;
      const why = e.code === 'ENOENT' ? `exec: "${r.command[0]}": executable file not found in $PATH` : e.message;
      finish(runtimeError(`OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`));
    });
    child.stdout!.on('data', (d: Buffer) => send(1, d));
    child.stderr!.on('data', (d: Buffer) => send(2, d));
    child.stdin!.on('error', () => undefined);
    if (!r.stdin) child.stdin!.end();
    child.on('close', (code, signal) => {
      set.delete(child);
      if (failedToStart) return;
      finish(exitStatus(code ?? 128 + (SIGNALS[signal ?? ''] ?? 9)));
    });
    ws.on('message', (msg: Buffer | ArrayBuffer | Buffer[], _isBinary: boolean) => {
      const b = Buffer.isBuffer(msg) ? msg : Array.isArray(msg) ? Buffer.concat(msg) : Buffer.from(msg);
      if (b.length === 0) return;
      if (b[0] === 0 && r.stdin) child.stdin!.write(b.subarray(1));
      else if (v5 && b[0] === 255 && b[1] === 0) child.stdin!.end();
    });
    ws.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.end();
        child.kill('SIGTERM');
      }
    });
  }
}
