// What the kubelet does before a pull: split the image reference, and resolve the
// credentials from the pod's imagePullSecrets (else its ServiceAccount's), taking the
// `.dockerconfigjson` `auths` entries whose key names the image's registry host[:port]
// exactly (a scheme is ignored; a path in the key must prefix the repository).
import type { Store } from './store.js';
import type { Obj, ResourceType } from './types.js';

export interface ImageRef {
  /** host[:port], `docker.io` when the reference names none. */
  registry: string;
  repository: string;
  /** Tag or digest (`sha256:…`). */
  reference: string;
}

export interface PullAuth {
  username: string;
  password: string;
}

export function parseImage(image: string): ImageRef {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const named = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = named ? first : 'docker.io';
  let rest = named ? image.slice(slash + 1) : image;
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
  const repository = !named && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, reference };
}

/** The names of the secrets the kubelet uses for `pod`: its own, else its ServiceAccount's. */
export function pullSecretNames(pod: Obj, serviceAccount: Obj | undefined): string[] {
  const own: Obj[] = pod.spec?.imagePullSecrets ?? [];
  const list = own.length > 0 ? own : ((serviceAccount?.imagePullSecrets as Obj[] | undefined) ?? []);
  return list.map((r) => String(r.name ?? '')).filter(Boolean);
}

/** The credentials in one `.dockerconfigjson` secret that match `ref`, in key order. */
export function matchAuths(secret: Obj, ref: ImageRef): PullAuth[] {
  const raw = secret.data?.['.dockerconfigjson'];
  if (typeof raw !== 'string') return [];
  let auths: Record<string, Obj>;
  try {
    auths = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')).auths ?? {};
  } catch {
    return [];
  }
  const out: PullAuth[] = [];
  for (const [key, entry] of Object.entries(auths)) {
    const bare = key.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const cut = bare.indexOf('/');
    const host = cut < 0 ? bare : bare.slice(0, cut);
    const prefix = cut < 0 ? '' : bare.slice(cut + 1);
    if (host !== ref.registry) continue;
    if (prefix && ref.repository !== prefix && !ref.repository.startsWith(`${prefix}/`)) continue;
    let { username, password } = entry as { username?: string; password?: string };
    if ((!username || password === undefined) && typeof entry?.auth === 'string') {
      const text = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon >= 0) [username, password] = [text.slice(0, colon), text.slice(colon + 1)];
    }
    if (username) out.push({ username, password: password ?? '' });
  }
  return out;
}

/** Every credential the kubelet would try for `image` in `pod`, in order; empty means an anonymous pull. */
export function resolvePullAuths(
  store: Store,
  types: { secrets: ResourceType; serviceaccounts: ResourceType },
  pod: Obj,
  image: string,
): PullAuth[] {
  const ns = pod.metadata.namespace as string;
  const sa = store.get(types.serviceaccounts, ns, String(pod.spec?.serviceAccountName ?? 'default'));
  const ref = parseImage(image);
  return pullSecretNames(pod, sa).flatMap((name) => {
    const secret = store.get(types.secrets, ns, name);
    return secret?.type === 'kubernetes.io/dockerconfigjson' ? matchAuths(secret, ref) : [];
  });
}
