// Local files are written atomically (temp file in the same directory, fsync,
// rename) with an explicit mode, and not at all when the content is already there.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export type FileAction = 'created' | 'configured' | 'unchanged';

export function writeFileAtomic(file: string, data: string | Buffer, mode: number): FileAction {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let existing: Buffer | undefined;
  try {
    existing = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing?.equals(bytes) && (fs.statSync(file).mode & 0o777) === mode) return 'unchanged';
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, bytes);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return existing ? 'configured' : 'created';
}

/** The first directory on PATH that holds `name`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
