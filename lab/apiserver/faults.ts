// Fault injection for tests: latency, N failures with 500/503, 409 storms on a resource,
// connections dropped mid-response, and an expired-token mode (401 for every call).
export interface RequestFacts {
  method: string;
  path: string;
  verb?: string;
  /** Plural, or `plural/subresource`. */
  resource?: string;
  namespace?: string;
  name?: string;
}

export interface FaultMatch {
  method?: string;
  /** Substring of, or pattern for, the URL path. */
  path?: string | RegExp;
  verb?: string | string[];
  resource?: string;
  namespace?: string;
  name?: string;
}

export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; code: 500 | 503 }
  | { kind: 'conflict' }
  | { kind: 'drop' };

interface Rule {
  fault: Fault;
  remaining: number;
  match: FaultMatch;
  hits: number;
}

const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'];

function matches(m: FaultMatch, f: RequestFacts): boolean {
  if (m.method && m.method.toUpperCase() !== f.method) return false;
  if (m.path && !(typeof m.path === 'string' ? f.path.includes(m.path) : m.path.test(f.path))) return false;
  if (m.verb && !(Array.isArray(m.verb) ? m.verb : [m.verb]).includes(f.verb ?? '')) return false;
  if (m.resource && m.resource !== f.resource) return false;
  if (m.namespace && m.namespace !== f.namespace) return false;
  if (m.name && m.name !== f.name) return false;
  return true;
}

export class Faults {
  private rules: Rule[] = [];
  /** Every bearer token is rejected with 401, as after a `kubectl vsphere login` session expires. */
  tokensExpired = false;

  /** Delay every matching request by `ms` (until cleared). */
  latency(ms: number, match: FaultMatch = {}): void {
    this.rules.push({ fault: { kind: 'latency', ms }, remaining: Infinity, match, hits: 0 });
  }

  /** The next `times` matching requests fail with `code`. */
  fail(times: number, code: 500 | 503 = 500, match: FaultMatch = {}): void {
    this.rules.push({ fault: { kind: 'status', code }, remaining: times, match, hits: 0 });
  }

  /** The next `times` matching writes answer 409 Conflict, as when another writer keeps winning. */
  conflicts(times: number, match: FaultMatch = {}): void {
    this.rules.push({ fault: { kind: 'conflict' }, remaining: times, match: { verb: WRITES, ...match }, hits: 0 });
  }

  /** The next `times` matching responses are cut off after their headers and a few bytes. */
  drop(times: number, match: FaultMatch = {}): void {
    this.rules.push({ fault: { kind: 'drop' }, remaining: times, match, hits: 0 });
  }

  expireTokens(on = true): void {
    this.tokensExpired = on;
  }

  clear(): void {
    this.rules = [];
    this.tokensExpired = false;
  }

  /** How many requests the faults have hit so far. */
  get hits(): number {
    return this.rules.reduce((n, r) => n + r.hits, 0);
  }

  /** The faults that apply to this request, consuming one use of each counted fault. */
  take(f: RequestFacts): Fault[] {
    const out: Fault[] = [];
    for (const r of this.rules) {
      if (r.remaining <= 0 || !matches(r.match, f)) continue;
      r.remaining--;
      r.hits++;
      out.push(r.fault);
    }
    return out;
  }
}
