// A registry as the user names it: `host[:port]`, or an https:// URL that is normalised
// to that. Paths, user info and http:// are refused (they are almost always a mistake:
// a pull secret is keyed by host[:port]) unless --plain-http allows http://.
import { UsageError } from '../errors.js';

export interface Registry {
  /** `host[:port]`, the key of `auths` in a docker config. */
  host: string;
  /** Talk plain HTTP (only with --plain-http). */
  plainHttp: boolean;
}

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:[0-9]{1,5})?$/;

export function parseRegistry(input: string, opts: { plainHttp?: boolean } = {}): Registry {
  const raw = input.trim();
  if (!raw)
    throw new UsageError('the registry is empty; give host[:port], for example harbor.example.com or 10.0.0.5:443');
  let rest = raw;
  let plainHttp = Boolean(opts.plainHttp);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(raw);
  if (scheme) {
    const s = scheme[1]!.toLowerCase();
    if (s === 'http') {
      if (!opts.plainHttp)
        throw new UsageError(`"${raw}" is plain HTTP; pass --plain-http if the registry really has no TLS`);
      plainHttp = true;
    } else if (s !== 'https') {
      throw new UsageError(`"${raw}": unsupported scheme ${s}://; give host[:port]`);
    }
    rest = raw.slice(scheme[0].length);
  }
  if (rest.includes('@'))
    throw new UsageError(
      `"${raw}" contains user info; give the username with -u and the password with --password-stdin`,
    );
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const path = rest.slice(slash);
    if (path !== '/' && path !== '/v2' && path !== '/v2/') {
      throw new UsageError(
        `"${raw}" has a path (${path}); a registry login is for host[:port], without a project or repository`,
      );
    }
    rest = rest.slice(0, slash);
  }
  if (!HOST.test(rest)) throw new UsageError(`"${raw}" is not a valid registry host[:port]`);
  const port = /:([0-9]+)$/.exec(rest)?.[1];
  if (port && (Number(port) < 1 || Number(port) > 65535))
    throw new UsageError(`"${raw}": port ${port} is out of range`);
  // Docker Hub's credential key, as docker login writes it.
  const host =
    rest.toLowerCase() === 'docker.io' || rest.toLowerCase() === 'index.docker.io'
      ? 'https://index.docker.io/v1/'
      : rest.toLowerCase();
  return { host, plainHttp };
}

/** A stable DNS-1123 secret name for a registry: harbor-<host>[-<port>]. */
export function defaultSecretName(host: string): string {
  const base = host
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '')
    .toLowerCase()
    .replace(/:/g, '-')
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `harbor-${base}`.slice(0, 253).replace(/[-.]+$/, '');
}

/** The base URL for the registry API. */
export function baseUrl(r: Registry): string {
  if (r.host.startsWith('https://')) return 'https://index.docker.io';
  return `${r.plainHttp ? 'http' : 'https'}://${r.host}`;
}

/** The repository a pull check asks about when only the project is known: Harbor decides per project. */
export const CHECK_REPOSITORY = 'kubectl-harbor-check';
