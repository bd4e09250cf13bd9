// VKS fixtures on the Supervisor: the ClusterClasses (builtin-generic-v3.4.0 in
// vmware-system-vks-public, its schema published by a runtime extension in status.variables;
// the legacy tanzukubernetescluster in each vSphere Namespace, inline spec.variables),
// ClusterClass-based Clusters at v1beta1 or v1beta2, and Harbor as a Supervisor Service
// (its namespace labelled with the service id, and the labelled TLS secret).
import crypto from 'node:crypto';
import type { Obj } from './types.js';

export const VKS_PUBLIC_NS = 'vmware-system-vks-public';
export const BUILTIN_CLASS = 'builtin-generic-v3.4.0';
export const LEGACY_CLASS = 'tanzukubernetescluster';
export const HARBOR_SERVICE_NS = 'svc-harbor-domain-c8';
export const HARBOR_TLS_SECRET = 'harbor-tls';

const at = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const str = { type: 'string' };

const OS_CONFIGURATION: Obj = {
  type: 'object',
  properties: {
    trust: {
      type: 'object',
      properties: {
        additionalTrustedCAs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['caCert'],
            properties: {
              caCert: {
                type: 'object',
                description:
                  'Content should only be used where it is ok if the secret data is viewable on the Cluster CR.',
                properties: {
                  content: str,
                  secretRef: {
                    type: 'object',
                    required: ['name', 'key'],
                    properties: { name: str, key: str },
                  },
                },
                oneOf: [{ required: ['content'] }, { required: ['secretRef'] }],
              },
            },
          },
        },
      },
    },
  },
};

/** The legacy class's inline variables (vSphere 8 U1/U2), `trust` among them. */
const LEGACY_VARIABLES: Array<[string, Obj]> = [
  ['vmClass', str],
  ['storageClass', str],
  ['defaultStorageClass', str],
  ['storageClasses', { type: 'array', items: str }],
  ['ntp', str],
  [
    'proxy',
    {
      type: 'object',
      properties: { httpProxy: str, httpsProxy: str, noProxy: { type: 'array', items: str } },
    },
  ],
  [
    'trust',
    {
      type: 'object',
      properties: {
        additionalTrustedCAs: {
          type: 'array',
          items: { type: 'object', required: ['name'], properties: { name: str } },
        },
      },
    },
  ],
  [
    'user',
    {
      type: 'object',
      properties: {
        passwordSecret: { type: 'object', required: ['name', 'key'], properties: { name: str, key: str } },
        sshAuthorizedKey: str,
      },
    },
  ],
  ['nodePoolLabels', { type: 'array', items: { type: 'object', properties: { key: str, value: str } } }],
  ['TKR_DATA', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }],
];

function classStatus(variables: Array<[string, Obj]>, from: string): Obj {
  return {
    variables: variables.map(([name, schema]) => ({
      name,
      definitionsConflict: false,
      definitions: [{ from, required: false, schema: { openAPIV3Schema: schema } }],
    })),
    conditions: [
      {
        type: 'VariablesReady',
        status: 'True',
        reason: 'VariablesReady',
        lastTransitionTime: at(),
        observedGeneration: 1,
      },
    ],
    deprecated: {
      v1beta1: { conditions: [{ type: 'VariablesReconciled', status: 'True', lastTransitionTime: at() }] },
    },
    observedGeneration: 1,
  };
}

/** The ClusterClasses: the legacy one in each vSphere Namespace, builtin-generic in vmware-system-vks-public. */
export function clusterClasses(namespaces: string[], builtinToo: boolean): Obj[] {
  const workers = { machineDeployments: [{ class: 'node-pool' }] };
  const builtin: Obj = {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'ClusterClass',
    metadata: {
      name: BUILTIN_CLASS,
      namespace: VKS_PUBLIC_NS,
      labels: {
        'kubernetes.vmware.com/min-version-supported': 'v1.31.0',
        'kubernetes.vmware.com/max-version-supported': 'v1.34.99',
      },
    },
    spec: { workers },
    status: classStatus(
      [
        ['osConfiguration', OS_CONFIGURATION],
        ['vmClass', str],
        ['storageClass', str],
      ],
      'vmware-system-vks-runtime-extension',
    ),
  };
  const legacy = (ns: string): Obj => ({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'ClusterClass',
    metadata: { name: LEGACY_CLASS, namespace: ns },
    spec: {
      workers,
      variables: LEGACY_VARIABLES.map(([name, schema]) => ({
        name,
        required: false,
        schema: { openAPIV3Schema: schema },
      })),
    },
    status: classStatus(LEGACY_VARIABLES, 'inline'),
  });
  return [...(builtinToo ? [builtin] : []), ...namespaces.map(legacy)];
}

export interface CapiClusterSpec {
  name: string;
  namespace: string;
  api?: 'tkc' | 'cluster' | 'cluster-v1beta2';
  controlPlaneIps: string[];
  workerIps: string[];
  class?: string;
  classNamespace?: string;
  version?: string;
  variables?: Array<{ name: string; value: unknown }>;
}

/** A ClusterClass-based Cluster: v1beta1 (`cluster`, legacy class) or v1beta2 (`cluster-v1beta2`, builtin-generic). */
export function capiCluster(c: CapiClusterSpec): Obj {
  const v2 = c.api === 'cluster-v1beta2';
  const name = c.class ?? (v2 ? BUILTIN_CLASS : LEGACY_CLASS);
  const classNs = c.classNamespace ?? (v2 ? VKS_PUBLIC_NS : undefined);
  const storage = v2 ? 'lab-storage' : 'vsan-default-storage-policy';
  const cp = c.controlPlaneIps.length;
  const w = c.workerIps.length;
  return {
    apiVersion: `cluster.x-k8s.io/${v2 ? 'v1beta2' : 'v1beta1'}`,
    kind: 'Cluster',
    metadata: { name: c.name, namespace: c.namespace },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: ['192.168.156.0/20'] },
        services: { cidrBlocks: ['10.96.0.0/12'] },
        serviceDomain: 'cluster.local',
      },
      topology: {
        ...(v2
          ? { classRef: { name, ...(classNs ? { namespace: classNs } : {}) } }
          : { class: name, ...(classNs ? { classNamespace: classNs } : {}) }),
        version: c.version ?? (v2 ? 'v1.33.1---vmware.1-vkr.1' : 'v1.28.8---vmware.1-fips.1-tkg.2'),
        controlPlane: { replicas: cp },
        workers: { machineDeployments: [{ class: 'node-pool', name: 'node-pool-1', replicas: w }] },
        variables: c.variables ?? [
          { name: 'vmClass', value: 'best-effort-small' },
          { name: 'storageClass', value: storage },
        ],
      },
    },
    status: v2
      ? {
          phase: 'Provisioned',
          initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true },
          controlPlane: {
            desiredReplicas: cp,
            replicas: cp,
            readyReplicas: cp,
            availableReplicas: cp,
            upToDateReplicas: cp,
          },
          workers: { desiredReplicas: w, replicas: w, readyReplicas: w, availableReplicas: w, upToDateReplicas: w },
          conditions: [{ type: 'Available', status: 'True', reason: 'Available', lastTransitionTime: at() }],
        }
      : { phase: 'Provisioned', controlPlaneReady: true, infrastructureReady: true },
  };
}

/** A throwaway private key: the Harbor TLS secret never holds the key Harbor really serves with. */
export function dummyKeyPem(): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Harbor as a Supervisor Service: its namespace and the TLS secret VKS distributes the CA from. */
export function harborServiceObjects(caPem: string, certPem: string): Obj[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: HARBOR_SERVICE_NS, labels: { 'appplatform.vmware.com/serviceId': 'harbor' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: HARBOR_TLS_SECRET, namespace: HARBOR_SERVICE_NS, labels: { 'managed-by': 'vmware-vRegistry' } },
      type: 'kubernetes.io/tls',
      data: { 'ca.crt': b64(caPem), 'tls.crt': b64(certPem), 'tls.key': b64(dummyKeyPem()) },
    },
  ];
}
