// What a lab node's containerd holds (the CRI's k8s.io namespace), for the Node's
// status.images: `ctr images ls` over the node's socket, one entry per manifest digest with
// its names (tags and digest references, not the bare image ID) and size.
import { run } from '../sh.js';

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export async function containerdImages(socket: string): Promise<Array<{ names: string[]; sizeBytes: number }>> {
  const r = await run('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'ls'], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new Error(`ctr images ls: ${r.stderr.trim()}`);
  const byDigest = new Map<string, { names: string[]; sizeBytes: number }>();
  for (const line of r.stdout.split('\n').slice(1)) {
    const [ref, , digest, size, unit] = line.trim().split(/\s+/);
    if (!ref || !digest || ref.startsWith('sha256:')) continue;
    const entry = byDigest.get(digest) ?? {
      names: [],
      sizeBytes: Math.round(Number(size) * (UNITS[unit ?? 'B'] ?? 1)),
    };
    entry.names.push(ref);
    byDigest.set(digest, entry);
  }
  return [...byDigest.values()];
}
