// Conversion between cluster.x-k8s.io v1beta1 and v1beta2 for the objects the lab serves,
// as CAPI's conversion webhook does it: Cluster spec.topology.class/classNamespace <->
// spec.topology.classRef {name, namespace}, status.infrastructureReady/controlPlaneReady
// <-> status.initialization, and the conditions of both (v1beta2 keeps the v1beta1 ones
// in status.deprecated.v1beta1, v1beta1 the v1beta2 ones in status.v1beta2). The source
// version is the object's apiVersion; a field it does not have is pruned.
import type { Obj } from './types.js';

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const versionOf = (o: Obj): string | undefined =>
  typeof o.apiVersion === 'string' && o.apiVersion.includes('/') ? o.apiVersion.split('/')[1] : undefined;

/** v1beta2 keeps the old conditions in status.deprecated.v1beta1; v1beta1 keeps the new ones in status.v1beta2. */
function convertConditions(status: Obj, to: string): void {
  const [keep, move] = to === 'v1beta1' ? ['v1beta2', 'deprecated'] : ['deprecated', 'v1beta2'];
  const current = status.conditions;
  const other = to === 'v1beta1' ? status.deprecated?.v1beta1?.conditions : status.v1beta2?.conditions;
  delete status[move];
  delete status.conditions;
  if (other) status.conditions = other;
  if (current) status[keep] = to === 'v1beta1' ? { conditions: current } : { v1beta1: { conditions: current } };
}

/** v1beta1 status.infrastructureReady/controlPlaneReady <-> v1beta2 status.initialization. */
function convertClusterStatus(status: Obj, to: string): void {
  convertConditions(status, to);
  if (to === 'v1beta2') {
    const init: Obj = {};
    if (status.infrastructureReady !== undefined) init.infrastructureProvisioned = status.infrastructureReady;
    if (status.controlPlaneReady !== undefined) init.controlPlaneInitialized = status.controlPlaneReady;
    delete status.infrastructureReady;
    delete status.controlPlaneReady;
    if (Object.keys(init).length) status.initialization = init;
  } else {
    const init: Obj = status.initialization ?? {};
    delete status.initialization;
    if (init.infrastructureProvisioned !== undefined) status.infrastructureReady = init.infrastructureProvisioned;
    if (init.controlPlaneInitialized !== undefined) status.controlPlaneReady = init.controlPlaneInitialized;
  }
}

/** The topology in `to`'s shape; a field the source version does not have is pruned, as a CRD prunes it. */
function convertTopology(topo: Obj, from: string, to: string): Obj {
  const { class: cls, classNamespace, classRef, ...rest } = topo;
  const ref: Obj | undefined =
    from === 'v1beta1'
      ? cls === undefined
        ? undefined
        : { name: cls, ...(classNamespace ? { namespace: classNamespace } : {}) }
      : isObj(classRef)
        ? classRef
        : undefined;
  if (to === 'v1beta2') {
    const out: Obj = { ...(ref ? { classRef: ref } : {}), ...rest };
    // v1beta1 variables are omitempty: an empty list does not survive the conversion.
    if (from === 'v1beta1' && Array.isArray(out.variables) && out.variables.length === 0) delete out.variables;
    return out;
  }
  return {
    ...(ref?.name !== undefined ? { class: ref.name } : {}),
    ...(ref?.namespace ? { classNamespace: ref.namespace } : {}),
    ...rest,
  };
}

export function convertCluster(o: Obj, to: string): Obj {
  const out = structuredClone(o);
  const from = versionOf(o) ?? (isObj(o.spec?.topology?.classRef) ? 'v1beta2' : 'v1beta1');
  if (isObj(out.spec?.topology)) out.spec.topology = convertTopology(out.spec.topology, from, to);
  if (from !== to && isObj(out.status)) convertClusterStatus(out.status, to);
  return out;
}

export function convertClusterClass(o: Obj, to: string): Obj {
  const out = structuredClone(o);
  const from = versionOf(o) ?? 'v1beta2';
  if (from !== to && isObj(out.status)) convertConditions(out.status, to);
  return out;
}
