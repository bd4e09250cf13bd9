// Flag values checked where clipanion cannot: --dry-run takes client, server or none, or
// nothing (client), as kubectl's does.
import { UsageError } from './errors.js';

export function checkDryRun(v: string | boolean | undefined): void {
  if (v === undefined || v === true || v === 'client' || v === 'server' || v === 'none') return;
  throw new UsageError(`--dry-run must be "client", "server" or "none", not "${String(v)}"`);
}

/** --docker-config given, bare (the default file) or =PATH. */
export function wantsDockerConfig(v: string | boolean | undefined): v is string | true {
  return v !== undefined && v !== false;
}
