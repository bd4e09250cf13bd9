import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';

export class JumpboxListCommand extends BaseCommand {
  static override paths = [['jumpbox', 'list']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'List the jumpbox pods kubectl-harbor made',
    examples: [['Everywhere', '$0 jumpbox list -A']],
  });

  all = Option.Boolean('-A,--all-namespaces', false, { description: 'In every namespace' });

  protected override outputFormats(): readonly string[] {
    return ['json', 'yaml', 'name'];
  }

  async run(): Promise<number> {
    const { jumpboxList } = await import('../tanzu/run-jumpbox.js');
    return jumpboxList(this.io(), this.all);
  }
}
