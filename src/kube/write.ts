// The one Kubernetes write path. Lists without a merge key (ServiceAccount
// imagePullSecrets, a CA bundle string, trust lists) cannot be patched safely, so every
// change is a read-modify-write: GET, change in memory, PUT with the resourceVersion
// read, and on 409 Conflict read again and redo. A change function that returns
// undefined means "nothing to do" and nothing is written. Dry runs go through here too:
// client computes and writes nothing, server sends dryRun=All.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DryRun } from '../dryrun.js';
import { ApiError } from '../errors.js';
import { parseStatus } from '../translate.js';
import type { KubeClient } from './client.js';

/** The dryRun query value for a write. */
export const serverDryRun = (d: DryRun): 'All' | undefined => (d === 'server' ? 'All' : undefined);

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.status === 404;

/** One GET that says what it was doing; undefined when the object does not exist. */
export async function getOptional<T>(client: KubeClient, doing: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await client.call(doing, fn);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
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

export interface Change<T> {
  /** What is being changed, for errors: `updating secret/x in namespace "y"`. */
  doing: string;
  read: () => Promise<T>;
  modify: (current: T) => T | undefined;
  /** PUT (or create, for an object read as a stand-in); gets the dryRun query value. */
  write: (next: T, dryRun: 'All' | undefined) => Promise<T>;
  /** An object the caller already read: the first round uses it instead of a second GET. */
  initial?: T | undefined;
  dryRun: DryRun;
}

/** Read-modify-write with dry runs and the first read reused; any failure is one line saying what was being done. */
export async function update<T extends KubernetesObject>(
  client: KubeClient,
  c: Change<T>,
): Promise<{ object: T; changed: boolean }> {
  let first = c.initial;
  const read = async (): Promise<T> => {
    const f = first;
    first = undefined;
    return f ?? c.read();
  };
  if (c.dryRun === 'client') {
    const cur = await client.call(c.doing, read);
    const next = c.modify(structuredClone(cur));
    return next ? { object: next, changed: true } : { object: cur, changed: false };
  }
  const dry = serverDryRun(c.dryRun);
  const r = await client.call(c.doing, () => readModifyWrite<T>(read, c.modify, (next) => c.write(next, dry)));
  return { object: r.object, changed: r.changed };
}
