// SSH to a TKC node as vmware-system-user with the cluster's key (or password), held in
// memory only, over any Duplex; the host key is checked against the pinned one.
import { Client, type ClientChannel } from 'ssh2';
import type { V1Secret } from '@kubernetes/client-node';
import type { Duplex } from 'node:stream';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { corePath } from '../kube/wire.js';
import { getOptional } from '../kube/write.js';
import type { HostKeyError, KnownHosts } from './knownhosts.js';

export const NODE_USER = 'vmware-system-user';

export interface NodeCredentials {
  privateKey?: string;
  password?: string;
}

/** The cluster's SSH key from <cluster>-ssh, else its password from <cluster>-ssh-password. */
export async function nodeCredentials(
  client: KubeClient,
  namespace: string,
  cluster: string,
): Promise<NodeCredentials> {
  const read = async (name: string, key: string): Promise<string | undefined> => {
    const s = await getOptional(client, `reading secret/${name} in namespace "${namespace}"`, () =>
      client.rest<V1Secret>('GET', corePath(namespace, 'secrets', name)),
    );
    const v = s?.data?.[key];
    return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
  };
  const privateKey = await read(`${cluster}-ssh`, 'ssh-privatekey');
  if (privateKey) return { privateKey };
  const password = await read(`${cluster}-ssh-password`, 'ssh-passwordkey');
  if (password) return { password };
  throw new CliError(
    'NO_NODE_KEY',
    `neither secret/${cluster}-ssh (ssh-privatekey) nor secret/${cluster}-ssh-password (ssh-passwordkey) is readable in namespace "${namespace}"; run this in the cluster's vSphere Namespace, as a user who may read its secrets`,
  );
}

export interface Connected {
  conn: Client;
  close: () => void;
}

export function connect(
  sock: Duplex,
  o: { cluster: string; ip: string; creds: NodeCredentials; knownHosts: KnownHosts; timeoutMs: number },
): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    let hostKeyError: HostKeyError | undefined;
    let ready = false;
    let lastError: Error | undefined;
    // Before `ready`, whatever ends the connection or its socket settles this promise.
    const closed = (): void => {
      if (ready) return;
      const why = lastError?.message ?? 'the connection closed';
      reject(hostKeyError ?? new CliError('SSH', `${o.ip}: the SSH connection ended before it was ready (${why})`));
    };
    conn.on('ready', () => {
      ready = true;
      resolve({ conn, close: () => conn.end() });
    });
    // Kept for the connection's life: an 'error' with no listener would be thrown.
    conn.on('error', (e: Error & { level?: string }) => {
      lastError = e;
      if (ready) return;
      if (hostKeyError) return reject(hostKeyError);
      if (e.level === 'client-authentication')
        return reject(
          new CliError(
            'SSH_AUTH',
            `${o.ip}: ${NODE_USER} was refused (${o.creds.privateKey ? 'the key from secret ' + o.cluster + '-ssh' : 'the password'} is not accepted)`,
          ),
        );
      reject(new CliError('SSH', `${o.ip}: ${e.message}`));
    });
    conn.on('end', closed);
    conn.on('close', closed);
    sock.on('error', (e: Error) => {
      lastError = e;
      closed();
    });
    sock.on('close', closed);
    conn.connect({
      sock,
      username: NODE_USER,
      ...(o.creds.privateKey ? { privateKey: o.creds.privateKey } : { password: o.creds.password }),
      readyTimeout: o.timeoutMs || 20_000,
      hostVerifier: (key: Buffer) => {
        try {
          o.knownHosts.verify(o.cluster, o.ip, key);
          return true;
        } catch (e) {
          hostKeyError = e as HostKeyError;
          return false;
        }
      },
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command and collect its output. Settles however it ends: the channel's close (the
 * result), an error of the channel or of the connection, the connection closing under it
 * (connection lost), or `signal` (the command is sent SIGINT and its channel closed).
 */
export function run(conn: Client, command: string, stdin?: string, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let why: string | undefined;
    const onError = (e: Error): void => void (why = e.message);
    const lost = (): void => fail(new CliError('SSH', `connection lost while the command ran (${why ?? 'closed'})`));
    const listen = (on: boolean): void => {
      const m = on ? 'on' : 'off';
      conn[m]('error', onError);
      conn[m]('end', lost);
      conn[m]('close', lost);
    };
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      listen(false);
      return true;
    };
    const fail = (e: Error): void => void (settle() && reject(e));
    listen(true);
    conn.exec(command, (err: Error | undefined, ch: ClientChannel) => {
      if (err) return fail(new CliError('SSH', err.message));
      let stdout = '';
      let stderr = '';
      const abort = (): void => {
        fail(new CliError('INTERRUPTED', 'interrupted'));
        try {
          ch.signal('INT');
        } catch {
          // The channel is already closing.
        }
        ch.close();
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      ch.on('data', (d: Buffer) => (stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ch.on('error', (e: Error) => fail(new CliError('SSH', e.message)));
      ch.on('close', (code: number | null) => {
        signal?.removeEventListener('abort', abort);
        if (settle()) resolve({ code: code ?? 255, stdout, stderr });
      });
      if (stdin !== undefined) ch.end(stdin);
      else ch.end();
    });
  });
}

/** POSIX shell quoting for a command line sent to a node. */
export const shellQuote = (args: string[]): string =>
  args.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
