import { Command, Option } from 'clipanion';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import type { OutputFormat } from '../output/printer.js';
import { BaseCommand } from './base.js';

export const COMPLETION_EXECUTABLE = 'kubectl_complete-harbor';

export class CompletionCommand extends BaseCommand<{ install: boolean; dir: string | undefined }> {
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

  install = Option.Boolean('--install', false, {
    description: `Write ${COMPLETION_EXECUTABLE} instead of printing it`,
  });

  dir = Option.String('--dir', {
    description: 'Where --install writes (default: the directory of kubectl-harbor on PATH)',
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return [];
  }

  protected request(): { install: boolean; dir: string | undefined } {
    if (this.dir !== undefined && !this.install) throw new UsageError('--dir goes with --install');
    if (this.dir !== undefined && this.dir.trim() === '') throw new UsageError('--dir needs a directory');
    return { install: this.install, dir: this.dir };
  }

  protected async run(session: Session, request: { install: boolean; dir: string | undefined }): Promise<void> {
    const { completion } = await import('../app/completion.js');
    return completion(session, request, COMPLETION_EXECUTABLE);
  }
}
