// certs.d on this machine, per registry host: docker, containerd (--containerd-dir) and,
// as root, podman and skopeo (/etc/containers/certs.d). One store per directory; the
// files are local/certsd.ts's. The entry names do not matter here: ca.crt holds the CAs.
import path from 'node:path';
import { hostDir, localTargets, readLocal, removeLocal, writeLocal, type LocalTarget } from '../local/certsd.js';
import { certificatesIn } from '../tls/pem.js';
import { pemOf, type ApplyOptions, type Change, type Entry, type TrustedCa, type TrustStore } from './store.js';

export class LocalStore implements TrustStore {
  readonly label: string;

  /** `host` (host[:port]) is needed to apply, not to list; one that would leave the directory is refused. */
  constructor(
    private readonly target: LocalTarget,
    private readonly host: string | undefined,
  ) {
    this.label = `local ${target.kind}`;
    if (host !== undefined) hostDir(target, host);
  }

  async list(): Promise<TrustedCa[]> {
    return readLocal(this.target).flatMap(({ host, pem }) => certificatesIn(pem).map((cert) => ({ name: host, cert })));
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const host = this.host;
    if (host === undefined) throw new Error('bug: a local trust store applied without its registry host');
    if (o.dryRun)
      return [
        {
          file: path.join(hostDir(this.target, host), 'ca.crt'),
          action: 'unchanged',
          notes: [],
          would: o.remove ? 'remove' : 'write',
        },
      ];
    const done = o.remove ? removeLocal(this.target, host) : writeLocal(this.target, host, entries.map(pemOf).join(''));
    return done.map((d) => ({ file: d.file, action: d.action, notes: [] }));
  }
}

/** The stores of this machine: docker, then containerd with a directory, then /etc/containers as root. */
export function localStores(o: {
  homedir: string;
  containerdDir: string | undefined;
  isRoot: boolean;
  env: NodeJS.ProcessEnv;
  host: string | undefined;
}): LocalStore[] {
  return localTargets(o.homedir, o.containerdDir, o.isRoot, o.env).map((t) => new LocalStore(t, o.host));
}
