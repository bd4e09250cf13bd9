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
import type { ContainerSpawner } from '../apiserver/podruntime.js';
import { nodePid } from './nodes.js';

/** The script run in the container's fresh mount namespace: $1 node pid, $2 privileged, mounts, --, env and argv. */
const SCRIPT = String.raw`set -e
NODE=$1 PRIV=$2; shift 2
R=/mnt
mount -t tmpfs -o mode=755 lab-container "$R"
for d in /usr /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [ -L "$d" ]; then ln -s "$(readlink "$d")" "$R$d"
  elif [ -d "$d" ]; then mkdir "$R$d"; mount --rbind "$d" "$R$d"; mount -o remount,bind,ro "$R$d"; fi
done
mkdir -p "$R/proc" "$R/dev" "$R/sys" "$R/tmp" "$R/run" "$R/root" "$R/etc" "$R/var/tmp" "$R/.lab"
mount --rbind /proc "$R/proc"; mount --rbind /dev "$R/dev"; mount --rbind /sys "$R/sys"
chmod 1777 "$R/tmp" "$R/var/tmp"
for f in passwd group hosts resolv.conf os-release hostname; do [ -e "/etc/$f" ] && cp -L "/etc/$f" "$R/etc/$f" || true; done
while [ "$1" != -- ]; do
  src=$1 dst=$2 ro=$3 type=$4; shift 4
  case "$type" in
    Directory) [ -d "$src" ] || { echo "hostPath type check failed: $src is not a directory" >&2; exit 128; } ;;
    File) [ -f "$src" ] || { echo "hostPath type check failed: $src is not a file" >&2; exit 128; } ;;
    FileOrCreate) [ -e "$src" ] || { mkdir -p "$(dirname "$src")"; : > "$src"; } ;;
    *) [ -e "$src" ] || mkdir -p "$src" ;;
  esac
  if [ -d "$src" ]; then mkdir -p "$R$dst"; else mkdir -p "$(dirname "$R$dst")"; : > "$R$dst"; fi
  mount --bind "$src" "$R$dst"
  [ "$ro" = 1 ] && mount -o remount,bind,ro "$R$dst"
done
shift
real=$(command -v nsenter)
cp "$real" "$R/.lab/nsenter.real"
if [ "$PRIV" = 1 ]; then
  cat > "$R/.lab/nsenter" <<EOF
#!/bin/sh
# The lab maps PID 1 (the node's init on a real node) to this node's init.
n=\$#; i=0; prev=
while [ \$i -lt \$n ]; do
  a=\$1; shift; i=\$((i+1))
  if [ "\$prev" = -t ] || [ "\$prev" = --target ]; then [ "\$a" = 1 ] && a=$NODE; fi
  case "\$a" in -t1) a=-t$NODE ;; --target=1) a=--target=$NODE ;; esac
  set -- "\$@" "\$a"; prev=\$a
done
exec /.lab/nsenter.real "\$@"
EOF
else
  printf '#!/bin/sh\necho "nsenter: reassociate to namespace '"'"'ns/mnt'"'"' failed: Operation not permitted" >&2\nexit 1\n' > "$R/.lab/nsenter"
fi
chmod 755 "$R/.lab/nsenter"
mount --bind "$R/.lab/nsenter" "$R$real"
cd "$R"
exec chroot "$R" /usr/bin/env -i "$@"
`;

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
        SCRIPT,
        'container',
        String(pid),
        r.privileged ? '1' : '0',
        ...mounts,
        '--',
        ...env,
        ...r.argv,
      ],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    };
  };
}
