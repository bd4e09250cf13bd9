import { Command } from 'clipanion';
import type { RobotSecretRequest } from '../../app/robot-refresh.js';
import type { Session } from '../../app/session.js';
import { RobotSecretCommand } from './refresh.js';

export class RobotDeleteCommand extends RobotSecretCommand {
  static override paths = [['robot', 'delete']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Delete the robot the pull secrets hold, in Harbor and in the secrets',
    details: `
      Deletes the robot in Harbor (one already deleted there is said so), then takes its registry out of every pull secret holding it in the chosen namespaces, deleting a secret that held nothing else.
    `,
    examples: [
      ['In namespace dev', 'echo "$HARBOR_ADMIN_PASSWORD" | $0 robot delete -n dev -u admin --password-stdin'],
    ],
  });

  protected async run(session: Session, request: RobotSecretRequest): Promise<number> {
    return (await import('../../app/robot-delete.js')).robotDelete(session, request);
  }
}
