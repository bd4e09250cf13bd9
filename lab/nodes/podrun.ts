// How a DaemonSet pod's container runs on a lab node (the ContainerSpawner of
// lab/apiserver/podruntime.ts). There is no image runtime in the lab, so a "container" is
// the host's binaries run inside the node:
//  - nsenter into the node's mount, network and UTS namespaces (as nodeExec does), then
//    unshare a private mount namespace for the container;
//  - its root is a tmpfs on /mnt with the host's /usr (and the /bin, /lib... links) bound
//    read-only, /proc, /dev and /sys bound, a fresh /tmp, /run and /root, and an /etc
//    holding copies of the node's passwd, group, hosts, resolv.conf and os-release;
//  - each hostPath volume is bind-mounted at its volumeMounts[].mountPath (readOnly
//    honoured; a missing host directory is created, as containerd's CRI does; types
//    DirectoryOrCreate/FileOrCreate create, Directory/File must exist);
//  - then chroot into that root, `env -i` with the container's environment, and the command;
//  - `securityContext.privileged: true` makes `nsenter -t 1 ...` reach the node: the
//    container's nsenter is a wrapper that maps target PID 1 to the node's init (the node's
//    boot process), so `nsenter -t 1 -m -u -i -n -p -- sh -c ...` runs in the node as on a
//    real one. Without privileged, that nsenter fails with EPERM's message. Nothing else of
//    privileged is emulated (no device or capability differences); the process runs as root
//    in every case, so /proc/1/root and the like are NOT a boundary: the lab trusts its pods.
//  - hostNetwork is implied: every container shares the node's network namespace.
import { nodeIp, type LabConfig } from '../config.js';
import { CONTAINER_SCRIPT } from '../apiserver/container.js';
import type { ContainerSpawner } from '../apiserver/podruntime.js';
import { nodePid } from './nodes.js';

/** Node index from a lab node name (`n4` -> 4). */
export const nodeIndex = (name: string): number | undefined => {
  const m = /^n(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

/** DaemonSet containers on lab node n<i>, in its namespaces (see the header). */
export function nodeContainerSpawner(c: LabConfig): ContainerSpawner {
  return (r) => {
    const i = nodeIndex(r.node.name);
    const pid = i === undefined ? undefined : nodePid(c, i);
    if (i === undefined || pid === undefined || nodeIp(c, i) !== r.node.ip)
      return { file: 'sh', args: ['-c', `echo "node ${r.node.name} is not running" >&2; exit 128`] };
    const mounts = r.mounts.flatMap((m) => [m.hostPath, m.mountPath, m.readOnly ? '1' : '0', m.type]);
    const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`);
    return {
      file: 'nsenter',
      args: [
        '-t',
        String(pid),
        '-m',
        '-n',
        '-u',
        '--',
        'unshare',
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        CONTAINER_SCRIPT,
        'container',
        String(pid),
        r.privileged ? '1' : '0',
        r.readOnlyRoot ? '1' : '0',
        ...mounts,
        '--',
        ...env,
        ...r.argv,
      ],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    };
  };
}
