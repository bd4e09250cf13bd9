// Cluster API (cluster.x-k8s.io) as a VKS Supervisor serves it: Cluster and ClusterClass
// at v1beta2 (storage, preferred) and v1beta1, one stored object converted per request
// (topology.class/classNamespace <-> topology.classRef, v1beta1 <-> v1beta2 conditions);
// the CRD schema rules that differ between the versions; and the validating webhook
// (validation.cluster.cluster.x-k8s.io) that resolves a Cluster's ClusterClass and checks
// every topology variable against the class's published schema, as CAPI does.
import { convertCluster, convertClusterClass } from './capi-convert.js';
import { unknownFields, validateValue, type SchemaError } from './jsonschema.js';
import { StatusError } from './status.js';
import { ageCol, nameCol, type Admission, type Obj, type ResourceType } from './types.js';
import type { Cause } from './validate.js';

export const CAPI_GROUP = 'cluster.x-k8s.io';
export const CLUSTER_WEBHOOK = 'validation.cluster.cluster.x-k8s.io';

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

interface FieldError {
  type: 'Required' | 'Invalid' | 'TypeInvalid' | 'NotSupported' | 'InternalError';
  field: string;
  value?: unknown;
  detail: string;
}

const REASON: Record<FieldError['type'], Cause['reason']> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  TypeInvalid: 'FieldValueTypeInvalid',
  NotSupported: 'FieldValueNotSupported',
  InternalError: 'InternalError',
};

/** A field error worded as k8s.io/apimachinery's field.Error words it. */
function cause(e: FieldError): Cause {
  const v = typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
  const body =
    e.type === 'Required'
      ? `Required value${e.detail ? `: ${e.detail}` : ''}`
      : e.type === 'InternalError'
        ? `Internal error: ${e.detail}`
        : e.type === 'NotSupported'
          ? `Unsupported value: ${v}: ${e.detail}`
          : `Invalid value: ${v}: ${e.detail}`;
  return { field: e.field, reason: REASON[e.type], message: `${e.field}: ${body}` };
}

/** 422 Invalid for a Cluster, from the CRD schema or (`webhook`) from CAPI's validating webhook. */
export function refuse(name: string, errors: FieldError[], webhook: boolean): StatusError {
  const causes = errors.map(cause);
  const list = causes.map((c) => c.message);
  const msg = `Cluster.${CAPI_GROUP} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new StatusError(
    422,
    'Invalid',
    webhook ? `admission webhook "${CLUSTER_WEBHOOK}" denied the request: ${msg}` : msg,
    {
      name,
      group: CAPI_GROUP,
      kind: 'Cluster',
      causes: causes.map((c) => ({ reason: c.reason, message: c.message.slice(c.field.length + 2), field: c.field })),
    },
  );
}

/** What each version's CRD schema requires of spec.topology. */
function schemaErrors(o: Obj, version: string): FieldError[] {
  const topo = o.spec?.topology;
  if (!isObj(topo)) return [];
  const out: FieldError[] = [];
  if (version === 'v1beta2') {
    if (!isObj(topo.classRef) || !topo.classRef.name)
      out.push({ type: 'Required', field: 'spec.topology.classRef.name', detail: '' });
    if (Array.isArray(topo.variables) && topo.variables.length === 0)
      out.push({
        type: 'Invalid',
        field: 'spec.topology.variables',
        value: 0,
        detail: 'spec.topology.variables in body should have at least 1 items',
      });
  } else if (!topo.class) out.push({ type: 'Required', field: 'spec.topology.class', detail: '' });
  if (!topo.version) out.push({ type: 'Required', field: 'spec.topology.version', detail: '' });
  return out;
}

interface Definition {
  required: boolean;
  schema: Obj;
}

/** The class's variables: status.variables (what CAPI validates against), else spec.variables. */
export function classDefinitions(cc: Obj): Map<string, Definition> {
  const out = new Map<string, Definition>();
  const status: Obj[] = cc.status?.variables ?? [];
  if (status.length) {
    for (const v of status) {
      const d: Obj = v.definitions?.[0] ?? {};
      out.set(v.name, { required: d.required === true, schema: d.schema?.openAPIV3Schema ?? {} });
    }
  } else {
    for (const v of (cc.spec?.variables ?? []) as Obj[])
      out.set(v.name, { required: v.required === true, schema: v.schema?.openAPIV3Schema ?? {} });
  }
  return out;
}

function schemaError(e: SchemaError, base: string, raw: string): FieldError {
  const field = !e.path ? base : e.path.startsWith('[') ? `${base}${e.path}` : `${base}.${e.path}`;
  if (e.kind === 'required') return { type: 'Required', field, detail: '' };
  const type = e.kind === 'type' ? 'TypeInvalid' : e.kind === 'unsupported' ? 'NotSupported' : 'Invalid';
  return { type, field, value: raw, detail: e.detail };
}

/** CAPI's validateClusterVariables: names unique, required ones set, each defined and valid. */
function variableErrors(values: Obj[], defs: Map<string, Definition>, path: string, required: boolean): FieldError[] {
  const out: FieldError[] = [];
  const raw = (v: Obj): string => (v.value === undefined ? '' : JSON.stringify(v.value));
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v.name))
      out.push({
        type: 'Invalid',
        field: `${path}[${v.name}]`,
        value: raw(v),
        detail: `variable "${v.name}" is set more than once`,
      });
    seen.add(v.name);
  }
  if (out.length) return out;
  if (required)
    for (const [name, d] of defs)
      if (d.required && !seen.has(name))
        out.push({ type: 'Required', field: path, detail: `required variable "${name}" must be set` });
  for (const v of values) {
    const p = `${path}[${v.name}]`;
    const d = defs.get(v.name);
    if (!d) {
      out.push({ type: 'Invalid', field: p, value: raw(v), detail: 'variable is not defined' });
      continue;
    }
    const errs = validateValue(d.schema, v.value ?? null);
    if (errs.length) {
      out.push(...errs.map((e) => schemaError(e, `${p}.value`, raw(v))));
      continue;
    }
    const unknown = unknownFields(d.schema, v.value);
    if (unknown.length)
      out.push({
        type: 'Invalid',
        field: p,
        value: raw(v),
        detail: `failed validation: ${JSON.stringify(unknown.join(','))} field(s) are not specified in the variable schema of variable ${JSON.stringify(v.name)}`,
      });
  }
  return out;
}

/** The CRD schema of the client's version, then CAPI's webhook on the v1beta2 form. */
export function admitCluster(a: Admission): void {
  const name: string = a.object.metadata?.name ?? '';
  const schema = schemaErrors(a.object, a.version);
  if (schema.length) throw refuse(name, schema, false);
  const cl = convertCluster(a.object, 'v1beta2');
  const topo: Obj | undefined = cl.spec?.topology;
  if (!isObj(topo) || !isObj(topo.classRef)) return;
  const ns: string = topo.classRef.namespace || cl.metadata?.namespace;
  const cc = a.lookup(CAPI_GROUP, 'clusterclasses', ns, topo.classRef.name);
  if (!cc) {
    throw refuse(
      name,
      [
        {
          type: 'InternalError',
          field: 'spec.topology.class',
          detail: `ClusterClass ${ns}/${topo.classRef.name} not found`,
        },
      ],
      true,
    );
  }
  const defs = classDefinitions(cc);
  const errs = variableErrors(topo.variables ?? [], defs, 'spec.topology.variables', true);
  for (const md of (topo.workers?.machineDeployments ?? []) as Obj[]) {
    const path = `spec.topology.workers.machineDeployments[${md.name}].variables.overrides`;
    errs.push(...variableErrors(md.variables?.overrides ?? [], defs, path, false));
  }
  if (errs.length) throw refuse(name, errs, true);
}

const condition = (o: Obj, ...types: string[]): string =>
  (o.status?.conditions ?? []).find((c: Obj) => types.includes(c.type))?.status ?? '';

export function capiTypes(): ResourceType[] {
  const common = {
    group: CAPI_GROUP,
    versions: ['v1beta2', 'v1beta1'],
    namespaced: true,
    categories: ['cluster-api'],
    custom: true,
    subresources: ['status'],
  };
  return [
    {
      ...common,
      kind: 'Cluster',
      plural: 'clusters',
      singular: 'cluster',
      shortNames: ['cl'],
      convert: convertCluster,
      admit: admitCluster,
      columns: [
        nameCol,
        {
          name: 'ClusterClass',
          cell: (o) => o.spec?.topology?.classRef?.name ?? o.spec?.topology?.class ?? '',
        },
        { name: 'Phase', cell: (o) => o.status?.phase ?? '' },
        ageCol,
        { name: 'Version', cell: (o) => o.spec?.topology?.version ?? '' },
      ],
    },
    {
      ...common,
      kind: 'ClusterClass',
      plural: 'clusterclasses',
      singular: 'clusterclass',
      shortNames: ['cc'],
      convert: convertClusterClass,
      columns: [
        nameCol,
        { name: 'Variables Ready', cell: (o) => condition(o, 'VariablesReady', 'VariablesReconciled') },
        ageCol,
      ],
    },
  ];
}
