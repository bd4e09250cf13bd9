import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';

export class JumpboxStatusCommand extends BaseCommand {
  static override paths = [['jumpbox', 'status']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: "Show a cluster's jumpbox and nodes",
    examples: [['Status', '$0 jumpbox status tkc-1']],
  });

  cluster = Option.String({ name: 'CLUSTER' });

  protected override outputFormats(): readonly string[] {
    return ['json', 'yaml'];
  }

  async run(): Promise<number> {
    const { jumpboxStatus } = await import('../tanzu/run-jumpbox.js');
    return jumpboxStatus(this.io(), this.cluster);
  }
}
