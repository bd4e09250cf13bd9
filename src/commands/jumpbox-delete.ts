import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';

export class JumpboxDeleteCommand extends BaseCommand {
  static override paths = [['jumpbox', 'delete']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Delete a cluster\'s jumpbox, or every one kubectl-harbor made in the namespace (--all)',
    examples: [
      ['One', '$0 jumpbox delete tkc-1'],
      ['All in the namespace', '$0 jumpbox delete --all'],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER', required: false });
  all = Option.Boolean('--all', false, { description: 'Every jumpbox in the namespace' });

  async run(): Promise<number> {
    const { jumpboxDelete } = await import('../tanzu/run-jumpbox.js');
    return jumpboxDelete(this.io(), this.cluster, this.all);
  }
}
