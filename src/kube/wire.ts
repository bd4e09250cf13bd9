// API objects as KubeClient.rest() returns them, and the paths it is given. The typed
// clients turned date-time fields into Date objects and printed their models' field order;
// rest() gives the server's JSON (RFC 3339 strings, every field kept). `Wire<T>` says so in
// the types, and `typedSecret`/`typedConfigMap`/`typedServiceAccount` give back the typed clients' shape (field
// order, Dates, unknown fields left out: what ObjectSerializer.deserialize made) where an
// object is printed with -o json|yaml, so that output is unchanged.
import type { V1ConfigMap, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';

/** A typed model as the server sends it: every Date field is the server's string. */
export type Wire<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** An event's timestamps: RFC 3339 (eventTime a MicroTime) strings as the server sends them, or Dates. */
type Stamp = string | Date | null | undefined;
export interface EventTimes {
  lastTimestamp?: Stamp;
  eventTime?: Stamp;
  firstTimestamp?: Stamp;
  metadata?: { creationTimestamp?: Stamp } | undefined;
}

/** When an event happened, in ms: lastTimestamp, else eventTime, firstTimestamp, creationTimestamp; 0 for none. */
export function eventTime(e: EventTimes): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() || 0 : 0;
}

/** `/api/v1/namespaces/<ns>/<plural>[/<name>]`, each segment encoded. */
export function corePath(namespace: string, plural: string, name?: string): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

export interface CustomRef {
  group: string;
  version: string;
  plural: string;
  /** Undefined: a cluster-scoped object (no namespaces segment). */
  namespace?: string | undefined;
  /** Undefined: the collection. */
  name?: string | undefined;
}

/** An object or collection of a named API group (apps, custom resources): `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`. */
export function customPath(r: CustomRef): string {
  const e = encodeURIComponent;
  const ns = r.namespace === undefined ? '' : `/namespaces/${e(r.namespace)}`;
  const base = `/apis/${e(r.group)}/${e(r.version)}${ns}/${e(r.plural)}`;
  return r.name === undefined ? base : `${base}/${e(r.name)}`;
}

/** How ObjectSerializer read one field: kept, copied (string maps and lists), a Date, or a nested model. */
type Field = 'value' | 'copy' | 'date' | Model | { list: Model };
type Model = ReadonlyArray<readonly [string, Field]>;

const OWNER: Model = ['apiVersion', 'blockOwnerDeletion', 'controller', 'kind', 'name', 'uid'].map(
  (k) => [k, 'value'] as const,
);
const MANAGED: Model = [
  ['apiVersion', 'value'],
  ['fieldsType', 'value'],
  ['fieldsV1', 'value'],
  ['manager', 'value'],
  ['operation', 'value'],
  ['subresource', 'value'],
  ['time', 'date'],
];
const META: Model = [
  ['annotations', 'copy'],
  ['creationTimestamp', 'date'],
  ['deletionGracePeriodSeconds', 'value'],
  ['deletionTimestamp', 'date'],
  ['finalizers', 'copy'],
  ['generateName', 'value'],
  ['generation', 'value'],
  ['labels', 'copy'],
  ['managedFields', { list: MANAGED }],
  ['name', 'value'],
  ['namespace', 'value'],
  ['ownerReferences', { list: OWNER }],
  ['resourceVersion', 'value'],
  ['selfLink', 'value'],
  ['uid', 'value'],
];
const SECRET: Model = [
  ['apiVersion', 'value'],
  ['data', 'copy'],
  ['immutable', 'value'],
  ['kind', 'value'],
  ['metadata', META],
  ['stringData', 'copy'],
  ['type', 'value'],
];
const OBJECT_REF: Model = ['apiVersion', 'fieldPath', 'kind', 'name', 'namespace', 'resourceVersion', 'uid'].map(
  (k) => [k, 'value'] as const,
);
const SERVICEACCOUNT: Model = [
  ['apiVersion', 'value'],
  ['automountServiceAccountToken', 'value'],
  ['imagePullSecrets', { list: [['name', 'value']] }],
  ['kind', 'value'],
  ['metadata', META],
  ['secrets', { list: OBJECT_REF }],
];
const CONFIGMAP: Model = [
  ['apiVersion', 'value'],
  ['binaryData', 'copy'],
  ['data', 'copy'],
  ['immutable', 'value'],
  ['kind', 'value'],
  ['metadata', META],
];

function field(v: unknown, f: Field): unknown {
  if (v === undefined || v === null) return v;
  if (f === 'value') return v;
  if (f === 'date') return new Date(v as string);
  if (f === 'copy') return Array.isArray(v) ? [...v] : { ...(v as object) };
  if ('list' in f) return (v as unknown[]).map((x) => field(x, f.list));
  return shape(v as Record<string, unknown>, f);
}

function shape(x: Record<string, unknown>, model: Model): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of model) {
    const v = field(x[k], f);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The secret as the typed client returned it: its field order, Date timestamps, only the fields it knows. */
export const typedSecret = (x: Wire<V1Secret> | V1Secret): V1Secret => shape(x as Record<string, unknown>, SECRET);

/** The config map as the typed client returned it. */
export const typedConfigMap = (x: Wire<V1ConfigMap> | V1ConfigMap): V1ConfigMap =>
  shape(x as Record<string, unknown>, CONFIGMAP);

/** The ServiceAccount as the typed client returned it. */
export const typedServiceAccount = (x: Wire<V1ServiceAccount> | V1ServiceAccount): V1ServiceAccount =>
  shape(x as Record<string, unknown>, SERVICEACCOUNT);
