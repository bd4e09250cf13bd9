// Writing objects safely.
//  - patchObject: every patch goes through here, so the Content-Type is always set
//    (client-node defaults to json-patch, which rejects an object body).
//  - readModifyWrite: for lists without a merge key (ServiceAccount imagePullSecrets,
//    a CA bundle string): GET, change in memory, PUT with the resourceVersion read,
//    and on 409 Conflict read again and redo. A change function that returns
//    undefined means "nothing to do" and nothing is written.
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { parseStatus } from '../translate.js';

export type PatchKind = 'merge' | 'strategic';

export const FIELD_MANAGER = 'kubectl-harbor';

export interface WriteOptions {
  dryRun?: 'server' | undefined;
}

export async function patchObject<T extends KubernetesObject>(
  client: KubeClient,
  target: Required<Pick<KubernetesObject, 'apiVersion' | 'kind'>> & { metadata: { name: string; namespace?: string } },
  patch: Record<string, unknown>,
  kind: PatchKind,
  opts: WriteOptions = {},
): Promise<T> {
  const strategy = kind === 'merge' ? PatchStrategy.MergePatch : PatchStrategy.StrategicMergePatch;
  const body = { ...patch, apiVersion: target.apiVersion, kind: target.kind, metadata: { ...(patch.metadata as object), ...target.metadata } };
  const where = target.metadata.namespace ? ` in namespace "${target.metadata.namespace}"` : '';
  return client.call(`patching ${target.kind.toLowerCase()}/${target.metadata.name}${where}`, () =>
    client.objects().patch(body as T, undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, undefined, strategy),
  );
}

export function isConflict(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as { code?: unknown; status?: unknown; reason?: unknown; body?: unknown };
  if (x.status === 409 && x.reason === 'Conflict') return true;
  if (x.code !== 409) return false;
  const st = parseStatus(x.body);
  return !st || st.reason === 'Conflict';
}

export interface RmwResult<T> {
  object: T;
  changed: boolean;
  /** How many writes were refused with 409 before one went through. */
  conflicts: number;
}

export interface RmwOptions {
  /** Attempts after the first conflict; default 8. */
  retries?: number;
  /** Base backoff in ms, doubled each retry with jitter; default 20. */
  backoffMs?: number;
  onConflict?: (attempt: number) => void;
}

export async function readModifyWrite<T extends KubernetesObject>(
  read: () => Promise<T>,
  modify: (current: T) => T | undefined,
  write: (next: T) => Promise<T>,
  opts: RmwOptions = {},
): Promise<RmwResult<T>> {
  const retries = opts.retries ?? 8;
  const backoff = opts.backoffMs ?? 20;
  for (let conflicts = 0; ; conflicts++) {
    const current = await read();
    const next = modify(structuredClone(current));
    if (next === undefined) return { object: current, changed: false, conflicts };
    next.metadata = { ...next.metadata, resourceVersion: current.metadata?.resourceVersion };
    try {
      return { object: await write(next), changed: true, conflicts };
    } catch (e) {
      if (!isConflict(e) || conflicts >= retries) throw e;
      opts.onConflict?.(conflicts + 1);
      await new Promise((r) => setTimeout(r, backoff * 2 ** Math.min(conflicts, 6) * (0.5 + Math.random())));
    }
  }
}
