// What `push-ca --via daemonset` asks each cluster to run, as plain objects (also what
// --dry-run prints for `kubectl apply -f -`): a DaemonSet in kube-system per purpose
// (install, remove, and one node at a time for the privileged restart pass), and the image
// it runs. Inputs travel as environment variables of the pod; the script is the container's
// `sh -c` argument: nothing is pulled, nothing else is created.
import crypto from 'node:crypto';
import type { V1DaemonSet, V1PodSpec } from '@kubernetes/client-node';
import type { ClusterNode } from '../kube/nodes.js';
import { COMPONENT, MANAGED_BY, MANAGER } from '../kube/labels.js';
import { SYSTEM_NAMESPACE } from '../kube/daemonset.js';

export type Purpose = 'install' | 'remove' | 'restart';

/** containerd's hosts directory on TKG/VKS nodes (and containerd's documented default). */
export const CERTS_D = '/etc/containerd/certs.d';
export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
/** Where the node keeps what the DaemonSet replaced, outside every certificate directory. */
export const BACKUPS = '/var/backups/kubectl-harbor';
export const RUN_LABEL = 'kubectl-harbor/run';
const NAME_LABEL = 'app.kubernetes.io/name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const APP = 'kubectl-harbor-ca';

/**
 * Images known to hold /bin/sh (and the coreutils the script uses), by the last part of
 * their repository, whatever registry or tag: Antrea's agent images (Ubuntu or Debian based;
 * Antrea is the default CNI of VKS, so every node holds one), Photon OS and busybox. Kept
 * short on purpose: any other image is named with --image.
 */
export const SHELL_IMAGES: readonly string[] = [
  'antrea-agent-ubuntu',
  'antrea-ubuntu',
  'antrea-advanced-debian',
  'antrea-debian',
  'photon',
  'busybox',
];

/** `reg:5000/a/b:tag` or `a/b@sha256:..` -> `b`. */
export function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const last = noDigest.split('/').pop() ?? '';
  return last.split(':')[0]!;
}

/** The first known shell image every node holds (a tagged name rather than a digest), or undefined. */
export function pickImage(nodes: readonly ClusterNode[]): string | undefined {
  if (nodes.length === 0) return undefined;
  for (const repo of SHELL_IMAGES) {
    const names = nodes[0]!.images.filter((n) => repositoryOf(n) === repo);
    const ordered = [...names.filter((n) => !n.includes('@')), ...names.filter((n) => n.includes('@'))];
    const everywhere = ordered.find((n) => nodes.every((x) => x.images.includes(n)));
    if (everywhere) return everywhere;
  }
  return undefined;
}

/** A DNS label from the CA name: `kubectl-harbor-ca-<id>[-purpose]` stays within 63 characters. */
export function instanceId(caName: string): string {
  const clean = caName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (clean.length <= 36 && clean) return clean;
  const hash = crypto.createHash('sha256').update(caName).digest('hex').slice(0, 6);
  return `${clean.slice(0, 29).replace(/-+$/, '')}-${hash}`;
}

export const daemonSetName = (id: string, purpose: Purpose): string =>
  purpose === 'install' ? `${APP}-${id}` : `${APP}-${id}-${purpose}`;

export function selectorLabels(id: string, purpose: Purpose): Record<string, string> {
  return { [NAME_LABEL]: APP, [INSTANCE_LABEL]: id, [COMPONENT]: purpose };
}

/** The label selector of one run's pods. */
export const runSelector = (id: string, purpose: Purpose, run: string): string =>
  Object.entries({ ...selectorLabels(id, purpose), [RUN_LABEL]: run })
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export interface Inputs {
  id: string;
  purpose: Purpose;
  /** host[:port] the nodes pull from. */
  host: string;
  image: string;
  /** Never for an image every node holds; IfNotPresent for --image. */
  pullPolicy: 'Never' | 'IfNotPresent';
  pullSecrets: string[];
  /** Tells this run's pods from earlier ones (a changed template rolls every pod). */
  run: string;
  /** The container's environment (HOST, CA, MODE, ... or INPUT for the restart pass). */
  env: Record<string, string>;
  script: string;
  /** The restart pass: this node only. */
  node?: string;
}

function volumesFor(
  purpose: Purpose,
): Pick<V1PodSpec, 'volumes'> & { mounts: NonNullable<V1PodSpec['containers'][0]['volumeMounts']> } {
  if (purpose === 'restart') return { volumes: [], mounts: [] };
  const host = (name: string, path: string, type: string, readOnly = false) => ({
    volume: { name, hostPath: { path, type } },
    mount: { name, mountPath: path, readOnly },
  });
  const all = [
    host('certs-d', CERTS_D, 'DirectoryOrCreate'),
    host('containerd-config', CONTAINERD_CONFIG, 'File', true),
    host('backups', BACKUPS, 'DirectoryOrCreate'),
  ];
  return { volumes: all.map((v) => v.volume), mounts: all.map((v) => v.mount) };
}

/** The DaemonSet for one purpose. */
export function daemonSet(i: Inputs): V1DaemonSet {
  const select = selectorLabels(i.id, i.purpose);
  const labels = { [MANAGED_BY]: MANAGER, ...select };
  const { volumes, mounts } = volumesFor(i.purpose);
  const privileged = i.purpose === 'restart';
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: daemonSetName(i.id, i.purpose),
      namespace: SYSTEM_NAMESPACE,
      labels,
      annotations: { 'kubectl-harbor/registry': i.host },
    },
    spec: {
      selector: { matchLabels: select },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } },
      template: {
        metadata: { labels: { ...labels, [RUN_LABEL]: i.run } },
        spec: {
          tolerations: [{ operator: 'Exists' }],
          ...(i.node ? { nodeSelector: { 'kubernetes.io/hostname': i.node } } : {}),
          ...(privileged ? { hostPID: true } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 5,
          ...(i.pullSecrets.length ? { imagePullSecrets: i.pullSecrets.map((name) => ({ name })) } : {}),
          containers: [
            {
              name: 'ca',
              image: i.image,
              imagePullPolicy: i.pullPolicy,
              command: ['/bin/sh', '-c', i.script],
              env: Object.entries(i.env).map(([name, value]) => ({ name, value })),
              securityContext: privileged
                ? { privileged: true, runAsUser: 0 }
                : { runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              resources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
              ...(mounts.length ? { volumeMounts: mounts } : {}),
            },
          ],
          ...(volumes?.length ? { volumes } : {}),
        },
      },
    },
  };
}

/**
 * The restart pass's container: node-trust.sh (the SSH path's script, inputs ahead of it
 * in $INPUT) run in the node's own namespaces, its output in the log, FAILED on an error.
 */
export const RESTART_WRAPPER = [
  'out=$(printf "%s" "$INPUT" | nsenter -t 1 -m -u -n -i -- sh -s 2>&1); rc=$?',
  'printf "%s\\n" "$out"',
  '[ "$rc" = 0 ] || echo "FAILED $(printf "%s\\n" "$out" | tail -n 1) (exit $rc)"',
  'exec sleep 2147483647',
].join('\n');
