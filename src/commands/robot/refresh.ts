import { Command, Option } from 'clipanion';
import type { AdminInput } from '../../app/robot-admin.js';
import type { RobotSecretRequest } from '../../app/robot-refresh.js';
import type { Session } from '../../app/session.js';
import { UsageError } from '../../errors.js';
import { checkObjectName } from '../../names.js';
import { CredentialOptions } from '../harbor-options.js';
import { MultiNamespaceCommand, nonEmpty } from '../options.js';

/** The admin credential flags, checked. */
export function adminInput(f: {
  username: string | undefined;
  password: string | undefined;
  passwordStdin: boolean;
  caFile: string | undefined;
  insecure: boolean;
}): AdminInput {
  if (f.passwordStdin && f.password !== undefined)
    throw new UsageError('use either --password-stdin or -p/--password, not both');
  if (f.caFile !== undefined && f.insecure)
    throw new UsageError('use either --ca-file or --insecure-skip-tls-verify, not both');
  return {
    username: nonEmpty('--username', f.username),
    password: f.password,
    passwordStdin: f.passwordStdin,
    caFile: nonEmpty('--ca-file', f.caFile),
    insecure: f.insecure,
  };
}

/** refresh and delete: the pull secrets holding one robot, and an admin credential. */
export abstract class RobotSecretCommand extends MultiNamespaceCommand<RobotSecretRequest> {
  secret = Option.String({ required: false, name: 'SECRET' });
  username = CredentialOptions.username();
  password = CredentialOptions.password();
  passwordStdin = CredentialOptions.passwordStdin();
  caFile = CredentialOptions.caFile();
  insecure = CredentialOptions.insecure();
  plainHttp = Option.Boolean('--plain-http', false, { description: 'The registry speaks plain HTTP' });

  protected request(): RobotSecretRequest {
    return {
      secretName: this.secret === undefined ? undefined : checkObjectName(this.secret, 'SECRET'),
      namespaces: this.namespaceSelection(),
      plainHttp: this.plainHttp,
      admin: adminInput(this),
      parallel: this.parallelism,
      dryRun: this.dryRunValue,
    };
  }
}

export class RobotRefreshCommand extends RobotSecretCommand {
  static override paths = [['robot', 'refresh']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Give a robot a new secret and write it into every pull secret holding it',
    details: `
      Finds the pull secrets \`robot create\` wrote (SECRET: only those of that name) in the chosen namespaces, asks Harbor for a new secret for their robot (the old one stops working at once), writes it into each of them by read-modify-write, and checks it against the registry. A namespace that fails is reported; the others are correct.

      The credential is an admin's or a project admin's, read as \`login\` reads it.
    `,
    examples: [['Everywhere', 'echo "$HARBOR_ADMIN_PASSWORD" | $0 robot refresh -A -u admin --password-stdin']],
  });

  protected async run(session: Session, request: RobotSecretRequest): Promise<number> {
    return (await import('../../app/robot-refresh.js')).robotRefresh(session, request);
  }
}
