// Decoding the protobuf request bodies kubectl >= 1.32 sends from its typed clients
// (`kubectl create secret|configmap|serviceaccount|namespace`). Envelope: "k8s\0" then
// runtime.Unknown{1: TypeMeta{1 apiVersion, 2 kind}, 2: raw}. Field numbers are those of
// k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1/generated.proto.
// A field this decoder does not know is an error, never silently dropped.
import type { Obj } from './types.js';

export class ProtobufError extends Error {}

type Field = [no: number, wire: number, value: bigint | Buffer];

function* fields(buf: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let r = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new ProtobufError('truncated varint');
      const b = buf[i++]!;
      r |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return r;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield [no, wire, varint()];
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw new ProtobufError('truncated field');
      yield [no, wire, buf.subarray(i, i + len)];
      i += len;
    } else if (wire === 1) {
      yield [no, wire, buf.subarray(i, i + 8)];
      i += 8;
    } else if (wire === 5) {
      yield [no, wire, buf.subarray(i, i + 4)];
      i += 4;
    } else throw new ProtobufError(`unsupported wire type ${wire}`);
  }
}

type FieldType = 'string' | 'bytes' | 'bool' | 'int' | 'raw' | 'map<string>' | 'map<bytes>' | string;
type Schema = Record<number, [name: string, type: FieldType, repeated?: boolean]>;

const SCHEMAS: Record<string, Schema> = {
  TypeMeta: { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] },
  Unknown: {
    1: ['typeMeta', 'TypeMeta'],
    2: ['raw', 'raw'],
    3: ['contentEncoding', 'string'],
    4: ['contentType', 'string'],
  },
  Time: { 1: ['seconds', 'int'], 2: ['nanos', 'int'] },
  OwnerReference: {
    1: ['kind', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    5: ['apiVersion', 'string'],
    6: ['controller', 'bool'],
    7: ['blockOwnerDeletion', 'bool'],
  },
  ObjectMeta: {
    1: ['name', 'string'],
    2: ['generateName', 'string'],
    3: ['namespace', 'string'],
    4: ['selfLink', 'string'],
    5: ['uid', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['generation', 'int'],
    8: ['creationTimestamp', 'Time'],
    9: ['deletionTimestamp', 'Time'],
    10: ['deletionGracePeriodSeconds', 'int'],
    11: ['labels', 'map<string>'],
    12: ['annotations', 'map<string>'],
    13: ['ownerReferences', 'OwnerReference', true],
    14: ['finalizers', 'string', true],
  },
  LocalObjectReference: { 1: ['name', 'string'] },
  ObjectReference: {
    1: ['kind', 'string'],
    2: ['namespace', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    5: ['apiVersion', 'string'],
    6: ['resourceVersion', 'string'],
    7: ['fieldPath', 'string'],
  },
  Secret: {
    1: ['metadata', 'ObjectMeta'],
    2: ['data', 'map<bytes>'],
    3: ['type', 'string'],
    4: ['stringData', 'map<string>'],
    5: ['immutable', 'bool'],
  },
  ConfigMap: {
    1: ['metadata', 'ObjectMeta'],
    2: ['data', 'map<string>'],
    3: ['binaryData', 'map<bytes>'],
    4: ['immutable', 'bool'],
  },
  ServiceAccount: {
    1: ['metadata', 'ObjectMeta'],
    2: ['secrets', 'ObjectReference', true],
    3: ['imagePullSecrets', 'LocalObjectReference', true],
    4: ['automountServiceAccountToken', 'bool'],
  },
  NamespaceSpec: { 1: ['finalizers', 'string', true] },
  NamespaceStatus: { 1: ['phase', 'string'] },
  Namespace: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'NamespaceSpec'], 3: ['status', 'NamespaceStatus'] },
};

function isEmpty(v: unknown): boolean {
  return (
    v === '' ||
    v === 0 ||
    v === false ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

function decode(buf: Buffer, schemaName: string): Obj {
  const schema = SCHEMAS[schemaName];
  if (!schema) throw new ProtobufError(`no protobuf schema for ${schemaName}`);
  const out: Obj = {};
  for (const [no, , v] of fields(buf)) {
    const f = schema[no];
    if (!f) throw new ProtobufError(`field ${no} of ${schemaName} is not supported by the lab's protobuf decoder`);
    const [name, type, repeated] = f;
    const bytes = (): Buffer => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));
    if (type.startsWith('map<')) {
      const entry: Record<number, Buffer> = {};
      for (const [k, , x] of fields(bytes())) if (Buffer.isBuffer(x)) entry[k] = x;
      const key = (entry[1] ?? Buffer.alloc(0)).toString('utf8');
      const value = entry[2] ?? Buffer.alloc(0);
      (out[name] ??= {})[key] = type === 'map<bytes>' ? value.toString('base64') : value.toString('utf8');
      continue;
    }
    let val: unknown;
    if (type === 'string') val = bytes().toString('utf8');
    else if (type === 'bytes') val = bytes().toString('base64');
    else if (type === 'raw') val = bytes();
    else if (type === 'bool') val = v !== 0n;
    else if (type === 'int') val = Number(v);
    else val = decode(bytes(), type);
    if (repeated) (out[name] ??= []).push(val);
    else out[name] = val;
  }
  if (schemaName === 'Time') {
    return out.seconds ? { iso: new Date(out.seconds * 1000).toISOString().replace('.000Z', 'Z') } : {};
  }
  for (const [k, v] of Object.entries(out)) {
    if (isEmpty(v)) delete out[k];
    else if (typeof v === 'object' && v !== null && 'iso' in v) out[k] = (v as { iso: string }).iso;
  }
  return out;
}

/** The JSON object a client would have sent instead of this protobuf body. */
export function decodeProtobuf(body: Buffer): Obj {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new ProtobufError('missing k8s protobuf magic');
  const unknown = decode(body.subarray(4), 'Unknown');
  const { apiVersion, kind } = (unknown.typeMeta ?? {}) as Obj;
  if (!kind || !SCHEMAS[kind]) throw new ProtobufError(`no protobuf schema for kind ${kind}`);
  return { apiVersion, kind, ...decode((unknown.raw as Buffer | undefined) ?? Buffer.alloc(0), kind) };
}
