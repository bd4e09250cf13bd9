// Core v1 Node and apps/v1 DaemonSet as the emulator serves them: discovery, Table columns
// as `kubectl get nodes|ds [-o wide]` prints them, and strategic-merge keys.
import { CONTROL_PLANE_LABEL, nodeIpOf } from './nodes.js';
import { podSecurityAdmit } from './podsecurity.js';
import { ageCol, nameCol, type Obj, type ResourceType } from './types.js';

const nodeStatus = (o: Obj): string => {
  const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return o.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
};

const nodeRoles = (o: Obj): string => {
  const roles = Object.keys(o.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean)
    .sort();
  return roles.length ? roles.join(',') : '<none>';
};

const selectorText = (sel: Obj | undefined): string => {
  const labels = Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`);
  return labels.length ? labels.join(',') : '<none>';
};

const templateContainers = (o: Obj): Obj[] => o.spec?.template?.spec?.containers ?? [];

const podTemplateMergeKeys = (prefix: string): Record<string, string> => {
  const keys: Record<string, string> = {
    [`${prefix}.volumes`]: 'name',
    [`${prefix}.imagePullSecrets`]: 'name',
    [`${prefix}.containers`]: 'name',
    [`${prefix}.initContainers`]: 'name',
  };
  for (const c of ['containers', 'initContainers']) {
    keys[`${prefix}.${c}[].env`] = 'name';
    keys[`${prefix}.${c}[].ports`] = 'containerPort';
    keys[`${prefix}.${c}[].volumeMounts`] = 'mountPath';
  }
  return keys;
};

export function workloadTypes(): ResourceType[] {
  return [
    {
      group: '',
      versions: ['v1'],
      kind: 'Node',
      plural: 'nodes',
      singular: 'node',
      namespaced: false,
      shortNames: ['no'],
      custom: false,
      subresources: ['status'],
      mergeKeys: { 'status.conditions': 'type', 'status.addresses': 'type', 'spec.taints': 'key' },
      columns: [
        nameCol,
        { name: 'Status', cell: nodeStatus },
        { name: 'Roles', cell: nodeRoles },
        ageCol,
        { name: 'Version', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' },
        { name: 'Internal-IP', priority: 1, cell: (o) => nodeIpOf(o) || '<none>' },
        {
          name: 'External-IP',
          priority: 1,
          cell: (o) => (o.status?.addresses ?? []).find((a: Obj) => a.type === 'ExternalIP')?.address ?? '<none>',
        },
        { name: 'OS-Image', priority: 1, cell: (o) => o.status?.nodeInfo?.osImage ?? '<unknown>' },
        { name: 'Kernel-Version', priority: 1, cell: (o) => o.status?.nodeInfo?.kernelVersion ?? '<unknown>' },
        {
          name: 'Container-Runtime',
          priority: 1,
          cell: (o) => o.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>',
        },
      ],
    },
    {
      group: 'apps',
      versions: ['v1'],
      kind: 'DaemonSet',
      plural: 'daemonsets',
      singular: 'daemonset',
      namespaced: true,
      shortNames: ['ds'],
      categories: ['all'],
      custom: false,
      subresources: ['status'],
      mergeKeys: { 'metadata.ownerReferences': 'uid', ...podTemplateMergeKeys('spec.template.spec') },
      admit: podSecurityAdmit,
      columns: [
        nameCol,
        { name: 'Desired', type: 'integer', cell: (o) => o.status?.desiredNumberScheduled ?? 0 },
        { name: 'Current', type: 'integer', cell: (o) => o.status?.currentNumberScheduled ?? 0 },
        { name: 'Ready', type: 'integer', cell: (o) => o.status?.numberReady ?? 0 },
        { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedNumberScheduled ?? 0 },
        { name: 'Available', type: 'integer', cell: (o) => o.status?.numberAvailable ?? 0 },
        { name: 'Node Selector', cell: (o) => selectorText(o.spec?.template?.spec?.nodeSelector) },
        ageCol,
        {
          name: 'Containers',
          priority: 1,
          cell: (o) =>
            templateContainers(o)
              .map((c) => c.name)
              .join(','),
        },
        {
          name: 'Images',
          priority: 1,
          cell: (o) =>
            templateContainers(o)
              .map((c) => c.image)
              .join(','),
        },
        { name: 'Selector', priority: 1, cell: (o) => selectorText(o.spec?.selector?.matchLabels) },
      ],
    },
  ];
}

/** Whether the node carries the control-plane role label. */
export const isControlPlane = (node: Obj): boolean => CONTROL_PLANE_LABEL in (node.metadata?.labels ?? {});
