import { Command } from 'clipanion';
import type { Session } from '../app/session.js';
import type { OutputFormat } from '../output/printer.js';
import { COMMIT, VERSION } from '../version.js';
import { BaseCommand } from './base.js';

export class VersionCommand extends BaseCommand {
  static override paths = [['version'], ['--version']];

  static override usage = Command.Usage({
    category: 'Other',
    description: 'Print the version of kubectl-harbor',
    details:
      'Prints the plugin version. With `-o json` or `-o yaml`, also the git commit, Node.js version and platform.',
    examples: [
      ['Print the version', '$0 version'],
      ['Print version details as JSON', '$0 version -o json'],
    ],
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): void {}

  protected async run(session: Session): Promise<void> {
    const info = {
      version: `v${VERSION}`,
      gitCommit: COMMIT,
      nodeVersion: process.version,
      platform: `${process.platform}/${process.arch}`,
    };
    await session.printer.document(info, () => `kubectl-harbor v${VERSION}\n`);
  }
}
