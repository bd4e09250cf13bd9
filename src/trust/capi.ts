// cluster.x-k8s.io Clusters and their ClusterClass: which trust variable a class takes, and
// where each form keeps its CAs (/tmp/research/vks-facts.md §1, §2, §4):
//  - builtin-generic (VKS 3.x): variable `osConfiguration`, trust.additionalTrustedCAs[].caCert
//    {secretRef: {name, key}} or {content}; its schema is published by a runtime extension, so it
//    is in the class's status.variables while spec.variables is empty;
//  - the legacy tanzukubernetescluster class: variable `trust`, additionalTrustedCAs[].name, each
//    a key of secret <cluster>-user-trusted-ca-secret.
// A Cluster is read at the newest version served (v1beta2, else v1beta1) and written back at it.
import type { Obj } from './served.js';

export const CAPI_GROUP = 'cluster.x-k8s.io';
export const CAPI_VERSIONS = ['v1beta2', 'v1beta1'] as const;

/** How a class takes a CA: `secretRef` and `content` are osConfiguration's two caCert forms. */
export type TrustForm = 'legacy' | 'secretRef' | 'content';

export const VARIABLE: Record<TrustForm, string> = {
  legacy: 'trust',
  secretRef: 'osConfiguration',
  content: 'osConfiguration',
};

export interface ClassRef {
  name: string;
  namespace: string;
}

/** The class of a Cluster: v1beta2 classRef, v1beta1 class + classNamespace; the namespace defaults to the Cluster's. */
export function classOf(cl: Obj): ClassRef | undefined {
  const topo = cl.spec?.topology;
  const name = topo?.classRef?.name ?? topo?.class;
  if (typeof name !== 'string' || !name) return undefined;
  return { name, namespace: topo?.classRef?.namespace || topo?.classNamespace || cl.metadata?.namespace };
}

/** A class's variable schemas by name: status.variables (definitions[0]), else inline spec.variables. */
export function classVariables(cc: Obj): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const v of (cc.spec?.variables ?? []) as Obj[])
    if (typeof v?.name === 'string') out.set(v.name, v.schema?.openAPIV3Schema ?? {});
  for (const v of (cc.status?.variables ?? []) as Obj[])
    if (typeof v?.name === 'string') out.set(v.name, v.definitions?.[0]?.schema?.openAPIV3Schema ?? {});
  return out;
}

/** The form a class's variables accept: secretRef preferred over content; undefined when none is known. */
export function trustForm(vars: Map<string, Obj>): TrustForm | undefined {
  const caCert = vars.get('osConfiguration')?.properties?.trust?.properties?.additionalTrustedCAs?.items?.properties
    ?.caCert?.properties as Obj | undefined;
  if (caCert?.secretRef) return 'secretRef';
  if (caCert?.content) return 'content';
  if (vars.has('trust')) return 'legacy';
  return undefined;
}

/** The additionalTrustedCAs of a form's variable in a Cluster ([] when unset). */
export function itemsOf(cl: Obj, variable: string): Obj[] {
  const v = ((cl.spec?.topology?.variables ?? []) as Obj[]).find((x) => x.name === variable);
  const list = variable === 'trust' ? v?.value?.additionalTrustedCAs : v?.value?.trust?.additionalTrustedCAs;
  return Array.isArray(list) ? list : [];
}

/** The Cluster with a form's additionalTrustedCAs set; every other variable and field is kept. */
export function withItems(cl: Obj, variable: string, items: Obj[]): Obj {
  const vars: Obj[] = [...(cl.spec?.topology?.variables ?? [])];
  const i = vars.findIndex((x) => x.name === variable);
  const value: Obj = i >= 0 && typeof vars[i]!.value === 'object' && vars[i]!.value ? vars[i]!.value : {};
  const next =
    variable === 'trust'
      ? { ...value, additionalTrustedCAs: items }
      : { ...value, trust: { ...(value.trust ?? {}), additionalTrustedCAs: items } };
  const entry = { ...(i >= 0 ? vars[i] : {}), name: variable, value: next };
  if (i >= 0) vars[i] = entry;
  else vars.push(entry);
  return { ...cl, spec: { ...cl.spec, topology: { ...(cl.spec?.topology ?? {}), variables: vars } } };
}

/** One line for a class kubectl-harbor cannot write trust for. */
export function unknownClassMessage(cluster: string, c: ClassRef): string {
  return (
    `cluster ${cluster} (ClusterClass ${c.namespace}/${c.name}) takes no trust variable kubectl-harbor knows: ` +
    'its class defines neither osConfiguration (trust.additionalTrustedCAs[].caCert) nor trust (additionalTrustedCAs[].name)'
  );
}
