// A TKC emulator on lab nodes: the options the lab daemon gives tkc-1, vks-1 and tkc-2,
// and that a test can give its own in-process Supervisor's clusters to get the same:
//   startSupervisor({ clusters: [{ name, namespace, controlPlaneIps, workerIps,
//     nodes: [1, 2, 3].map((i, k) => labNodeSpec(cfg, i, k === 0)), server: tkcServerOn(cfg, [1, 2, 3]) }] })
// Node objects n<i>; status.images from each node's containerd (every 30 s and after a
// pull); the kubelet stand-in pulls through the node's containerd (CRI); DaemonSet pods run
// inside the nodes (nodes/podrun.ts).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { containerdPuller } from './apiserver/pullers.js';
import type { NodeSpec } from './apiserver/nodes.js';
import type { ApiServerOptions } from './apiserver/server.js';
import { HARBOR_NAME, hostIp, nodeIp, nodeName, nodeOs, type LabConfig } from './config.js';
import { containerdImages } from './nodes/images.js';
import { nodeDir } from './nodes/nodes.js';
import { nodeContainerSpawner, nodeIndex } from './nodes/podrun.js';

/** Lab node i as a Node (n<i>, its IP and OS). */
export const labNodeSpec = (c: LabConfig, i: number, controlPlane: boolean): NodeSpec => ({
  name: nodeName(i),
  ip: nodeIp(c, i),
  controlPlane,
  os: nodeOs(i),
});

function runtimeVersion(): string {
  try {
    return execFileSync('containerd', ['--version'], { encoding: 'utf8' }).split(/\s+/)[2] ?? '1.6.0';
  } catch {
    return '1.6.0';
  }
}

const socketOf = (c: LabConfig, node: string): string | undefined => {
  const i = nodeIndex(node);
  return i === undefined ? undefined : path.join(nodeDir(c, i), 'run/containerd/containerd.sock');
};

/** A TKC emulator's server options for the lab nodes `indexes` (see the header). */
export function tkcServerOn(c: LabConfig, indexes: number[]): Omit<ApiServerOptions, 'host' | 'users'> {
  return {
    kubelet: {
      startDelayMs: 300,
      retryMs: 2000,
      // TKC pods pull through the containerd of the node they are scheduled on (CRI PullImage), as the kubelet does.
      pull: containerdPuller({ hosts: [hostIp(c), HARBOR_NAME], socket: (node) => socketOf(c, node) }),
      nodes: indexes.map((i) => ({ name: nodeName(i), ip: nodeIp(c, i) })),
    },
    nodeOptions: { runtimeVersion: runtimeVersion() },
    nodeImages: async (node) => {
      const socket = socketOf(c, node);
      return socket ? containerdImages(socket) : [];
    },
    nodeImagesEveryMs: 30_000,
    runtime: { spawn: nodeContainerSpawner(c), backoffMs: 2000, maxBackoffMs: 20_000 },
  };
}
