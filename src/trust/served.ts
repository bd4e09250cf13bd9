// Tanzu objects come in several API versions: the newest the server serves is used.
import type { KubeClient } from '../kube/client.js';
import { getOptional } from '../kube/write.js';

export const TANZU_GROUP = 'run.tanzu.vmware.com';

/** A custom object: untyped JSON, read field by field with optional chaining and written back whole. */
// biome-ignore lint/suspicious/noExplicitAny: the one untyped shape (TKC, Cluster, TkgServiceConfiguration across API versions); every read is ?.-guarded
export type Obj = Record<string, any>;

export interface Served {
  version: string;
  object: Obj;
}

/** GET the object at each version, newest first; undefined when none has it (404 throughout). */
export async function getServed(
  client: KubeClient,
  doing: string,
  versions: readonly string[],
  get: (version: string) => Promise<Obj>,
): Promise<Served | undefined> {
  for (const version of versions) {
    const object = await getOptional(client, doing, () => get(version));
    if (object) return { version, object };
  }
  return undefined;
}
