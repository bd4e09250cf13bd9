// Node objects of a TKC emulator, shaped as a TKR's kubelet registers them: labels
// (kubernetes.io/hostname, kubernetes.io/os, node-role.kubernetes.io/control-plane on the
// control plane), the control-plane NoSchedule taint, InternalIP/Hostname addresses, a
// Ready condition, nodeInfo with `containerd://<version>`, and status.images: the images a
// TKR preloads on every node (TKR_IMAGES) plus whatever that node's containerd holds.
//
// There is no container image runtime in the lab: a pod's "container" runs the host's
// binaries inside the node (podruntime.ts). Which images "have a shell" is therefore a lab
// fact, kept here: TKR_IMAGES says it per image; any other image (one pulled from the lab
// Harbor, say) is taken to be a full distribution image with /bin/sh.
import crypto from 'node:crypto';
import type { Obj } from './types.js';

export interface TkrImage {
  name: string;
  sizeBytes: number;
  /** Whether /bin/sh exists in the image (pause and distroless images have none). */
  shell: boolean;
}

/** Where a TKR's preloaded images are tagged on the nodes. */
export const TKR_IMAGE_PREFIX = 'localhost:5000/vmware.io';

/** The images every lab node has, as a TKR preloads them. */
export const TKR_IMAGES: TkrImage[] = [
  { name: `${TKR_IMAGE_PREFIX}/pause:3.9`, sizeBytes: 315_399, shell: false },
  { name: `${TKR_IMAGE_PREFIX}/kube-proxy:v1.26.5_vmware.2-fips.1`, sizeBytes: 21_533_880, shell: false },
  { name: `${TKR_IMAGE_PREFIX}/antrea/antrea-agent-ubuntu:v1.11.1_vmware.4`, sizeBytes: 181_427_712, shell: true },
  { name: `${TKR_IMAGE_PREFIX}/csi/csi-node-driver-registrar:v2.7.0_vmware.2`, sizeBytes: 9_856_201, shell: false },
  { name: `${TKR_IMAGE_PREFIX}/csi/vsphere-block-csi-driver:v3.0.1_vmware.1`, sizeBytes: 62_114_201, shell: true },
];

/** The preloaded image with a shell that a DaemonSet can run with imagePullPolicy Never. */
export const SHELL_IMAGE = TKR_IMAGES.find((i) => i.shell)!.name;
/** A preloaded image without a shell (`/bin/sh` fails to start). */
export const NO_SHELL_IMAGE = TKR_IMAGES[0]!.name;

/** Whether `image` has /bin/sh: TKR_IMAGES says so for the preloaded ones; any other image has one. */
export function imageHasShell(image: string): boolean {
  return TKR_IMAGES.find((i) => i.name === image)?.shell ?? true;
}

/** A node of a TKC as the lab knows it. */
export interface NodeSpec {
  name: string;
  ip: string;
  controlPlane?: boolean;
  /** `photon` or `ubuntu`: nodeInfo.osImage. */
  os?: 'photon' | 'ubuntu';
}

export interface NodeOptions {
  /** containerd's version, for nodeInfo.containerRuntimeVersion. */
  runtimeVersion?: string;
  kubeletVersion?: string;
}

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const uuid = (s: string): string => {
  const h = crypto.createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** status.images: the preloaded TKR images, then `held` (what containerd holds) not already listed. */
export function nodeImages(held: Array<{ names: string[]; sizeBytes: number }> = []): Obj[] {
  const out: Obj[] = TKR_IMAGES.map((i) => ({ names: [i.name], sizeBytes: i.sizeBytes }));
  for (const h of held) if (!out.some((o) => o.names.some((n: string) => h.names.includes(n)))) out.push(h);
  return out;
}

/** The Node object the kubelet of `n` registers. */
export function nodeObject(n: NodeSpec, o: NodeOptions = {}, index = 0): Obj {
  const ts = now();
  const cp = n.controlPlane === true;
  const kubelet = o.kubeletVersion ?? 'v1.26.5+vmware.2-fips.1';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...(cp ? { [CONTROL_PLANE_LABEL]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR: `192.168.${index}.0/24`,
      podCIDRs: [`192.168.${index}.0/24`],
      providerID: `vsphere://${uuid(n.name)}`,
      ...(cp ? { taints: [{ key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' }] } : {}),
    },
    status: {
      capacity: { cpu: '2', 'ephemeral-storage': '16197120Ki', memory: '4026508Ki', pods: '110' },
      allocatable: { cpu: '2', 'ephemeral-storage': '14927206937', memory: '3924108Ki', pods: '110' },
      conditions: [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ].map(([type, status, reason, message]) => ({
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: ts,
        lastTransitionTime: ts,
      })),
      addresses: [
        { type: 'Hostname', address: n.name },
        { type: 'InternalIP', address: n.ip },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: uuid(`machine-${n.name}`).replace(/-/g, ''),
        systemUUID: uuid(`system-${n.name}`),
        bootID: crypto.randomUUID(),
        kernelVersion: n.os === 'ubuntu' ? '5.4.0-153-generic' : '4.19.288-2.ph3-esx',
        osImage: n.os === 'ubuntu' ? 'Ubuntu 20.04.6 LTS' : 'VMware Photon OS/Linux',
        containerRuntimeVersion: `containerd://${o.runtimeVersion ?? '1.6.18+vmware.1'}`,
        kubeletVersion: kubelet,
        kubeProxyVersion: kubelet,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: nodeImages(),
    },
  };
}

/** The node's InternalIP. */
export const nodeIpOf = (node: Obj): string =>
  (node.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? '';

/** Whether `image` is among the node's status.images. */
export function nodeHasImage(node: Obj | undefined, image: string): boolean {
  const want = normalise(image);
  return (node?.status?.images ?? []).some((i: Obj) => (i.names ?? []).some((n: string) => normalise(n) === want));
}

/** `x` and `x:latest` are the same image; a digest name stays as it is. */
function normalise(image: string): string {
  if (image.includes('@')) return image;
  const last = image.split('/').pop() ?? '';
  return last.includes(':') ? image : `${image}:latest`;
}
