// What a failed local file operation means, in words: the errno a user's machine gives
// (disk full, read-only, permission, a directory where a file should be, ...) becomes a
// phrase and the step that fixes it, for one-line errors that name the file.
import type fs from 'node:fs';

export const errnoOf = (e: unknown): string | undefined => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** What a file system object is, for "it is a directory" and the like. */
export function fileKind(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const WHY: Record<string, [string, string]> = {
  ENOSPC: ['no space left on device (ENOSPC)', 'free some space on that file system'],
  EDQUOT: ['disk quota exceeded (EDQUOT)', 'free some space or raise the quota'],
  EFBIG: ['file too large (EFBIG)', 'free some space on that file system'],
  EROFS: ['read-only file system (EROFS)', 'use a file on a writable file system'],
  EACCES: ['permission denied (EACCES)', 'fix the permissions of the file and its directory, or use another file'],
  EPERM: ['operation not permitted (EPERM)', 'fix the permissions or attributes of the file, or use another file'],
  EISDIR: ['it is a directory (EISDIR)', 'give a file path, not a directory'],
  ENOTDIR: ['a part of its path is not a directory (ENOTDIR)', 'fix the path'],
  EEXIST: ['a part of its path exists and is not a directory (EEXIST)', 'fix the path'],
  ENOENT: ['no such file or directory (ENOENT)', 'fix the path'],
  ENAMETOOLONG: ['the path is too long (ENAMETOOLONG)', 'use a shorter path'],
  ELOOP: ['too many symbolic links (ELOOP)', 'fix the symbolic links'],
  EIO: ['input/output error (EIO)', 'check the disk'],
  EMFILE: ['too many open files (EMFILE)', 'close some programs or raise the limit (ulimit -n)'],
  ENFILE: ['too many open files in the system (ENFILE)', 'close some programs'],
  EBUSY: ['the file is busy (EBUSY)', 'try again when it is not in use'],
  ETXTBSY: ['the file is a running program (ETXTBSY)', 'try again when it is not running'],
};

/** `[what went wrong, what to do]` for an errno; undefined for codes that are not about local files. */
export function describeErrno(code: string | undefined): [string, string] | undefined {
  return code ? WHY[code] : undefined;
}
