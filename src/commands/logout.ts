import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from './base.js';

export class LogoutCommand extends BaseCommand {
  static override paths = [['logout']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Remove the pull secrets that login wrote',
    details: `
      Undoes \`login\`: in each namespace, removes this registry from the managed pull secret (deleting the secret when it held no other registry) and takes a deleted secret off every ServiceAccount that lists it. Secrets that kubectl-harbor did not create are not touched. With \`--docker-config\`, also removes the registry from the local docker config.
    `,
    examples: [
      ['Log out of a registry in two namespaces', '$0 logout harbor.example.com --namespaces dev,prod'],
      ['In a vSphere Namespace context, from the embedded Harbor', '$0 logout'],
    ],
  });

  registry = Option.String({ required: false, name: 'REGISTRY' });
  plainHttp = Option.Boolean('--plain-http', false, { description: 'The registry was given as http://' });
  secretName = Option.String('--secret-name', { description: 'Name of the pull secret (default: harbor-<host>[-<port>])' });
  namespaces = Option.String('--namespaces', { description: 'Comma-separated namespaces' });
  all = Option.Boolean('-A,--all-namespaces', false, { description: 'Every namespace except kube-* and vmware-system-*' });
  includeSystem = Option.Boolean('--include-system', false, { description: 'With -A, include kube-* and vmware-system-*' });
  dockerConfig = Option.String('--docker-config', { tolerateBoolean: true, description: 'Also remove the registry from $DOCKER_CONFIG/config.json or ~/.docker/config.json (or =PATH)' });
  dryRun = Option.String('--dry-run', { tolerateBoolean: true, description: 'client or server: show what would change, change nothing' });
  parallel = Option.String('--parallel', '8', { validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 64)]), description: 'Namespaces worked on at once' });

  protected override dryRunMode(): 'client' | 'server' | undefined {
    return this.dryRun === true || this.dryRun === 'client' ? 'client' : this.dryRun === 'server' ? 'server' : undefined;
  }

  protected override outputFormats(): readonly string[] {
    return ['name'];
  }

  async run(): Promise<number> {
    const { logout } = await import('../registry/logout.js');
    return logout(this.io(), {
      registry: this.registry,
      plainHttp: this.plainHttp,
      secretName: this.secretName,
      namespaces: this.namespaces,
      all: this.all,
      includeSystem: this.includeSystem,
      dockerConfig: this.dockerConfig,
      dryRun: this.dryRun,
      parallel: Number(this.parallel),
    });
  }
}
