import { Command, Option } from 'clipanion';
import { MultiNamespaceCommand } from './multi.js';

export class LogoutCommand extends MultiNamespaceCommand {
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
  dockerConfig = Option.String('--docker-config', { tolerateBoolean: true, description: 'Also remove the registry from $DOCKER_CONFIG/config.json or ~/.docker/config.json (or =PATH)' });

  protected override outputFormats(): readonly string[] {
    return ['name'];
  }

  async run(): Promise<number> {
    const { logout } = await import('../registry/logout.js');
    return logout(this.io(), {
      ...this.where(),
      registry: this.registry,
      plainHttp: this.plainHttp,
      secretName: this.secretName,
      dockerConfig: this.dockerConfig,
    });
  }
}
