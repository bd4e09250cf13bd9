import { Command, Option } from 'clipanion';
import type { Session } from '../app/session.js';
import type { StatusRequest } from '../app/status.js';
import { UsageError } from '../errors.js';
import type { OutputFormat } from '../output/printer.js';
import { parseDays } from './harbor-options.js';
import { MultiNamespaceCommand, nonEmpty } from './options.js';

export class StatusCommand extends MultiNamespaceCommand<StatusRequest> {
  static override paths = [['status']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Show every managed pull secret: who, until when, bound where, and whether it still pulls',
    details: `
      One row per registry in every pull secret kubectl-harbor manages in \`-n\`, \`--namespaces\` or \`-A\`: namespace, secret, registry, user, robot or user, expiry with days left (from the robot annotations \`robot create\` writes), and the ServiceAccounts that reference it.

      \`--check-access\` contacts each registry: the credential must still authenticate (checked without a scope: Harbor serves bad credentials with a scope as anonymous) and, for a project robot, still be allowed to pull from its project. \`--check\` exits 1 when anything is expired, expires within \`--warn-days\` (default 14), or no longer verifies, for cron or CI.
    `,
    examples: [
      ['Everything, every namespace', '$0 status -A'],
      [
        'In CI: fail when a robot expires within a week or no longer pulls',
        '$0 status -A --check-access --check --warn-days 7',
      ],
    ],
  });

  checkAccess = Option.Boolean('--check-access', false, {
    description: 'Contact each registry: does the credential still authenticate and pull?',
  });
  check = Option.Boolean('--check', false, {
    description: 'Exit 1 when anything is expired, expiring within --warn-days, or failing',
  });
  warnDays = Option.String('--warn-days', '14', {
    description: 'Days before expiry that count as expiring (default 14)',
  });
  caFile = Option.String('--ca-file', {
    description: "With --check-access: the registries' CA, instead of the system roots",
  });
  insecure = Option.Boolean('--insecure-skip-tls-verify', false, {
    description: 'With --check-access: do not verify certificates',
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml', 'wide'];
  }

  protected request(): StatusRequest {
    if (this.dryRun !== undefined) throw new UsageError('status writes nothing: --dry-run does not apply');
    if (this.caFile !== undefined && this.insecure)
      throw new UsageError('use either --ca-file or --insecure-skip-tls-verify, not both');
    return {
      namespaces: this.namespaceSelection(),
      checkAccess: this.checkAccess,
      check: this.check,
      warnDays: parseDays('--warn-days', this.warnDays, 1, 3650),
      caFile: nonEmpty('--ca-file', this.caFile),
      insecure: this.insecure,
      parallel: this.parallelism,
    };
  }

  protected async run(session: Session, request: StatusRequest): Promise<number> {
    return (await import('../app/status.js')).status(session, request);
  }
}
