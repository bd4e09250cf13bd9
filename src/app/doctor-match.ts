// Pure parts of `doctor`: an image reference split as containerd reads it, and the
// `auths` entries of a docker config that match its registry as the kubelet's keyring
// matches them (pkg/credentialprovider: the key may carry a scheme and a path prefix; the
// host matches label by label, `*` globs one label; the port must be the same, none
// matching none), most specific first. Entries for the same host on another port (or
// without one) are the `secret-host-mismatch` evidence.

export interface ImageRef {
  /** `host[:port]` as written in the image (docker.io for a bare name). */
  registry: string;
  /** The repository inside the registry: `project/repo`. */
  repository: string;
  /** The tag or `sha256:…` digest. */
  reference: string;
}

const DOCKER_HUB = 'docker.io';

/** undefined when `image` is not a reference at all. */
export function parseImage(image: string): ImageRef | undefined {
  const s = image.trim();
  if (!s || /\s/.test(s)) return undefined;
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  const hasHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first.toLowerCase() : DOCKER_HUB;
  let rest = hasHost ? s.slice(slash + 1) : s;
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (!rest || !reference) return undefined;
  const repository = registry === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, reference };
}

/** The Harbor project of a repository: its first path segment. */
export const projectOf = (repository: string): string => repository.split('/')[0] ?? repository;

interface KeyParts {
  host: string;
  port: string;
  path: string;
}

function splitKey(key: string): KeyParts | undefined {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  const path = slash < 0 ? '' : k.slice(slash + 1).replace(/\/+$/, '');
  k = slash < 0 ? k : k.slice(0, slash);
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(k);
  if (!m) return undefined;
  return { host: m[1]!.toLowerCase(), port: m[2] ?? '', path };
}

function hostMatches(glob: string, host: string): boolean {
  const g = glob.split('.');
  const h = host.split('.');
  if (g.length !== h.length) return false;
  return g.every((label, i) => label === '*' || label === h[i]);
}

/** Docker Hub's keys, as docker login writes them, all mean docker.io. */
const hubAlias = (host: string): string =>
  ['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host) ? DOCKER_HUB : host;

/** The keys of `auths` that match the image's registry and repository, most specific first. */
export function matchingKeys(keys: readonly string[], image: ImageRef): string[] {
  const target = splitKey(`${image.registry}/${image.repository}`)!;
  const scored: Array<{ key: string; score: number }> = [];
  for (const key of keys) {
    const k = splitKey(key);
    if (!k) continue;
    if (!hostMatches(hubAlias(k.host), hubAlias(target.host)) || k.port !== target.port) continue;
    // docker login's Docker Hub key ends in /v1/, which is no repository prefix.
    const path = hubAlias(k.host) === DOCKER_HUB && k.path === 'v1' ? '' : k.path;
    if (path && target.path !== path && !target.path.startsWith(`${path}/`)) continue;
    scored.push({ key, score: path.length * 10 + (k.host.includes('*') ? 0 : 1) });
  }
  return scored.sort((a, b) => b.score - a.score).map((x) => x.key);
}

/** Keys for the same host name on another port (or without one): a near miss containerd does not use. */
export function nearMisses(keys: readonly string[], image: ImageRef): string[] {
  const target = splitKey(image.registry)!;
  return keys.filter((key) => {
    const k = splitKey(key);
    return !!k && hubAlias(k.host) === hubAlias(target.host) && k.port !== target.port;
  });
}
