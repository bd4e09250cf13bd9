import { Command, Option } from 'clipanion';
import type { RobotCreateRequest } from '../../app/robot-create.js';
import type { Session } from '../../app/session.js';
import { UsageError } from '../../errors.js';
import { checkObjectName } from '../../names.js';
import { parseRegistry } from '../../registry/endpoint.js';
import { CredentialOptions, parseProject, parseRobotDuration, parseRobotName } from '../harbor-options.js';
import { MultiNamespaceCommand } from '../options.js';
import { adminInput } from './refresh.js';

export class RobotCreateCommand extends MultiNamespaceCommand<RobotCreateRequest> {
  static override paths = [['robot', 'create']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Create a pull-only Harbor robot and write it as pull secrets',
    details: `
      With a Harbor system admin or a project admin of PROJECT (the same input as \`login\`: \`--password-stdin\`, the vSphere user and \`KUBECTL_VSPHERE_PASSWORD\` for the embedded Harbor, or a prompt), creates the project robot \`<prefix><project>+<name>\` that may only pull, and writes its secret straight into the pull secret of each namespace. The secret is never printed, logged or passed on a command line.

      The Secret carries the annotations \`kubectl-harbor/registry\`, \`kubectl-harbor/robot-id\`, \`kubectl-harbor/robot-name\` and \`kubectl-harbor/expires-at\`, which \`robot refresh\`, \`robot list\`, \`robot delete\` and \`login\` read.

      A robot whose secret could not be stored in any namespace is deleted again.
    `,
    examples: [
      [
        'A robot for project "apps", in two namespaces, bound to their default ServiceAccount',
        'echo "$HARBOR_ADMIN_PASSWORD" | $0 robot create harbor.example.com --project apps -u admin --password-stdin --namespaces dev,prod --bind-sa default',
      ],
      ['In a vSphere Namespace context, for 90 days', '$0 robot create --project dev --duration 90'],
    ],
  });

  registry = Option.String({ required: false, name: 'REGISTRY' });
  project = Option.String('--project', { description: 'The Harbor project the robot may pull from (required)' });
  name = Option.String('--name', 'kubectl-harbor', {
    description: 'The robot name, without prefix and project (default: kubectl-harbor)',
  });
  duration = Option.String('--duration', '30', {
    description: 'Days until the robot expires, 1 to 3650, or never (default: 30)',
  });
  username = CredentialOptions.username();
  password = CredentialOptions.password();
  passwordStdin = CredentialOptions.passwordStdin();
  caFile = CredentialOptions.caFile();
  insecure = CredentialOptions.insecure();
  plainHttp = Option.Boolean('--plain-http', false, { description: 'The registry speaks plain HTTP' });
  secretName = Option.String('--secret-name', {
    description: 'Name of the pull secret (default: harbor-<host>[-<port>])',
  });
  overwrite = Option.Boolean('--overwrite', false, {
    description: 'Add the robot to a secret of the same name that kubectl-harbor did not create',
  });
  bindSa = Option.Array('--bind-sa', { description: 'Also add the secret to this ServiceAccount (repeatable)' });

  protected request(): RobotCreateRequest {
    if (this.project === undefined)
      throw new UsageError('--project is required: the Harbor project the robot pulls from');
    return {
      registry: this.registry === undefined ? undefined : parseRegistry(this.registry, { plainHttp: this.plainHttp }),
      plainHttp: this.plainHttp,
      admin: adminInput(this),
      project: parseProject('--project', this.project),
      name: parseRobotName(this.name),
      durationDays: parseRobotDuration(this.duration),
      secretName: this.secretName === undefined ? undefined : checkObjectName(this.secretName, '--secret-name'),
      namespaces: this.namespaceSelection(),
      overwrite: this.overwrite,
      bindSa: (this.bindSa ?? []).map((n) => checkObjectName(n, '--bind-sa')),
      parallel: this.parallelism,
      dryRun: this.dryRunValue,
    };
  }

  protected async run(session: Session, request: RobotCreateRequest): Promise<number> {
    return (await import('../../app/robot-create.js')).robotCreate(session, request);
  }
}
