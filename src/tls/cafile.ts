// The one reader for every --ca-file (login, trust, push-ca): a regular file only (a FIFO
// or a device would block the read forever, so the kind is checked before the file is
// opened), at most 1 MiB (a bundle larger than the API's 1 MiB object limit could not be
// stored anyway), holding PEM (one certificate, a chain or a bundle) or DER.
import fs from 'node:fs';
import { CliError } from '../errors.js';
import { formatBytes } from '../net/http.js';
import { parseCertificates, type CertInfo } from './ca.js';

export const MAX_CA_FILE = 1 << 20;

const caFileError = (file: string, why: string): CliError =>
  new CliError('CA_FILE', `cannot read --ca-file ${file}: ${why}`);

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function kind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function checkRegular(file: string, st: fs.Stats, max: number): void {
  if (!st.isFile()) throw caFileError(file, `it is ${kind(st)}; give a PEM or DER certificate file`);
  if (st.size > max)
    throw caFileError(file, `it is larger than ${formatBytes(max)} (${st.size} bytes); a CA file is a few KiB`);
}

/** The bytes of the file, checked to be a regular file of at most `max` bytes, read with no more than max + 1 bytes buffered. */
export function readCaBytes(file: string, max = MAX_CA_FILE): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw caFileError(file, errno(e));
  }
  checkRegular(file, st, max);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw caFileError(file, errno(e));
  }
  try {
    checkRegular(file, fs.fstatSync(fd), max); // replaced between stat and open
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n <= max; n += got) got = fs.readSync(fd, buf, n, max + 1 - n, null);
    if (n > max) throw caFileError(file, `it is larger than ${formatBytes(max)}; a CA file is a few KiB`);
    return buf.subarray(0, n);
  } catch (e) {
    throw e instanceof CliError ? e : caFileError(file, errno(e));
  } finally {
    fs.closeSync(fd);
  }
}

/** Every certificate of a --ca-file (PEM: one, a chain or a bundle; or DER); each failure is one line naming the file. */
export function readCaFile(file: string, max = MAX_CA_FILE): CertInfo[] {
  return parseCertificates(readCaBytes(file, max), file);
}
