// Just enough OpenAPI v3 for kubectl: the root index and one document per group-version
// whose PATCH operations carry x-kubernetes-group-version-kind and the fieldValidation
// parameter. kubectl apply and create check these before they send
// `fieldValidation=Strict`; without them they refuse to run ("failed to download openapi").
// No schemas are served, so kubectl computes strategic merge patches for core types from
// its compiled-in types and JSON merge patches for custom resources, as it does for CRDs
// without structural schemas.
import crypto from 'node:crypto';
import type { Obj, ResourceType } from './types.js';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openapiRoot(types: ResourceType[]): Obj {
  const paths: Obj = {};
  for (const t of types) {
    for (const v of t.versions) {
      const p = gvPath(t.group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(types, t.group, v)}` };
    }
  }
  return { paths };
}

function hash(types: ResourceType[], group: string, version: string): string {
  const names = types
    .filter((t) => t.group === group && t.versions.includes(version))
    .map((t) => t.plural)
    .join(',');
  return crypto.createHash('sha512').update(`${group}/${version}:${names}`).digest('hex').toUpperCase().slice(0, 128);
}

const param = (name: string, inWhere: 'query' | 'path'): Obj => ({
  name,
  in: inWhere,
  ...(inWhere === 'path' ? { required: true } : {}),
  schema: { type: 'string', uniqueItems: true },
});

export function openapiDoc(types: ResourceType[], group: string, version: string): Obj | undefined {
  const ts = types.filter((t) => t.group === group && t.versions.includes(version));
  if (ts.length === 0) return undefined;
  const paths: Obj = {};
  for (const t of ts) {
    const gvk = { group, version, kind: t.kind };
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const common = [param('dryRun', 'query'), param('fieldManager', 'query'), param('fieldValidation', 'query')];
    const patchTypes = ['application/json-patch+json', 'application/merge-patch+json'];
    const content = Object.fromEntries(patchTypes.map((c) => [c, { schema: { type: 'object' } }]));
    const op = (verb: string, extra: Obj = {}): Obj => ({
      operationId: `${verb}${t.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK' } },
      ...extra,
    });
    paths[base] = {
      get: op('list'),
      post: op('post', { parameters: common, requestBody: { content: { '*/*': { schema: { type: 'object' } } } } }),
      parameters: t.namespaced ? [param('namespace', 'path')] : [],
    };
    paths[`${base}/{name}`] = {
      get: op('get'),
      put: op('put', { parameters: common, requestBody: { content: { '*/*': { schema: { type: 'object' } } } } }),
      patch: op('patch', { parameters: [...common, param('force', 'query')], requestBody: { content } }),
      delete: op('delete'),
      parameters: [param('name', 'path'), ...(t.namespaced ? [param('namespace', 'path')] : [])],
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
