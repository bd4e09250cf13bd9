// --dry-run as kubectl takes it: client, server or none, or bare (client).
import { UsageError } from './errors.js';

export const DRY_RUN_VALUES = ['client', 'server', 'none'] as const;

/** client: read, compute, write nothing; server: send with dryRun=All; undefined: really write. */
export type DryRun = 'client' | 'server' | undefined;

export function parseDryRun(v: string | boolean | undefined): DryRun {
  if (v === undefined || v === false || v === 'none') return undefined;
  if (v === true || v === 'client') return 'client';
  if (v === 'server') return 'server';
  throw new UsageError(`--dry-run must be "client", "server" or "none", not "${String(v)}"`);
}
