// `kubectl harbor completion`: print the kubectl_complete-harbor script, or install it
// next to kubectl-harbor on PATH (or into --dir), mode 0755.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, LocalFileError } from '../errors.js';
import { fileKind } from '../local/errno.js';
import { completionScript } from './complete.js';
import { findOnPath, writeError, writeFileAtomic } from '../local/files.js';
import type { Session } from './session.js';

export async function completion(
  s: Session,
  r: { install: boolean; dir: string | undefined },
  executable: string,
): Promise<void> {
  const script = completionScript();
  if (!r.install) {
    s.stdio.stdout.write(script);
    return;
  }
  let dir = r.dir;
  if (!dir) {
    const plugin = findOnPath('kubectl-harbor', s.env);
    if (!plugin) throw new ConfigError('kubectl-harbor is not on PATH; pass --dir with a directory that is');
    dir = path.dirname(plugin);
  }
  const file = path.join(dir, executable);
  const hint = 'pass --dir with a writable directory on PATH';
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw writeError(file, e, hint);
  }
  if (st && !st.isDirectory())
    throw new LocalFileError(`cannot install into ${dir}: it is ${fileKind(st)}, not a directory; ${hint}`);
  s.printer.status(`${file} ${writeFileAtomic(file, script, 0o755, hint)}`);
}
