import { Command, Option } from 'clipanion';
import type { BindSaRequest } from '../app/bind-sa.js';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import { checkObjectName } from '../names.js';
import { MultiNamespaceCommand } from './options.js';

export class BindSaCommand extends MultiNamespaceCommand<BindSaRequest> {
  static override paths = [['bind-sa']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Add pull secrets to ServiceAccounts without dropping any',
    details: `
      \`kubectl patch serviceaccount\` cannot append safely: \`imagePullSecrets\` has no merge key, so a patch replaces the whole list (kubernetes#72475) and drops entries such as the Supervisor's \`<ns>-default-image-pull-secret\`. bind-sa reads each ServiceAccount, appends only the secrets it lacks (keeping order and every existing entry), and writes it back with the \`resourceVersion\` it read, retrying on 409 Conflict. A run that changes nothing writes nothing and prints \`unchanged\`.

      ServiceAccounts default to \`default\`; \`--all-service-accounts\` takes every one in the namespace. A missing ServiceAccount is an error for that one only, unless \`--create\`. A missing secret is an error unless \`--allow-missing-secret\` (on a Supervisor you may bind before you log in). \`--unbind\` removes the named secrets and nothing else. Every namespace is attempted; the exit code is 1 if any failed.

      Dry run: \`--dry-run=client -o yaml\` prints the ServiceAccounts as they would be, with the \`resourceVersion\` they were read at. Applying that with \`kubectl apply -f -\` (or \`kubectl replace -f -\`) therefore fails with a Conflict, instead of dropping an entry, if another writer changed the ServiceAccount in between: run bind-sa again then.
    `,
    examples: [
      ['Bind a secret to the default ServiceAccount', '$0 bind-sa harbor-pull'],
      [
        'Several secrets, every ServiceAccount, every namespace',
        '$0 bind-sa --secret harbor-pull --secret mirror-pull --all-service-accounts -A',
      ],
      ['A dedicated ServiceAccount, created if missing', '$0 bind-sa harbor-pull builder --create -n ci'],
      ['Take it off again', '$0 bind-sa harbor-pull --unbind --namespaces dev,prod'],
    ],
  });

  first = Option.String({ required: false, name: 'SECRET' });
  rest = Option.Rest({ name: 'SA' });
  secret = Option.Array('--secret', {
    description: 'A secret to bind (repeatable); then every argument is a ServiceAccount',
  });
  allServiceAccounts = Option.Boolean('--all-service-accounts', false, {
    description: 'Every ServiceAccount in the namespace',
  });
  create = Option.Boolean('--create', false, { description: 'Create a missing ServiceAccount' });
  allowMissingSecret = Option.Boolean('--allow-missing-secret', false, {
    description: 'Bind even when the secret does not exist (yet)',
  });
  unbind = Option.Boolean('--unbind', false, { description: 'Remove the named secrets instead' });

  protected request(): BindSaRequest {
    const args = this.first === undefined ? this.rest : [this.first, ...this.rest];
    const named = this.secret ?? [];
    const secrets = named.length ? named : args.slice(0, 1);
    const serviceAccounts = named.length ? args : args.slice(1);
    if (secrets.length === 0) throw new UsageError('name the secret to bind: bind-sa SECRET [SA...], or --secret NAME');
    if (this.allServiceAccounts && serviceAccounts.length)
      throw new UsageError('use either ServiceAccount names or --all-service-accounts, not both');
    if (this.unbind && this.create) throw new UsageError('--create makes no sense with --unbind');
    for (const n of secrets) checkObjectName(n, 'secret');
    for (const n of serviceAccounts) checkObjectName(n, 'ServiceAccount');
    return {
      secrets: [...new Set(secrets)],
      serviceAccounts: this.allServiceAccounts
        ? undefined
        : serviceAccounts.length
          ? [...new Set(serviceAccounts)]
          : ['default'],
      namespaces: this.namespaceSelection(),
      create: this.create,
      allowMissingSecret: this.allowMissingSecret,
      unbind: this.unbind,
      parallel: this.parallelism,
      dryRun: this.dryRunValue,
    };
  }

  protected async run(session: Session, request: BindSaRequest): Promise<number> {
    return (await import('../app/bind-sa.js')).bindSa(session, request);
  }
}
