// Reading a local file the user named (kubeconfig, docker config, known_hosts), the way
// tls/cafile.ts reads a --ca-file: a regular file only (a FIFO or a device would block
// the read forever, so the kind is checked before and after the non-blocking open), at
// most `max` bytes (read with no more than max + 1 buffered), and every failure one
// line that names the file, says what is wrong and what to do.
import fs from 'node:fs';
import { LocalFileError } from '../errors.js';
import { formatBytes } from '../net/http.js';
import { describeErrno, errnoOf, fileKind } from './errno.js';

export interface ReadOptions {
  /** What the file is, for the message: `kubeconfig`, `docker config`, ... */
  what: string;
  /** The largest file accepted, in bytes. */
  max: number;
  /** Why no real file is larger, for the message: `a kubeconfig is at most a few MiB`. */
  whyMax: string;
  /** What a regular file here should be, for the message when it is not. */
  expect: string;
}

const failed = (file: string, o: ReadOptions, why: string): LocalFileError =>
  new LocalFileError(`cannot read ${o.what} ${file}: ${why}`);

function errnoFailure(file: string, o: ReadOptions, e: unknown): LocalFileError {
  const d = describeErrno(errnoOf(e));
  return failed(file, o, d ? `${d[0]}; ${d[1]}` : (e as Error).message);
}

function checkRegular(file: string, st: fs.Stats, o: ReadOptions): void {
  if (!st.isFile()) throw failed(file, o, `it is ${fileKind(st)}; ${o.expect}`);
  if (st.size > o.max)
    throw failed(
      file,
      o,
      `it is larger than ${formatBytes(o.max)} (${st.size} bytes); ${o.whyMax}, so it was not read`,
    );
}

/** The bytes of a regular file of at most `o.max` bytes, or undefined when it does not exist. */
export function readLocalFile(file: string, o: ReadOptions): Buffer | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw errnoFailure(file, o, e);
  }
  checkRegular(file, st, o);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw errnoFailure(file, o, e);
  }
  try {
    checkRegular(file, fs.fstatSync(fd), o); // replaced between stat and open
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 << 10, o.max + 1 - n));
      const got = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      n += got;
      if (n > o.max) throw failed(file, o, `it is larger than ${formatBytes(o.max)}; ${o.whyMax}, so it was not read`);
    }
    return Buffer.concat(chunks, n);
  } catch (e) {
    throw e instanceof LocalFileError ? e : errnoFailure(file, o, e);
  } finally {
    fs.closeSync(fd);
  }
}
