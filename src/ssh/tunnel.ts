// The byte stream to a node's sshd: through the jumpbox (an exec of a TCP relay, `nc IP 22`
// or bash's /dev/tcp, carried by the Kubernetes exec WebSocket), or straight over TCP
// with --direct. Either way a Duplex that ssh2 takes as its socket; the SSH session runs
// end to end from this machine, and the key never leaves its memory.
import net from 'node:net';
import { Duplex, PassThrough, Writable } from 'node:stream';
import { Exec, type V1Status } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';

/** The relay, with the IP as $0 so nothing is interpolated into the script. */
export function relayCommand(ip: string, port = 22): string[] {
  return [
    'sh',
    '-c',
    `if command -v nc >/dev/null 2>&1; then exec nc "$0" ${port}; else exec bash -c 'exec 3<>"/dev/tcp/$0/${port}" && { cat <&3 & cat >&3; }' "$0"; fi`,
    ip,
  ];
}

/**
 * The exec's three streams joined into one Duplex: what ssh2 writes goes to the relay's
 * stdin, the relay's stdout is what ssh2 reads; the relay's stderr is kept for the error.
 */
function relayStreams(): {
  duplex: Duplex;
  input: PassThrough;
  stdout: Writable;
  errout: Writable;
  stderr: () => string;
} {
  const input = new PassThrough();
  let stderr = '';
  const duplex = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      input.write(chunk, cb);
    },
    final(cb) {
      input.end();
      cb();
    },
    read() {
      /* pushed from stdout below */
    },
    destroy(err, cb) {
      input.destroy();
      cb(err);
    },
  });
  const sink = (take: (chunk: Buffer) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        take(chunk);
        cb();
      },
    });
  const stdout = sink((chunk) => duplex.push(chunk));
  const errout = sink((chunk) => {
    stderr += chunk.toString();
  });
  return { duplex, input, stdout, errout, stderr: () => stderr };
}

/** Why an exec ended, from its Status: the relay's stderr, else its exit code, else the Status message. */
function relayEnd(status: V1Status | undefined, stderr: string): string | undefined {
  if (status?.status !== 'Failure') return undefined;
  const why = stderr.trim().split('\n')[0];
  if (why) return why;
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  return code ? `exit code ${code}` : status.message || status.reason || 'failed';
}

export function execRelay(
  client: KubeClient,
  namespace: string,
  pod: string,
  container: string,
  ip: string,
): Promise<Duplex> {
  const { duplex, input, stdout, errout, stderr } = relayStreams();
  const opening = (e: unknown): unknown =>
    e instanceof CliError || (typeof e === 'object' && e !== null && 'code' in e)
      ? e
      : new CliError('RELAY', `opening the relay to ${ip}:22 through ${pod}: ${(e as Error).message ?? String(e)}`);
  // However the relay ends (the node closed the connection, the relay failed, its pod was
  // deleted, the WebSocket dropped), the Duplex ends too: ssh2 then closes the connection
  // and every channel on it, so nothing waits on a stream that will say no more.
  const ended = (why: string | undefined): void => {
    if (duplex.destroyed) return;
    if (why) return void duplex.destroy(new CliError('RELAY', `the relay to ${ip}:22 through ${pod} ended: ${why}`));
    // The end of the stream first (ssh2 reads what is left), then close it: a relay that
    // ended takes no more input, so its writable side would never finish on its own.
    duplex.once('end', () => duplex.destroy());
    duplex.push(null);
  };
  return new Promise((resolve, reject) => {
    new Exec(client.target.kc)
      .exec(namespace, pod, container, relayCommand(ip), stdout, errout, input, false, (status) =>
        ended(relayEnd(status, stderr())),
      )
      .then(
        (ws) => {
          duplex.on('close', () => ws.close());
          ws.on('close', () => ended('the connection to the API server closed'));
          ws.on('error', (e: Error) => ended(e.message));
          resolve(duplex);
        },
        (e: unknown) => reject(opening(e)),
      );
  });
}

export function direct(ip: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: ip, port: 22, timeout: timeoutMs });
    s.once('connect', () => {
      s.setTimeout(0);
      resolve(s);
    });
    s.once('timeout', () =>
      s.destroy(Object.assign(new Error(`timed out connecting to ${ip}:22`), { code: 'ETIMEDOUT' })),
    );
    s.once('error', reject);
  });
}
