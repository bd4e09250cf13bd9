// Object semantics of kube-apiserver for the emulator: create, get, list, update, patch,
// delete, with resourceVersion preconditions, no-op writes that keep the
// resourceVersion, status subresources, server-side dry run and version conversion.
import crypto from 'node:crypto';
import { jsonPatch, mergePatch, PatchError, strategicMerge } from './patch.js';
import { fieldSelector, labelSelector, SelectorError } from './selectors.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  namespaceNotFound,
  notFound,
  StatusError,
  unsupportedMediaType,
} from './status.js';
import type { Store } from './store.js';
import { apiVersionOf, type Obj, type ResourceType } from './types.js';
import { validate, validateUpdate } from './validate.js';

export interface Target {
  t: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface ListQuery {
  labelSelector: string | null;
  fieldSelector: string | null;
  limit: number;
  continue: string | null;
}

export interface Hooks {
  created?: (t: ResourceType, o: Obj) => void;
  deleted?: (t: ResourceType, o: Obj) => void;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/** Kinds whose metadata.generation counts spec changes (custom resources and workloads). */
const generational = (t: ResourceType): boolean => t.custom || t.kind === 'DaemonSet';

/** The defaults kube-apiserver fills into a pod spec (a Pod's, or a workload's template). */
function podSpecDefaults(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    c.imagePullPolicy ??= /:latest$|^[^:]*$/.test(String(c.image ?? '')) ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
  }
  for (const v of spec.volumes ?? []) if (isObj(v.hostPath)) v.hostPath.type ??= '';
}

/** Five characters from the alphabet generateName uses (k8s.io/apimachinery utilrand.String). */
export function randomSuffix(n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(crypto.randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Everything but resourceVersion and managedFields: what makes two versions "the same". */
function sameContent(a: Obj, b: Obj): boolean {
  const strip = (o: Obj): string => {
    const c = structuredClone(o);
    delete c.metadata?.resourceVersion;
    delete c.metadata?.managedFields;
    return JSON.stringify(sortKeys(c));
  };
  return strip(a) === strip(b);
}

function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (!isObj(x)) return x;
  return Object.fromEntries(
    Object.keys(x)
      .sort()
      .map((k) => [k, sortKeys(x[k])]),
  );
}

export class Registry {
  constructor(
    readonly types: ResourceType[],
    readonly store: Store,
    private readonly hooks: Hooks = {},
  ) {}

  type(group: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.plural === plural);
  }

  /** The object as a client of `version` sees it. */
  present(t: ResourceType, o: Obj, version: string): Obj {
    const { apiVersion: _a, kind: _k, ...rest } = t.convert ? t.convert(o, version) : structuredClone(o);
    return { apiVersion: apiVersionOf(t.group, version), kind: t.kind, ...rest };
  }

  private storage(t: ResourceType, o: Obj): Obj {
    const v = t.versions[0]!;
    const out = t.convert ? t.convert(o, v) : structuredClone(o);
    out.apiVersion = apiVersionOf(t.group, v);
    out.kind = t.kind;
    return out;
  }

  get(x: Target): Obj {
    const o = this.store.get(x.t, x.namespace, x.name!);
    if (!o) throw notFound(x.t, x.name!);
    return this.present(x.t, o, x.version);
  }

  list(x: Target, q: ListQuery): { items: Obj[]; resourceVersion: string; continue?: string; remaining?: number } {
    let match: (o: Obj) => boolean;
    try {
      const byLabel = labelSelector(q.labelSelector);
      const byField = fieldSelector(q.fieldSelector, x.t.kind);
      match = (o) => byLabel(o) && byField(o);
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
    let items = this.store.list(x.t, x.namespace).filter(match);
    const rv = String(this.store.revision);
    let start = 0;
    if (q.continue) {
      const token = JSON.parse(Buffer.from(q.continue, 'base64').toString('utf8')) as { start: number };
      start = token.start;
    }
    items = items.slice(start);
    if (q.limit > 0 && items.length > q.limit) {
      const remaining = items.length - q.limit;
      const next = Buffer.from(JSON.stringify({ start: start + q.limit, rv })).toString('base64');
      return {
        items: items.slice(0, q.limit).map((o) => this.present(x.t, o, x.version)),
        resourceVersion: rv,
        continue: next,
        remaining,
      };
    }
    return { items: items.map((o) => this.present(x.t, o, x.version)), resourceVersion: rv };
  }

  private checkBody(x: Target, body: unknown): Obj {
    if (!isObj(body)) throw badRequest('the body of the request was not a valid object');
    const want = apiVersionOf(x.t.group, x.version);
    if (body.apiVersion !== undefined && body.apiVersion !== want) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`,
      );
    }
    if (body.kind !== undefined && body.kind !== x.t.kind) {
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${x.t.kind})`);
    }
    const o = structuredClone(body);
    o.metadata = isObj(o.metadata) ? o.metadata : {};
    if (x.t.namespaced) {
      if (o.metadata.namespace && o.metadata.namespace !== x.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      o.metadata.namespace = x.namespace;
    } else delete o.metadata.namespace;
    return o;
  }

  private requireNamespace(x: Target): void {
    if (!x.t.namespaced || !x.namespace) return;
    const nsType = this.type('', 'namespaces')!;
    const ns = this.store.get(nsType, undefined, x.namespace);
    if (!ns) throw namespaceNotFound(x.namespace);
    if (ns.metadata.deletionTimestamp) {
      throw new StatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${x.namespace} because it is being terminated`,
        { name: x.namespace, kind: 'namespaces' },
      );
    }
  }

  /** Defaults the real server fills in. */
  private defaults(t: ResourceType, o: Obj): void {
    if (t.kind === 'Secret') {
      o.type ??= 'Opaque';
      if (isObj(o.stringData)) {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
    }
    if (t.kind === 'Namespace') {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
      o.spec = { finalizers: ['kubernetes'], ...(o.spec ?? {}) };
      o.status = { phase: 'Active', ...(o.status ?? {}) };
    }
    if (t.kind === 'Pod') {
      const spec = (o.spec ??= {});
      podSpecDefaults(spec);
      spec.serviceAccountName ??= 'default';
    }
    if (t.kind === 'DaemonSet') {
      const spec = (o.spec ??= {});
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      if (isObj(spec.template)) podSpecDefaults((spec.template.spec ??= {}));
    }
  }

  create(x: Target, body: unknown, dryRun: boolean, warnings?: string[]): Obj {
    const o = this.checkBody(x, body);
    if (o.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    const generated = !o.metadata.name && o.metadata.generateName;
    if (generated) o.metadata.name = `${o.metadata.generateName}${randomSuffix()}`;
    this.requireNamespace(x);
    this.defaults(x.t, o);
    const causes = validate(o, x.t.kind);
    if (causes.length) throw invalid(x.t, o.metadata.name ?? '', causes);
    // Admission sees the object before its name is generated (admission.NewForbidden then names the generateName).
    this.admit(x, generated ? { ...o, metadata: { ...o.metadata, name: undefined } } : o, undefined, warnings);
    if (this.store.get(x.t, x.namespace, o.metadata.name)) throw alreadyExists(x.t, o.metadata.name);
    o.metadata.uid = crypto.randomUUID();
    o.metadata.creationTimestamp = now();
    if (generational(x.t)) o.metadata.generation = 1;
    if (x.t.kind === 'Pod') o.status = { phase: 'Pending', qosClass: 'Burstable' };
    if (dryRun) return this.present(x.t, this.storage(x.t, o), x.version);
    const stored = this.store.put(x.t, this.storage(x.t, this.fromClient(x, o)));
    this.hooks.created?.(x.t, stored);
    return this.present(x.t, stored, x.version);
  }

  /** The type's schema validation and validating webhooks, on the object as the client sent it. */
  private admit(x: Target, o: Obj, old?: Obj, warnings?: string[]): void {
    x.t.admit?.({
      object: { ...o, apiVersion: apiVersionOf(x.t.group, x.version), kind: x.t.kind },
      version: x.version,
      old,
      warn: (m) => warnings?.push(m),
      lookup: (group, plural, ns, name) => {
        const t = this.type(group, plural);
        return t && this.store.get(t, ns, name);
      },
    });
  }

  /** Convert what a client of x.version sent into storage form. */
  private fromClient(x: Target, o: Obj): Obj {
    return { ...o, apiVersion: apiVersionOf(x.t.group, x.version) };
  }

  update(x: Target, body: unknown, dryRun: boolean, warnings?: string[]): Obj {
    const o = this.checkBody(x, body);
    if (o.metadata.name !== x.name) {
      throw badRequest(
        `the name of the object (${o.metadata.name ?? ''}) does not match the name on the URL (${x.name})`,
      );
    }
    const cur = this.store.get(x.t, x.namespace, x.name!);
    if (!cur) throw notFound(x.t, x.name!);
    if (!o.metadata.resourceVersion && x.t.custom) {
      throw invalid(x.t, x.name!, [
        {
          field: 'metadata.resourceVersion',
          reason: 'FieldValueInvalid',
          message: 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
        },
      ]);
    }
    return this.write(x, cur, o, dryRun, warnings);
  }

  patch(x: Target, contentType: string, body: unknown, dryRun: boolean, warnings?: string[]): Obj {
    const cur = this.store.get(x.t, x.namespace, x.name!);
    if (!cur) throw notFound(x.t, x.name!);
    const type = contentType.split(';')[0]!.trim();
    const accepted = x.t.custom ? PATCH_TYPES.filter((p) => !p.includes('strategic')) : PATCH_TYPES;
    if (!accepted.includes(type)) {
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      );
    }
    const base = this.present(x.t, cur, x.version);
    let next: unknown;
    try {
      if (type === 'application/json-patch+json') next = jsonPatch(base, body);
      else if (type === 'application/merge-patch+json') next = mergePatch(base, body);
      else next = strategicMerge(base, body, x.t.mergeKeys ?? {});
    } catch (e) {
      if (e instanceof PatchError) throw new StatusError(422, 'Invalid', e.message, {});
      throw e;
    }
    if (!isObj(next)) throw badRequest('the patch did not produce an object');
    const o = this.checkBody(x, next);
    if (o.metadata.name !== x.name)
      throw badRequest(
        `the name of the object (${o.metadata.name ?? ''}) does not match the name on the URL (${x.name})`,
      );
    return this.write(x, cur, o, dryRun, warnings);
  }

  /** Shared tail of update and patch: preconditions, system fields, validation, no-op detection. */
  private write(x: Target, cur: Obj, o: Obj, dryRun: boolean, warnings?: string[]): Obj {
    if (o.metadata.resourceVersion && o.metadata.resourceVersion !== cur.metadata.resourceVersion)
      throw conflict(x.t, x.name!);
    if (o.metadata.uid && o.metadata.uid !== cur.metadata.uid) {
      throw new StatusError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${o.metadata.uid}, UID in object meta: ${cur.metadata.uid}`,
        { name: x.name, kind: x.t.plural },
      );
    }
    let next = this.storage(x.t, this.fromClient(x, o));
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'generation'] as const) {
      if (cur.metadata[k] !== undefined) next.metadata[k] = cur.metadata[k];
      else delete next.metadata[k];
    }
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    const hasStatus = (x.t.subresources ?? []).includes('status');
    if (x.subresource === 'status') next = { ...cur, status: next.status };
    else if (hasStatus) {
      if (cur.status === undefined) delete next.status;
      else next.status = cur.status;
    }
    this.defaults(x.t, next);
    const causes = [...validate(next, x.t.kind), ...validateUpdate(next, cur, x.t.kind)];
    if (causes.length) throw invalid(x.t, x.name!, causes);
    if (x.subresource !== 'status') this.admit(x, o, cur, warnings);
    if (sameContent(next, cur)) return this.present(x.t, cur, x.version);
    if (generational(x.t) && JSON.stringify(sortKeys(next.spec)) !== JSON.stringify(sortKeys(cur.spec))) {
      next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    if (dryRun) return this.present(x.t, next, x.version);
    return this.present(x.t, this.store.put(x.t, next), x.version);
  }

  delete(x: Target, options: unknown, dryRun: boolean): { object: Obj; returnObject: boolean } {
    const cur = this.store.get(x.t, x.namespace, x.name!);
    if (!cur) throw notFound(x.t, x.name!);
    const pre = isObj(options) && isObj(options.preconditions) ? options.preconditions : {};
    if (pre.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${x.t.plural} "${x.name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
        { name: x.name, kind: x.t.plural },
      );
    }
    if (pre.uid && pre.uid !== cur.metadata.uid) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${x.t.plural} "${x.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`,
        { name: x.name, kind: x.t.plural },
      );
    }
    // Pods and namespaces are deleted gracefully: the answer is the object with a deletionTimestamp.
    const graceful = x.t.kind === 'Pod' || x.t.kind === 'Namespace';
    const shown = structuredClone(cur);
    if (graceful) {
      shown.metadata.deletionTimestamp = now();
      shown.metadata.deletionGracePeriodSeconds = x.t.kind === 'Pod' ? 30 : 0;
      if (x.t.kind === 'Namespace') shown.status = { phase: 'Terminating' };
    }
    if (dryRun) return { object: this.present(x.t, shown, x.version), returnObject: graceful };
    if (x.t.kind === 'Namespace') {
      for (const t of this.types.filter((t) => t.namespaced)) {
        for (const o of this.store.list(t, x.name)) {
          const gone = this.store.remove(t, x.name, o.metadata.name);
          if (gone) this.hooks.deleted?.(t, gone);
        }
      }
    }
    const gone = this.store.remove(x.t, x.namespace, x.name!)!;
    this.hooks.deleted?.(x.t, gone);
    return { object: this.present(x.t, graceful ? shown : gone, x.version), returnObject: graceful };
  }

  /** Internal writes (the kubelet's status updates, fixtures) that skip client-facing checks. */
  mutate(t: ResourceType, namespace: string | undefined, name: string, fn: (o: Obj) => void): Obj | undefined {
    const cur = this.store.get(t, namespace, name);
    if (!cur) return undefined;
    const next = structuredClone(cur);
    fn(next);
    if (sameContent(next, cur)) return cur;
    return this.store.put(t, next);
  }

  /** Store an object as a fixture, converting from its own apiVersion. */
  seed(t: ResourceType, o: Obj): Obj {
    const obj = structuredClone(o);
    obj.metadata = {
      ...obj.metadata,
      uid: obj.metadata?.uid ?? crypto.randomUUID(),
      creationTimestamp: obj.metadata?.creationTimestamp ?? now(),
    };
    if (!t.namespaced) delete obj.metadata.namespace;
    if (generational(t)) obj.metadata.generation ??= 1;
    this.defaults(t, obj);
    const causes = validate(obj, t.kind);
    if (causes.length) throw invalid(t, obj.metadata.name ?? '', causes);
    const stored = this.store.put(t, this.storage(t, obj));
    this.hooks.created?.(t, stored);
    return stored;
  }
}
