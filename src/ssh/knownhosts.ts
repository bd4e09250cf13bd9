// Host keys pinned on first use, per cluster and IP, in kubectl-harbor's own known-hosts
// file ($XDG_CONFIG_HOME/kubectl-harbor/known_hosts, else ~/.config/kubectl-harbor/...).
// A changed key is refused unless the user accepts it (a rebuilt node gets a new key).
import crypto from 'node:crypto';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../local/files.js';
import { readLocalFile } from '../local/readfile.js';

/** Ten thousand nodes' keys are a few MiB. */
const MAX_KNOWN_HOSTS = 16 << 20;
const HINT = 'set XDG_CONFIG_HOME to a writable directory';

export function knownHostsFile(env: NodeJS.ProcessEnv, homedir: string): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir, '.config'), 'kubectl-harbor', 'known_hosts');
}

export const keyFingerprint = (key: Buffer): string =>
  `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

export class HostKeyError extends CliError {
  constructor(message: string) {
    super('HOST_KEY', message);
  }
}

export class KnownHosts {
  constructor(
    private readonly file: string,
    private readonly acceptNew: boolean,
    private readonly say: (line: string) => void,
  ) {}

  /** The pinned lines; a file that cannot be read is an error, never "no keys" (pinning would then drop them). */
  private entries(): string[] {
    const bytes = readLocalFile(this.file, {
      what: 'known hosts file',
      max: MAX_KNOWN_HOSTS,
      whyMax: 'a line per node is a few hundred bytes',
      expect: HINT,
    });
    return (bytes?.toString('utf8') ?? '').split('\n').filter(Boolean);
  }

  /** Check (or pin) the key a node presented; throws HostKeyError on a change. */
  verify(cluster: string, ip: string, key: Buffer): void {
    const fp = keyFingerprint(key);
    const id = `${cluster} ${ip} `;
    const lines = this.entries();
    const mine = lines.find((l) => l.startsWith(id));
    const line = `${id}${key.toString('base64')}`;
    if (mine === line) return;
    if (mine && !this.acceptNew) {
      const old = keyFingerprint(Buffer.from(mine.slice(id.length), 'base64'));
      throw new HostKeyError(
        `the host key of ${ip} (cluster ${cluster}) has changed: it was ${old}, it is now ${fp}. A node that was rebuilt (upgrade, rolling update, remediation) gets a new key; if you know that happened, pass --accept-new-host-key, otherwise do not connect`,
      );
    }
    this.say(mine ? `${ip}: accepted the new host key ${fp}` : `${ip}: first connection, pinned host key ${fp}`);
    writeFileAtomic(this.file, [...lines.filter((l) => !l.startsWith(id)), line].join('\n') + '\n', 0o600, HINT);
  }
}
