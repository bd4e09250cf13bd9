// Validation the real API server does for the objects kubectl-harbor writes; each cause
// becomes part of a 422 Invalid Status worded as kube-apiserver words it.
import type { Obj } from './types.js';

export interface Cause {
  field: string;
  reason:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'InternalError';
  message: string;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_SIZE = 1024 * 1024;

const required = (field: string): Cause => ({
  field,
  reason: 'FieldValueRequired',
  message: `${field}: Required value`,
});
const invalid = (field: string, value: string, why: string): Cause => ({
  field,
  reason: 'FieldValueInvalid',
  message: `${field}: Invalid value: ${JSON.stringify(value)}: ${why}`,
});

function validateName(o: Obj, kind: string): Cause[] {
  const name: unknown = o.metadata?.name;
  if (typeof name !== 'string' || !name)
    return [
      { ...required('metadata.name'), message: 'metadata.name: Required value: name or generateName is required' },
    ];
  if (kind === 'Namespace') {
    if (name.length > 63 || !LABEL.test(name)) {
      return [
        invalid(
          'metadata.name',
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      ];
    }
  } else if (name.length > 253 || !SUBDOMAIN.test(name)) {
    return [
      invalid(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  }
  return [];
}

function dataKeys(o: Obj, field: 'data' | 'binaryData' | 'stringData'): Cause[] {
  const out: Cause[] = [];
  for (const k of Object.keys(o[field] ?? {})) {
    if (!DATA_KEY.test(k))
      out.push(
        invalid(
          `${field}[${k}]`,
          k,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
  }
  return out;
}

function secretRules(o: Obj): Cause[] {
  const out = dataKeys(o, 'data');
  const data: Record<string, string> = o.data ?? {};
  const decoded = (k: string): string => Buffer.from(data[k] ?? '', 'base64').toString('utf8');
  const need = (k: string): void => {
    if (!(k in data)) out.push(required(`data[${k}]`));
  };
  switch (o.type) {
    case 'kubernetes.io/dockerconfigjson':
      need('.dockerconfigjson');
      if ('.dockerconfigjson' in data) {
        try {
          JSON.parse(decoded('.dockerconfigjson'));
        } catch (e) {
          out.push(invalid('data[.dockerconfigjson]', '<secret contents redacted>', (e as Error).message));
        }
      }
      break;
    case 'kubernetes.io/dockercfg':
      need('.dockercfg');
      break;
    case 'kubernetes.io/ssh-auth':
      need('ssh-privatekey');
      break;
    case 'kubernetes.io/tls':
      need('tls.crt');
      need('tls.key');
      break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) out.push(required('data[username]'));
      break;
  }
  const size = Object.values(data).reduce((n, v) => n + Buffer.from(v, 'base64').length, 0);
  if (size > MAX_SIZE)
    out.push({
      field: 'data',
      reason: 'FieldValueTooLong',
      message: `data: Too long: must have at most ${MAX_SIZE} bytes`,
    });
  return out;
}

function configMapRules(o: Obj): Cause[] {
  const out = [...dataKeys(o, 'data'), ...dataKeys(o, 'binaryData')];
  const size =
    Object.entries(o.data ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(String(v)), 0) +
    Object.entries(o.binaryData ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.from(String(v), 'base64').length, 0);
  if (size > MAX_SIZE)
    out.push({ field: '', reason: 'FieldValueTooLong', message: `[]: Too long: must have at most ${MAX_SIZE} bytes` });
  return out;
}

function podRules(o: Obj): Cause[] {
  const containers: Obj[] = o.spec?.containers ?? [];
  if (!Array.isArray(containers) || containers.length === 0) return [required('spec.containers')];
  const out: Cause[] = [];
  containers.forEach((c, i) => {
    if (!c.name) out.push(required(`spec.containers[${i}].name`));
    if (!c.image) out.push(required(`spec.containers[${i}].image`));
  });
  return out;
}

export function validate(o: Obj, kind: string): Cause[] {
  const out = validateName(o, kind);
  if (kind === 'Secret') out.push(...secretRules(o));
  if (kind === 'ConfigMap') out.push(...configMapRules(o));
  if (kind === 'Pod') out.push(...podRules(o));
  return out;
}

/** Rules that compare the new object with the stored one. */
export function validateUpdate(next: Obj, cur: Obj, kind: string): Cause[] {
  const out: Cause[] = [];
  if ((kind === 'Secret' || kind === 'ConfigMap') && cur.immutable) {
    for (const f of ['data', 'binaryData', 'stringData']) {
      if (JSON.stringify(next[f] ?? {}) !== JSON.stringify(cur[f] ?? {})) {
        out.push({
          field: f,
          reason: 'FieldValueForbidden',
          message: `${f}: Forbidden: field is immutable when \`immutable\` is set`,
        });
      }
    }
  }
  if (kind === 'Secret' && next.type !== cur.type) out.push(invalid('type', String(next.type), 'field is immutable'));
  if (kind === 'Pod') {
    const strip = (s: Obj): string =>
      JSON.stringify({
        ...s,
        containers: (s.containers ?? []).map((c: Obj) => ({ ...c, image: '' })),
        activeDeadlineSeconds: 0,
      });
    if (strip(next.spec ?? {}) !== strip(cur.spec ?? {})) {
      out.push({
        field: 'spec',
        reason: 'FieldValueForbidden',
        message:
          'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      });
    }
  }
  return out;
}

/** Top-level fields of the core kinds, for `fieldValidation=Strict` (custom resources have no schema here). */
const KNOWN_FIELDS: Record<string, string[]> = {
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ConfigMap: ['data', 'binaryData', 'immutable'],
  ServiceAccount: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  Namespace: ['spec', 'status'],
  Pod: ['spec', 'status'],
  Event: [
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
  ],
};
const META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Unknown fields, as `strict decoding error: unknown field "x"` names them. */
export function unknownFields(o: Obj, kind: string): string[] {
  const known = KNOWN_FIELDS[kind];
  if (!known) return [];
  const out = Object.keys(o).filter((k) => !['apiVersion', 'kind', 'metadata', ...known].includes(k));
  for (const k of Object.keys(o.metadata ?? {})) if (!META_FIELDS.includes(k)) out.push(`metadata.${k}`);
  return out;
}
