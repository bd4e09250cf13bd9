// Trust on the workstation, per registry host, for the container clients that read a
// certs.d directory: docker (~/.docker/certs.d), containerd (--containerd-dir, with a
// hosts.toml that points at the CA) and, as root, podman and skopeo
// (/etc/containers/certs.d). Files are written atomically; nothing else in them is touched.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic, type FileAction } from './files.js';

export interface LocalTarget {
  kind: 'docker' | 'containerd' | 'containers';
  dir: string;
}

export function localTargets(
  homedir: string,
  containerdDir: string | undefined,
  isRoot: boolean,
  env: NodeJS.ProcessEnv,
): LocalTarget[] {
  const docker = path.join(env.DOCKER_CONFIG || path.join(homedir, '.docker'), 'certs.d');
  return [
    { kind: 'docker', dir: docker },
    ...(containerdDir ? [{ kind: 'containerd' as const, dir: containerdDir }] : []),
    ...(isRoot ? [{ kind: 'containers' as const, dir: '/etc/containers/certs.d' }] : []),
  ];
}

/** certs.d directory names are host[:port] as the image reference has it; never a path that leaves the directory. */
export function hostDir(t: LocalTarget, host: string): string {
  if (!host || host === '.' || host === '..' || /[/\\\0]/.test(host))
    throw new UsageError(`registry host "${host}" cannot name a certs.d directory`);
  return path.join(t.dir, host);
}

export function hostsToml(host: string, caFile: string): string {
  return `server = "https://${host}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${caFile}"\n`;
}

export function writeLocal(t: LocalTarget, host: string, pem: string): Array<{ file: string; action: FileAction }> {
  const dir = hostDir(t, host);
  const ca = path.join(dir, 'ca.crt');
  const out = [{ file: ca, action: writeFileAtomic(ca, pem, 0o644) }];
  if (t.kind === 'containerd') {
    const toml = path.join(dir, 'hosts.toml');
    out.push({ file: toml, action: writeFileAtomic(toml, hostsToml(host, ca), 0o644) });
  }
  return out;
}

export function removeLocal(t: LocalTarget, host: string): Array<{ file: string; action: 'deleted' | 'unchanged' }> {
  const dir = hostDir(t, host);
  const files = [path.join(dir, 'ca.crt'), ...(t.kind === 'containerd' ? [path.join(dir, 'hosts.toml')] : [])];
  const out = files.map((file) => {
    if (!fs.existsSync(file)) return { file, action: 'unchanged' as const };
    fs.rmSync(file);
    return { file, action: 'deleted' as const };
  });
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty, or not there: leave it */
  }
  return out;
}

export function readLocal(t: LocalTarget, host?: string): Array<{ host: string; pem: string }> {
  let hosts: string[];
  try {
    hosts = host ? [host] : fs.readdirSync(t.dir);
  } catch {
    return [];
  }
  return hosts.flatMap((h) => {
    try {
      return [{ host: h, pem: fs.readFileSync(path.join(hostDir(t, h), 'ca.crt'), 'utf8') }];
    } catch {
      return [];
    }
  });
}
