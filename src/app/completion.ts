// `kubectl harbor completion`: print the kubectl_complete-harbor script, or install it
// next to kubectl-harbor on PATH (or into --dir), mode 0755.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { completionScript } from './complete.js';
import { findOnPath, writeFileAtomic } from '../local/files.js';
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
  s.printer.status(`${file} ${writeFileAtomic(file, script, 0o755)}`);
}
