// Which credentials the node's runtime would present for an image: every `auths` entry of
// the effective pull secrets (in order; in a secret, the most specific key first) that
// matches the registry as the kubelet matches it. The kubelet tries each in turn until one
// pulls (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_image.go: `for _,
// currentCreds := range creds`), so doctor probes each too. When there is none, what is
// near: a secret in the namespace that has one but is not referenced (sa-unbound), or an
// entry for the same host on another port (secret-host-mismatch).
import type { V1Secret } from '@kubernetes/client-node';
import { isManaged } from '../kube/labels.js';
import { entryCredentials, readDockerConfig, robotMark } from '../kube/dockerconfigjson.js';
import type { Credentials } from '../registry/verify.js';
import type { NamespaceEvidence, PodEvidence } from './doctor-evidence.js';
import { type ImageRef, matchingKeys, nearMisses } from './doctor-match.js';

export interface Entry {
  secret: string;
  key: string;
  creds: Credentials;
  /** The robot annotations' expiry when it is in the past. */
  expiredAt: string | undefined;
}

export interface EntryChoice {
  kind: 'entry';
  /** In the order the kubelet tries them; never empty. */
  entries: Entry[];
}

export interface NoChoice {
  kind: 'none';
  /** Referenced secrets that do not exist. */
  missing: string[];
  /** A secret of the namespace with a matching entry that nothing references. */
  unbound: string | undefined;
  nearMiss: { secret: string; key: string; user: string } | undefined;
}

export type CredChoice = EntryChoice | NoChoice;

function expiredAt(secret: V1Secret, key: string, user: string, now: number): string | undefined {
  const mark = robotMark(secret);
  if (!mark || mark.name !== user || mark.registry !== key || mark.expiresAt === 'never') return undefined;
  const at = Date.parse(mark.expiresAt);
  return Number.isFinite(at) && at <= now ? mark.expiresAt : undefined;
}

const keysOf = (s: V1Secret): string[] => Object.keys(readDockerConfig(s).auths ?? {});

export function chooseCredentials(
  pod: PodEvidence,
  ns: NamespaceEvidence,
  ref: ImageRef,
  now = Date.now(),
): CredChoice {
  const missing: string[] = [];
  const entries: Entry[] = [];
  let nearMiss: NoChoice['nearMiss'];
  for (const name of pod.pullSecrets) {
    const secret = ns.secrets.get(name);
    if (!secret) {
      missing.push(name);
      continue;
    }
    const keys = keysOf(secret);
    for (const key of matchingKeys(keys, ref)) {
      const creds = entryCredentials(secret, key);
      entries.push({ secret: name, key, creds, expiredAt: expiredAt(secret, key, creds.username, now) });
    }
    const near = nearMisses(keys, ref)[0];
    if (near && !nearMiss) nearMiss = { secret: name, key: near, user: entryCredentials(secret, near).username };
  }
  if (entries.length) return { kind: 'entry', entries };
  const referenced = new Set(pod.pullSecrets);
  const unbound = [...ns.secrets.entries()]
    .filter(([name, s]) => !referenced.has(name) && matchingKeys(keysOf(s), ref).length > 0)
    .map(([name]) => name)
    .sort((a, b) => Number(managed(ns, b)) - Number(managed(ns, a)))[0];
  return { kind: 'none', missing, unbound, nearMiss };
}

const managed = (ns: NamespaceEvidence, name: string): boolean => {
  const s = ns.secrets.get(name);
  return !!s && isManaged(s);
};
