// Label selectors (equality and set-based, as `kubectl get -l` sends them) and field
// selectors (`=`, `==`, `!=` on dotted paths, e.g. metadata.name or involvedObject.name).
import type { Obj } from './types.js';

export class SelectorError extends Error {}

type Requirement = (labels: Record<string, string>) => boolean;

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function requirement(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}"`);
    return op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
  }
  m = /^!\s*(\S+)$/.exec(term);
  if (m) {
    const key = m[1]!;
    return (l) => !(key in l);
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}"`);
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (KEY.test(term)) return (l) => term in l;
  throw new SelectorError(`unable to parse requirement: found '${term}', expected: key`);
}

export function labelSelector(s: string | null): (o: Obj) => boolean {
  if (!s) return () => true;
  const reqs = splitTop(s).map(requirement);
  return (o) => reqs.every((r) => r((o.metadata?.labels ?? {}) as Record<string, string>));
}

function valueAt(o: Obj, path: string): string {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Obj)[p] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Fields the real API server indexes for each kind; anything else is a 400, as there. */
const FIELDS: Record<string, string[]> = {
  '*': ['metadata.name', 'metadata.namespace'],
  Secret: ['type'],
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Namespace: ['status.phase'],
};

export function fieldSelector(s: string | null, kind: string): (o: Obj) => boolean {
  if (!s) return () => true;
  const allowed = new Set([...FIELDS['*']!, ...(FIELDS[kind] ?? [])]);
  const reqs = s
    .split(',')
    .filter(Boolean)
    .map((term) => {
      const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
      if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
      const [, path, op, value] = m as unknown as [string, string, string, string];
      if (!allowed.has(path)) throw new SelectorError(`field label not supported: ${path}`);
      const at = path === 'source' ? 'source.component' : path;
      return (o: Obj) => (op === '!=' ? valueAt(o, at) !== value : valueAt(o, at) === value);
    });
  return (o) => reqs.every((r) => r(o));
}
