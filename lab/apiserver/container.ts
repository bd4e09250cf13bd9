// A container made of this host's binaries (there is no image runtime in the lab): run in
// a private mount namespace, its root is a tmpfs on /mnt with the host's /usr (and the /bin,
// /lib... links) bound read-only, /proc, /dev and /sys bound, a fresh /tmp, /run and /root,
// an /etc with copies of passwd, group, hosts, resolv.conf, os-release and hostname; each
// hostPath volume bind-mounted at its mountPath (readOnly honoured; a missing host directory
// is created, as containerd's CRI does; DirectoryOrCreate/FileOrCreate create,
// Directory/File must exist); then chroot, `env -i` with the container's environment, and
// the command. With privileged, the container's `nsenter -t 1` is mapped to $1 (the node's
// init); without it (or where $1 is 0) nsenter fails as a non-privileged container's does.
//
// Two users: lab/nodes/podrun.ts enters a lab node first (its mount, network and UTS
// namespaces), so hostPath is the node's path; sandboxSpawner (in-process tests, no lab)
// runs on this host with every hostPath moved under <root>/<node>, and refuses nsenter.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeletNode } from './kubelet.js';
import type { Obj } from './types.js';

export interface ContainerRun {
  pod: Obj;
  container: Obj;
  node: KubeletNode;
  argv: string[];
  env: Record<string, string>;
  mounts: Array<{ hostPath: string; mountPath: string; readOnly: boolean; type: string }>;
  privileged: boolean;
  /** securityContext.readOnlyRootFilesystem: the root (and so /tmp, /run) read-only; volumes as mounted. */
  readOnlyRoot?: boolean;
}

/** How a container becomes a local process. */
export type ContainerSpawner = (r: ContainerRun) => { file: string; args: string[]; env?: Record<string, string> };

/** The bare command on this host with the container's environment: no mounts, no isolation (harmless commands only). */
export const hostContainerSpawner: ContainerSpawner = (r) => ({
  file: r.argv[0]!,
  args: r.argv.slice(1),
  env: r.env,
});

export const NODE_CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The script run in the container's fresh mount namespace: $1 the node's init PID, $2 privileged (1/0),
 * $3 read-only root (1/0), then hostPath, mountPath, readOnly (1/0), type for each mount, `--`, the environment (K=V) and argv.
 */
export const CONTAINER_SCRIPT = String.raw`set -e
NODE=$1 PRIV=$2 ROFS=$3; shift 3
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
[ "$ROFS" = 1 ] && mount -o remount,ro "$R"
cd "$R"
exec chroot "$R" /usr/bin/env -i "$@"
`;

/**
 * Containers on this host, each node's hostPaths under `<root>/<node name>` (tests: what a
 * DaemonSet wrote is in that directory). Root, or an unprivileged user namespace (`unshare -r`).
 */
export function sandboxSpawner(root: string): ContainerSpawner {
  return (r) => {
    const base = path.join(root, r.node.name);
    fs.mkdirSync(base, { recursive: true });
    const mounts = r.mounts.flatMap((m) => [path.join(base, m.hostPath), m.mountPath, m.readOnly ? '1' : '0', m.type]);
    const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`);
    const asRoot = process.getuid?.() === 0;
    return {
      file: 'unshare',
      args: [
        ...(asRoot ? [] : ['--map-root-user']),
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        CONTAINER_SCRIPT,
        'container',
        '0',
        '0',
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

/** The container's environment: value and fieldRef entries, as the kubelet resolves them. */
export function containerEnv(pod: Obj, c: Obj, run: { node: KubeletNode; podIP: string }): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': run.node.name,
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? 'default',
    'status.hostIP': run.node.ip,
    'status.podIP': run.podIP,
  };
  const env: Record<string, string> = {
    PATH: NODE_CONTAINER_PATH,
    HOME: '/root',
    HOSTNAME: pod.spec?.hostNetwork ? run.node.name : pod.metadata.name,
  };
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string') env[e.name] = expand(e.value, env);
    else if (e.valueFrom?.fieldRef?.fieldPath) {
      const path = String(e.valueFrom.fieldRef.fieldPath);
      const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
      env[e.name] = label ? String(pod.metadata.labels?.[label[1]!] ?? '') : (fields[path] ?? '');
    } else env[e.name] = '';
  }
  return env;
}

/** $(VAR) references to earlier variables, as the kubelet expands them. */
const expand = (v: string, env: Record<string, string>): string =>
  v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, k: string) => env[k] ?? m);

/** The container's hostPath mounts: each volumeMount of a hostPath volume. */
export function mountsOf(pod: Obj, c: Obj): ContainerRun['mounts'] {
  const volumes = new Map<string, Obj>((pod.spec?.volumes ?? []).map((v: Obj) => [v.name, v]));
  const out: ContainerRun['mounts'] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v?.hostPath?.path) continue;
    const sub = m.subPath ? `/${String(m.subPath).replace(/^\/+/, '')}` : '';
    out.push({
      hostPath: `${v.hostPath.path}${sub}`,
      mountPath: String(m.mountPath),
      readOnly: m.readOnly === true,
      type: String(v.hostPath.type ?? ''),
    });
  }
  return out;
}
