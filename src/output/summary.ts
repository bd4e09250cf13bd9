// The closing line of a command that works on many namespaces: what happened how often,
// and which namespaces failed. Returns the exit code: 1 when anything failed.
import { CliError } from '../errors.js';
import { translate } from '../translate.js';
import type { Printer } from './printer.js';

export interface Outcome {
  namespace: string;
  action?: string;
  error?: string;
}

export function summarize(p: Printer, subject: string, results: Outcome[]): number {
  const failed = results.filter((r) => r.error);
  if (results.length > 1 || failed.length) {
    const counts = new Map<string, number>();
    for (const r of results) if (r.action) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
    const parts = [...counts].map(([a, n]) => `${n} ${a}`);
    if (failed.length) parts.push(`${failed.length} failed (${[...new Set(failed.map((x) => x.namespace))].join(', ')})`);
    p.status(`${subject}: ${parts.join(', ') || 'nothing to do'}`);
  }
  return failed.length ? 1 : 0;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Run the work for one namespace; a failure the user can act on becomes an `error:` line
 * and a failed Outcome, so the other namespaces go on. Bugs still propagate.
 */
export async function attempt(p: Printer, namespace: string, work: () => Promise<string>): Promise<Outcome> {
  try {
    return { namespace, action: await work() };
  } catch (e) {
    const err = translate(e, { doing: `namespace "${namespace}"` });
    if (!(err instanceof CliError)) throw err;
    p.error(err.message);
    return { namespace, error: err.message };
  }
}
