// Local files are written atomically (temp file in the same directory, fsync,
// rename) with an explicit mode, and not at all when the content is already there; a
// failure is one line naming the file and what to do, and leaves no temp file behind.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { LocalFileError } from '../errors.js';
import { describeErrno, errnoOf, fileKind } from './errno.js';

export type FileAction = 'created' | 'configured' | 'unchanged';

/** A failed write as one line: the file, what went wrong, what to do, and that the file is as it was. */
export function writeError(file: string, e: unknown, hint?: string): LocalFileError {
  if (e instanceof LocalFileError) return e;
  const code = errnoOf(e);
  const d = describeErrno(code);
  const why = d ? d[0] : `${code ? `${code}: ` : ''}${(e as Error).message ?? String(e)}`;
  const todo = [d?.[1], hint].filter(Boolean).join(', or ');
  return new LocalFileError(`cannot write ${file}: ${why}${todo ? `; ${todo}` : ''}; the file was not changed`);
}

/** The current bytes and mode of the file, undefined when it does not exist; anything but a regular file is refused. */
function current(file: string, size: number, hint?: string): { bytes: Buffer | undefined; mode: number } | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw writeError(file, e, hint);
  }
  if (!st.isFile())
    throw new LocalFileError(
      `cannot write ${file}: it is ${fileKind(st)}, not a regular file; ${hint ?? 'give the path of a file'}; it was not changed`,
    );
  // Only a file of the same size can hold the same bytes: nothing else is read.
  if (st.size !== size) return { bytes: undefined, mode: st.mode & 0o777 };
  try {
    return { bytes: fs.readFileSync(file), mode: st.mode & 0o777 };
  } catch (e) {
    throw writeError(file, e, hint);
  }
}

function writeTemp(tmp: string, bytes: Buffer, mode: number): void {
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, bytes);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Write atomically: temp file beside it, fsync, rename. Every failure (disk full, read-only,
 * permission, a directory in the way, ...) is one LocalFileError naming the file and what to
 * do (`hint` adds the caller's own way out, e.g. "pass --dir"); the file is then as it was.
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode: number, hint?: string): FileAction {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const existing = current(file, bytes.length, hint);
  if (existing?.bytes?.equals(bytes) && existing.mode === mode) return 'unchanged';
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  let made = false;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    made = true;
    writeTemp(tmp, bytes, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (made) fs.rmSync(tmp, { force: true });
    throw writeError(file, e, hint);
  }
  return existing ? 'configured' : 'created';
}

/**
 * Check, before anything else is changed, that `file` can be written with about `size`
 * bytes: a temp file of that size is written beside it, synced and removed (the directory
 * is created when missing). Disk full, read-only, permission and a path in the way fail
 * here, as the one line writeFileAtomic would give, and the file is not touched.
 */
export function probeWrite(file: string, size: number, hint?: string): void {
  current(file, -1, hint);
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  let made = false;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    made = true;
    writeTemp(tmp, Buffer.alloc(size, 0x20), 0o600);
  } catch (e) {
    throw writeError(file, e, hint);
  } finally {
    if (made) fs.rmSync(tmp, { force: true });
  }
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
