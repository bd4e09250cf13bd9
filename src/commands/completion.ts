import path from 'node:path';
import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';
import { ConfigError } from '../errors.js';

export const COMPLETION_EXECUTABLE = 'kubectl_complete-harbor';

export class CompletionCommand extends BaseCommand {
  static override paths = [['completion']];

  static override usage = Command.Usage({
    category: 'Other',
    description: 'Print or install shell completion for kubectl harbor',
    details: `
      kubectl (1.26 and later) completes a plugin's arguments by running an executable named \`kubectl_complete-<plugin>\` from \`PATH\`. This command prints that executable (a two-line shell script), or with \`--install\` writes it, mode 0755, next to \`kubectl-harbor\` on \`PATH\` (or into \`--dir\`).

      Completion covers subcommands, flags, \`--context\` (from the kubeconfig), \`-n/--namespace\` (from the cluster, 3 s at most) and \`-o\` values. Shell completion for kubectl itself must be enabled (\`source <(kubectl completion bash)\`).
    `,
    examples: [
      ['Install next to kubectl-harbor', '$0 completion --install'],
      ['Install into a directory on PATH', '$0 completion --install --dir ~/.local/bin'],
      ['Print the script', '$0 completion > kubectl_complete-harbor && chmod +x kubectl_complete-harbor'],
    ],
  });

  install = Option.Boolean('--install', false, { description: `Write ${COMPLETION_EXECUTABLE} instead of printing it` });

  dir = Option.String('--dir', { description: 'Where --install writes (default: the directory of kubectl-harbor on PATH)' });

  protected override outputFormats(): readonly string[] {
    return [];
  }

  async run(): Promise<void> {
    const [{ completionScript }, { findOnPath, writeFileAtomic }] = await Promise.all([import('../complete.js'), import('../local/files.js')]);
    const script = completionScript();
    if (!this.install) {
      if (this.dir) throw new ConfigError('--dir goes with --install');
      this.context.stdout.write(script);
      return;
    }
    let dir = this.dir;
    if (!dir) {
      const plugin = findOnPath('kubectl-harbor', this.context.env);
      if (!plugin) throw new ConfigError('kubectl-harbor is not on PATH; pass --dir with a directory that is');
      dir = path.dirname(plugin);
    }
    const file = path.join(dir, COMPLETION_EXECUTABLE);
    const action = writeFileAtomic(file, script, 0o755);
    this.printer.status(`${file} ${action}`);
  }
}
