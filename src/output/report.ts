// One report per command that works on many targets (namespaces, trust stores, nodes):
// each target is attempted, a failure the user can act on becomes an `error:` line and a
// failed outcome so the others go on, and the closing line counts what happened. The
// command ends with `return report.exitCode()`: 1 when anything failed. Bugs propagate.
import { CliError } from '../errors.js';
import { translate } from '../translate.js';
import type { Printer } from './printer.js';

export interface Outcome {
  /** The namespace, store or node the work was for. */
  target: string;
  action?: string;
  error?: string;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export class Report {
  private readonly outcomes: Outcome[] = [];

  constructor(
    private readonly printer: Printer,
    /** What the closing line is about, e.g. `login`; the count is added by exitCode(). */
    private readonly subject: (outcomes: readonly Outcome[]) => string,
  ) {}

  /** Run the work for one target; its failure is printed and recorded, not thrown. */
  async attempt(target: string, work: () => Promise<string>): Promise<Outcome> {
    let outcome: Outcome;
    try {
      outcome = { target, action: await work() };
    } catch (e) {
      const err = translate(e, { doing: target });
      if (!(err instanceof CliError)) throw err;
      this.printer.error(err.message);
      outcome = { target, error: err.message };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  /** A check before the work: only a failure is recorded. Returns whether it passed. */
  async precheck(target: string, check: () => Promise<void>): Promise<boolean> {
    const o = await this.attempt(target, async () => (await check(), 'checked'));
    if (!o.error) this.outcomes.splice(this.outcomes.indexOf(o), 1);
    return !o.error;
  }

  /** Record an outcome decided elsewhere (a node script's result, say). */
  add(outcome: Outcome): void {
    this.outcomes.push(outcome);
  }

  get failed(): number {
    return this.outcomes.filter((o) => o.error).length;
  }

  /** Print the closing line (when there is more than one target, or a failure) and return 0 or 1. */
  exitCode(): number {
    const failed = this.outcomes.filter((r) => r.error);
    if (this.outcomes.length > 1 || failed.length) {
      const counts = new Map<string, number>();
      for (const r of this.outcomes) if (r.action) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
      const parts = [...counts].map(([a, n]) => `${n} ${a}`);
      if (failed.length)
        parts.push(`${failed.length} failed (${[...new Set(failed.map((x) => x.target))].join(', ')})`);
      this.printer.status(`${this.subject(this.outcomes)}: ${parts.join(', ') || 'nothing to do'}`);
    }
    return failed.length ? 1 : 0;
  }
}
