// The resource types the emulator serves, described once: discovery, routing, Table
// columns, strategic-merge keys and version conversion all read from here.
import { podSecurityAdmit } from './podsecurity.js';

export type Obj = Record<string, any>;

export interface Column {
  name: string;
  type?: 'string' | 'integer' | 'date';
  priority?: number;
  cell: (o: Obj) => string | number;
}

export interface ResourceType {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  /** A custom resource: no strategic merge patch, no unconditional update. */
  custom: boolean;
  /** Strategic merge patch: list path (dotted, `[]` for list items) -> merge key. */
  mergeKeys?: Record<string, string>;
  columns?: Column[];
  /** Convert a stored object to `version` (apiVersion is set by the caller). */
  convert?: (o: Obj, version: string) => Obj;
  /** Schema validation and validating admission webhooks on create and update; throw a StatusError to refuse. */
  admit?: (a: Admission) => void;
}

/** What a write looks like to schema validation and admission. */
export interface Admission {
  /** The object as the client sent it, in `version` (apiVersion set). */
  object: Obj;
  version: string;
  /** The stored object, on update. */
  old?: Obj;
  /** Another stored object (in its storage version). */
  lookup: (group: string, plural: string, namespace: string | undefined, name: string) => Obj | undefined;
  /** Add a warning to the response (a `Warning: 299 - "..."` header), as admission plugins may. */
  warn?: (message: string) => void;
}

export const CORE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const age = (o: Obj): string => {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(o.metadata?.creationTimestamp ?? '')) / 1000)) || 0;
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h`;
};
export const nameCol: Column = { name: 'Name', cell: (o) => o.metadata.name };
export const ageCol: Column = { name: 'Age', cell: age };

const podStatus = (o: Obj): string => {
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  const inits: Obj[] = o.status?.initContainerStatuses ?? [];
  for (const [i, c] of inits.entries()) {
    if (c.state?.terminated?.exitCode === 0) continue;
    if (c.state?.terminated) return `Init:${c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`}`;
    const waiting = c.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
    return `Init:${i}/${inits.length}`;
  }
  for (const c of o.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return o.status?.reason ?? o.status?.phase ?? 'Pending';
};
const podReady = (o: Obj): string => {
  const all = o.spec?.containers?.length ?? 0;
  const ready = (o.status?.containerStatuses ?? []).filter((c: Obj) => c.ready).length;
  return `${ready}/${all}`;
};

const podMergeKeys = (): Record<string, string> => {
  const keys: Record<string, string> = {
    'metadata.ownerReferences': 'uid',
    'spec.volumes': 'name',
    'spec.imagePullSecrets': 'name',
    'spec.containers': 'name',
    'spec.initContainers': 'name',
    'spec.ephemeralContainers': 'name',
    'status.conditions': 'type',
  };
  for (const c of ['containers', 'initContainers', 'ephemeralContainers']) {
    keys[`spec.${c}[].env`] = 'name';
    keys[`spec.${c}[].ports`] = 'containerPort';
    keys[`spec.${c}[].volumeMounts`] = 'mountPath';
  }
  return keys;
};

/** v1alpha1 TKCs have topology.workers.count; v1alpha2 and later topology.nodePools[].replicas. */
function workerCount(o: Obj): number {
  const t = o.spec?.topology ?? {};
  const pools: Obj[] = t.nodePools ?? (t.workers ? [t.workers] : []);
  return pools.reduce((n, p) => n + (p.replicas ?? p.count ?? 0), 0);
}

/** v1alpha1 keeps the VM's IP in status.vmIp; v1alpha2 in status.network.primaryIP4. */
function convertVm(o: Obj, version: string): Obj {
  const out = structuredClone(o);
  const status = (out.status ??= {});
  const ip = status.vmIp ?? status.network?.primaryIP4;
  if (version === 'v1alpha1') {
    if (ip) status.vmIp = ip;
    delete status.network;
  } else {
    if (ip) status.network = { ...(status.network ?? {}), primaryIP4: ip };
    delete status.vmIp;
  }
  return out;
}

export function builtinTypes(): ResourceType[] {
  return [
    {
      group: '',
      versions: ['v1'],
      kind: 'Namespace',
      plural: 'namespaces',
      singular: 'namespace',
      namespaced: false,
      shortNames: ['ns'],
      custom: false,
      subresources: ['status', 'finalize'],
      columns: [nameCol, { name: 'Status', cell: (o) => o.status?.phase ?? 'Active' }, ageCol],
    },
    {
      group: '',
      versions: ['v1'],
      kind: 'Secret',
      plural: 'secrets',
      singular: 'secret',
      namespaced: true,
      custom: false,
      columns: [
        nameCol,
        { name: 'Type', cell: (o) => o.type },
        { name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length },
        ageCol,
      ],
    },
    {
      group: '',
      versions: ['v1'],
      kind: 'ConfigMap',
      plural: 'configmaps',
      singular: 'configmap',
      namespaced: true,
      shortNames: ['cm'],
      custom: false,
      columns: [
        nameCol,
        {
          name: 'Data',
          type: 'integer',
          cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length,
        },
        ageCol,
      ],
    },
    {
      group: '',
      versions: ['v1'],
      kind: 'ServiceAccount',
      plural: 'serviceaccounts',
      singular: 'serviceaccount',
      namespaced: true,
      shortNames: ['sa'],
      custom: false,
      subresources: ['token'],
      mergeKeys: { secrets: 'name', 'metadata.ownerReferences': 'uid' },
      columns: [nameCol, { name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length }, ageCol],
    },
    {
      group: '',
      versions: ['v1'],
      kind: 'Pod',
      plural: 'pods',
      singular: 'pod',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      custom: false,
      subresources: ['status', 'exec', 'log'],
      mergeKeys: podMergeKeys(),
      admit: podSecurityAdmit,
      columns: [
        nameCol,
        { name: 'Ready', cell: podReady },
        { name: 'Status', cell: podStatus },
        {
          name: 'Restarts',
          type: 'integer',
          cell: (o) => (o.status?.containerStatuses ?? []).reduce((n: number, c: Obj) => n + (c.restartCount ?? 0), 0),
        },
        ageCol,
        { name: 'IP', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
        { name: 'Node', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' },
      ],
    },
    {
      group: '',
      versions: ['v1'],
      kind: 'Event',
      plural: 'events',
      singular: 'event',
      namespaced: true,
      shortNames: ['ev'],
      custom: false,
      columns: [
        {
          name: 'Last Seen',
          cell: (o) => age({ metadata: { creationTimestamp: o.lastTimestamp ?? o.metadata.creationTimestamp } }),
        },
        { name: 'Type', cell: (o) => o.type ?? 'Normal' },
        { name: 'Reason', cell: (o) => o.reason ?? '' },
        {
          name: 'Object',
          cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`,
        },
        { name: 'Message', cell: (o) => o.message ?? '' },
      ],
    },
    {
      group: 'run.tanzu.vmware.com',
      versions: ['v1alpha3', 'v1alpha2', 'v1alpha1'],
      kind: 'TkgServiceConfiguration',
      plural: 'tkgserviceconfigurations',
      singular: 'tkgserviceconfiguration',
      namespaced: false,
      custom: true,
      columns: [nameCol, { name: 'Default CNI', cell: (o) => o.spec?.defaultCNI ?? '' }, ageCol],
    },
    {
      group: 'run.tanzu.vmware.com',
      versions: ['v1alpha3', 'v1alpha2', 'v1alpha1'],
      kind: 'TanzuKubernetesCluster',
      plural: 'tanzukubernetesclusters',
      singular: 'tanzukubernetescluster',
      namespaced: true,
      shortNames: ['tkc'],
      categories: ['all'],
      custom: true,
      subresources: ['status'],
      columns: [
        nameCol,
        {
          name: 'Control Plane',
          type: 'integer',
          cell: (o) => o.spec?.topology?.controlPlane?.replicas ?? o.spec?.topology?.controlPlane?.count ?? 0,
        },
        { name: 'Worker', type: 'integer', cell: (o) => workerCount(o) },
        ageCol,
        {
          name: 'Ready',
          cell: (o) => (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready')?.status ?? 'Unknown',
        },
      ],
    },
    {
      group: 'vmoperator.vmware.com',
      versions: ['v1alpha2', 'v1alpha1'],
      kind: 'VirtualMachine',
      plural: 'virtualmachines',
      singular: 'virtualmachine',
      namespaced: true,
      shortNames: ['vm'],
      custom: true,
      subresources: ['status'],
      convert: convertVm,
      columns: [
        nameCol,
        { name: 'Power-State', cell: (o) => o.status?.powerState ?? o.spec?.powerState ?? '' },
        { name: 'Primary-IP4', cell: (o) => o.status?.network?.primaryIP4 ?? o.status?.vmIp ?? '' },
        ageCol,
      ],
    },
  ];
}

export const apiVersionOf = (group: string, version: string): string => (group ? `${group}/${version}` : version);
export const groupResource = (t: ResourceType): string => (t.group ? `${t.plural}.${t.group}` : t.plural);
