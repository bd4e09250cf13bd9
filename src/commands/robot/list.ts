import { Command } from 'clipanion';
import type { RobotListRequest } from '../../app/robot-list.js';
import type { Session } from '../../app/session.js';
import type { OutputFormat } from '../../output/printer.js';
import { MultiNamespaceCommand } from '../options.js';

export class RobotListCommand extends MultiNamespaceCommand<RobotListRequest> {
  static override paths = [['robot', 'list']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'List the pull secrets that hold Harbor robots',
    details: `
      Reads the annotations \`robot create\` leaves (registry, robot, id, expiry); needs no registry credential.
    `,
    examples: [['Everywhere', '$0 robot list -A']],
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): RobotListRequest {
    return { namespaces: this.namespaceSelection(), parallel: this.parallelism };
  }

  protected async run(session: Session, request: RobotListRequest): Promise<number> {
    return (await import('../../app/robot-list.js')).robotList(session, request);
  }
}
