// The three patch formats kube-apiserver accepts from kubectl and client-node:
// JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch with
// the merge keys of the core types (lists without one, such as
// ServiceAccount.imagePullSecrets, are replaced whole, as the real server does).
import type { Obj } from './types.js';

export class PatchError extends Error {}

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Strategic merge patch. `mergeKeys` maps a dotted list path (list items written `[]`,
 * e.g. `spec.containers[].env`) to its merge key. Supports `$patch: replace|delete`,
 * `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
 */
export function strategicMerge(target: unknown, patch: unknown, mergeKeys: Record<string, string>, at = ''): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  let out: Obj = isObj(target) ? structuredClone(target) : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (!Array.isArray(v)) throw new PatchError(`invalid ${k}: must be a list`);
      if (Array.isArray(out[field])) out[field] = out[field].filter((e: unknown) => !v.includes(e));
      continue;
    }
    const path = at ? `${at}.${k}` : k;
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = mergeKeys[path];
    if (Array.isArray(v) && key) {
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, key, mergeKeys, `${path}[]`);
    } else if (Array.isArray(v)) {
      out[k] = structuredClone(v);
    } else if (isObj(v)) {
      const merged = strategicMerge(out[k], v, mergeKeys, path);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/')) continue;
    const field = k.slice('$setElementOrder/'.length);
    const key = mergeKeys[at ? `${at}.${field}` : field];
    if (!Array.isArray(order) || !Array.isArray(out[field]) || !key) continue;
    const rank = (e: Obj): number => {
      const i = order.findIndex((o) => isObj(o) && o[key] === e[key]);
      return i < 0 ? order.length : i;
    };
    out[field] = [...out[field]].sort((a: Obj, b: Obj) => rank(a) - rank(b));
  }
  return out;
}

function mergeList(
  current: unknown[],
  patch: unknown[],
  key: string,
  mergeKeys: Record<string, string>,
  itemPath: string,
): unknown[] {
  const out = current.map((e) => structuredClone(e)) as Obj[];
  for (const item of patch) {
    if (!isObj(item)) throw new PatchError(`invalid strategic merge patch: list items at ${itemPath} must be objects`);
    if (item[key] === undefined)
      throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const i = out.findIndex((e) => isObj(e) && e[key] === item[key]);
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMerge(out[i], item, mergeKeys, itemPath) as Obj;
    else {
      const { $patch: _, ...clean } = item;
      out.push(structuredClone(clean));
    }
  }
  return out;
}

const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function resolve(doc: unknown, parts: string[], op: string, path: string): { parent: any; last: string } {
  let parent: any = doc;
  for (const p of parts.slice(0, -1)) {
    const next = Array.isArray(parent) ? parent[Number(p)] : isObj(parent) ? parent[p] : undefined;
    if (next === undefined)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    parent = next;
  }
  return { parent, last: parts[parts.length - 1]! };
}

function getAt(doc: unknown, path: string, op: string): unknown {
  let cur: any = doc;
  for (const p of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (cur === undefined)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], last: string, op: string, path: string, forAdd: boolean): number {
  if (last === '-' && forAdd) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(last))
    throw new PatchError(`${op} operation does not apply: invalid array index: "${path}"`);
  const i = Number(last);
  if (i > arr.length || (!forAdd && i === arr.length))
    throw new PatchError(`${op} operation does not apply: index out of bounds: "${path}"`);
  return i;
}

function addAt(doc: unknown, path: string, value: unknown, op: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, last } = resolve(doc, parts, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, op, path, true), 0, structuredClone(value));
  else if (isObj(parent)) parent[last] = structuredClone(value);
  else throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

function removeAt(doc: unknown, path: string, op: string): unknown {
  const parts = pointer(path);
  const { parent, last } = resolve(doc, parts, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, op, path, false), 1);
  else if (isObj(parent) && last in parent) delete parent[last];
  else throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let d = structuredClone(doc);
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError('invalid JSON patch operation');
    const { op, path } = raw;
    switch (op) {
      case 'add':
        d = addAt(d, path, raw.value, op);
        break;
      case 'remove':
        d = removeAt(d, path, op);
        break;
      case 'replace':
        getAt(d, path, op);
        d = path === '' ? structuredClone(raw.value) : addAt(removeAt(d, path, op), path, raw.value, op);
        break;
      case 'move': {
        const v = getAt(d, String(raw.from), op);
        d = addAt(removeAt(d, String(raw.from), op), path, v, op);
        break;
      }
      case 'copy':
        d = addAt(d, path, getAt(d, String(raw.from), op), op);
        break;
      case 'test':
        if (JSON.stringify(getAt(d, path, op)) !== JSON.stringify(raw.value))
          throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return d;
}
