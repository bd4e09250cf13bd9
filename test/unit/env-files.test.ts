// Local file reads and writes as one line each: the errno a machine gives becomes what is
// wrong and what to do, a failed write leaves the file as it was and no temp file, and the
// bounded reader refuses FIFOs and oversized files before reading. EACCES cannot happen to
// root (tests run as root), so its line is checked through writeError with a made error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LocalFileError } from '../../src/errors.js';
import { probeWrite, writeError, writeFileAtomic } from '../../src/local/files.js';
import { readLocalFile } from '../../src/local/readfile.js';
import { tempDir } from '../helpers/kubeconfig.js';

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });

test('writeError: each errno says what is wrong, what to do, and that the file was not changed', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'EACCES',
      /^cannot write \/f: permission denied \(EACCES\); fix the permissions .*, or pass --x; the file was not changed$/,
    ],
    ['ENOSPC', /no space left on device \(ENOSPC\); free some space on that file system, or pass --x;/],
    ['EROFS', /read-only file system \(EROFS\); use a file on a writable file system, or pass --x;/],
    ['EDQUOT', /disk quota exceeded/],
    ['EISDIR', /it is a directory \(EISDIR\)/],
    ['ENOTDIR', /a part of its path is not a directory \(ENOTDIR\)/],
    ['EWHATEVER', /^cannot write \/f: EWHATEVER: EWHATEVER: something; pass --x; the file was not changed$/],
  ];
  for (const [code, re] of cases) {
    const e = writeError('/f', errno(code), 'pass --x');
    assert.ok(e instanceof LocalFileError);
    assert.match(e.message, re, code);
  }
});

test('writeFileAtomic refuses a directory or a FIFO in the place of the file, and keeps a failed write invisible', () => {
  const dir = tempDir();
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  assert.throws(() => writeFileAtomic(sub, 'x', 0o600), /cannot write .*sub: it is a directory, not a regular file/);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => writeFileAtomic(fifo, 'x', 0o600), /it is a named pipe \(FIFO\), not a regular file/);
  const blocker = path.join(dir, 'file');
  fs.writeFileSync(blocker, 'x');
  assert.throws(() => writeFileAtomic(path.join(blocker, 'y'), 'x', 0o600), /ENOTDIR/);
  assert.equal(writeFileAtomic(path.join(dir, 'ok'), 'x', 0o600), 'created');
  assert.equal(writeFileAtomic(path.join(dir, 'ok'), 'x', 0o600), 'unchanged');
  probeWrite(path.join(dir, 'new', 'config.json'), 100);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'new')), [], 'the probe leaves nothing');
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temp files',
  );
});

test('readLocalFile: missing is undefined; a FIFO, a directory and a file over the cap are one line', () => {
  const dir = tempDir();
  const o = { what: 'thing', max: 10, whyMax: 'a thing is small', expect: 'give a thing file' };
  assert.equal(readLocalFile(path.join(dir, 'nope'), o), undefined);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => readLocalFile(fifo, o), {
    message: `cannot read thing ${fifo}: it is a named pipe (FIFO); give a thing file`,
  });
  assert.throws(() => readLocalFile(dir, o), {
    message: `cannot read thing ${dir}: it is a directory; give a thing file`,
  });
  const big = path.join(dir, 'big');
  fs.writeFileSync(big, 'x'.repeat(11));
  assert.throws(() => readLocalFile(big, o), {
    message: `cannot read thing ${big}: it is larger than 10 bytes (11 bytes); a thing is small, so it was not read`,
  });
  fs.writeFileSync(big, 'x'.repeat(10));
  assert.equal(readLocalFile(big, o)?.toString(), 'x'.repeat(10));
});
