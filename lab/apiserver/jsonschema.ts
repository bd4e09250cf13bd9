// The subset of OpenAPI v3 (structural schema) validation a ClusterClass variable
// schema needs: type, nullable, enum, properties, required, additionalProperties, items,
// min/max items and length, pattern, allOf/anyOf/oneOf; and the structural pruning check
// that finds fields the schema does not specify. Paths are relative to the value
// (`trust.additionalTrustedCAs[0].caCert`), as kube-openapi names them.
import type { Obj } from './types.js';

export interface SchemaError {
  kind: 'required' | 'type' | 'invalid' | 'unsupported';
  /** Relative path of the failing field ('' for the value itself). */
  path: string;
  detail: string;
}

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const index = (path: string, i: number): string => `${path}[${i}]`;
/** kube-openapi's `<path> in body <rule>`; CAPI trims the prefix for the value itself. */
const inBody = (path: string, rule: string): string => (path ? `${path} in body ${rule}` : rule);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  return got === want || (want === 'number' && got === 'integer');
}

function combinators(schema: Obj, v: unknown, path: string): SchemaError[] {
  const out: SchemaError[] = [];
  for (const s of (schema.allOf ?? []) as Obj[]) out.push(...validateValue(s, v, path));
  const valid = (list: Obj[]): number => list.filter((s) => validateValue(s, v, path).length === 0).length;
  if (Array.isArray(schema.anyOf) && valid(schema.anyOf) === 0)
    out.push({ kind: 'invalid', path, detail: 'must validate at least one schema (anyOf)' });
  if (Array.isArray(schema.oneOf)) {
    const n = valid(schema.oneOf);
    if (n !== 1)
      out.push({
        kind: 'invalid',
        path,
        detail: `must validate one and only one schema (oneOf). Found ${n === 0 ? 'none valid' : `${n} valid alternatives`}`,
      });
  }
  return out;
}

function scalarRules(schema: Obj, v: unknown, path: string): SchemaError[] {
  const out: SchemaError[] = [];
  if (typeof v === 'string') {
    if (typeof schema.maxLength === 'number' && v.length > schema.maxLength)
      out.push({ kind: 'invalid', path, detail: inBody(path, `should be at most ${schema.maxLength} chars long`) });
    if (typeof schema.minLength === 'number' && v.length < schema.minLength)
      out.push({ kind: 'invalid', path, detail: inBody(path, `should be at least ${schema.minLength} chars long`) });
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(v))
      out.push({ kind: 'invalid', path, detail: inBody(path, `should match '${schema.pattern}'`) });
  }
  if (typeof v === 'number') {
    if (typeof schema.maximum === 'number' && v > schema.maximum)
      out.push({ kind: 'invalid', path, detail: inBody(path, `should be less than or equal to ${schema.maximum}`) });
    if (typeof schema.minimum === 'number' && v < schema.minimum)
      out.push({
        kind: 'invalid',
        path,
        detail: inBody(path, `should be greater than or equal to ${schema.minimum}`),
      });
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v)))
    out.push({
      kind: 'unsupported',
      path,
      detail: `supported values: ${schema.enum.map((e: unknown) => JSON.stringify(e)).join(', ')}`,
    });
  return out;
}

/** Value validation (what `validation.ValidateCustomResource` checks), without pruning. */
export function validateValue(schema: Obj, v: unknown, path = ''): SchemaError[] {
  if (v === null || v === undefined) {
    if (schema.nullable || !schema.type) return [];
    return [{ kind: 'type', path, detail: inBody(path, `must be of type ${schema.type}: "null"`) }];
  }
  if (schema.type && !typeMatches(schema.type, v))
    return [{ kind: 'type', path, detail: inBody(path, `must be of type ${schema.type}: "${typeOf(v)}"`) }];
  const out = [...scalarRules(schema, v, path), ...combinators(schema, v, path)];
  if (isObj(v)) {
    for (const k of (schema.required ?? []) as string[])
      if (!(k in v)) out.push({ kind: 'required', path: child(path, k), detail: '' });
    const props: Obj = schema.properties ?? {};
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) out.push(...validateValue(props[k], x, child(path, k)));
      else if (isObj(schema.additionalProperties))
        out.push(...validateValue(schema.additionalProperties, x, child(path, k)));
    }
  }
  if (Array.isArray(v)) {
    if (typeof schema.minItems === 'number' && v.length < schema.minItems)
      out.push({ kind: 'invalid', path, detail: inBody(path, `should have at least ${schema.minItems} items`) });
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems)
      out.push({ kind: 'invalid', path, detail: inBody(path, `should have at most ${schema.maxItems} items`) });
    if (isObj(schema.items))
      for (const [i, x] of v.entries()) out.push(...validateValue(schema.items, x, index(path, i)));
  }
  return out;
}

/**
 * Fields structural pruning would drop: keys of an object that its schema neither lists in
 * `properties` nor allows by `additionalProperties`, unless x-kubernetes-preserve-unknown-fields.
 */
export function unknownFields(schema: Obj, v: unknown, path = ''): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  const out: string[] = [];
  if (isObj(v)) {
    const props: Obj = schema.properties ?? {};
    for (const [k, x] of Object.entries(v)) {
      if (props[k]) out.push(...unknownFields(props[k], x, child(path, k)));
      else if (isObj(schema.additionalProperties))
        out.push(...unknownFields(schema.additionalProperties, x, child(path, k)));
      else out.push(child(path, k));
    }
  }
  if (Array.isArray(v) && isObj(schema.items))
    for (const [i, x] of v.entries()) out.push(...unknownFields(schema.items, x, index(path, i)));
  return out;
}
