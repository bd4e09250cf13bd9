// Discovery documents: legacy (/api, /apis, /api/v1, /apis/<g>, /apis/<g>/<v>) and
// aggregated (apidiscovery.k8s.io/v2), which kubectl 1.32 asks for first.
import { CORE_VERBS, type Obj, type ResourceType } from './types.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregated(accept: string): boolean {
  return accept
    .split(',')
    .some(
      (a) => /as=APIGroupDiscoveryList/.test(a) && /(^|;)\s*v=v2\s*(;|$)/.test(a) && /g=apidiscovery\.k8s\.io/.test(a),
    );
}

const verbsOf = (t: ResourceType): string[] =>
  t.plural === 'namespaces' ? CORE_VERBS.filter((v) => v !== 'deletecollection') : CORE_VERBS;
const SUB_VERBS: Record<string, string[]> = { status: ['get', 'patch', 'update'], exec: ['create', 'get'] };
const SUB_KIND: Record<string, string> = { exec: 'PodExecOptions' };

export function groups(types: ResourceType[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of types) {
    const vs = out.get(t.group) ?? [];
    for (const v of t.versions) if (!vs.includes(v)) vs.push(v);
    out.set(t.group, vs);
  }
  return out;
}

export function apiVersions(host: string): Obj {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
  };
}

function apiGroup(name: string, versions: string[]): Obj {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(types: ResourceType[]): Obj {
  const gs = [...groups(types)].filter(([g]) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: gs.map(([g, vs]) => apiGroup(g, vs)) };
}

export function apiGroupDoc(types: ResourceType[], group: string): Obj | undefined {
  const vs = groups(types).get(group);
  return vs && group ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, vs) } : undefined;
}

export function resourceList(types: ResourceType[], group: string, version: string): Obj | undefined {
  const ts = types.filter((t) => t.group === group && t.versions.includes(version));
  if (ts.length === 0) return undefined;
  const resources: Obj[] = [];
  for (const t of ts) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
      storageVersionHash: Buffer.from(`${t.group}/${t.plural}`).toString('base64').slice(0, 11),
    });
    for (const s of t.subresources ?? []) {
      resources.push({
        name: `${t.plural}/${s}`,
        singularName: '',
        namespaced: t.namespaced,
        kind: SUB_KIND[s] ?? t.kind,
        verbs: SUB_VERBS[s] ?? ['get'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

export function aggregated(types: ResourceType[], core: boolean): Obj {
  const items: Obj[] = [];
  for (const [g, versions] of groups(types)) {
    if ((g === '') !== core) continue;
    items.push({
      metadata: { name: g, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: types
          .filter((t) => t.group === g && t.versions.includes(v))
          .map((t) => ({
            resource: t.plural,
            responseKind: { group: g, version: v, kind: t.kind },
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: t.singular,
            verbs: verbsOf(t),
            ...(t.shortNames ? { shortNames: t.shortNames } : {}),
            ...(t.categories ? { categories: t.categories } : {}),
            ...(t.subresources
              ? {
                  subresources: t.subresources.map((s) => ({
                    subresource: s,
                    responseKind: { group: '', version: 'v1', kind: SUB_KIND[s] ?? t.kind },
                    verbs: SUB_VERBS[s] ?? ['get'],
                  })),
                }
              : {}),
          })),
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
