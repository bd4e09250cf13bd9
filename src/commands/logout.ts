import { Command, Option } from 'clipanion';
import type { LogoutRequest } from '../app/logout.js';
import type { Session } from '../app/session.js';
import { checkObjectName } from '../names.js';
import type { OutputFormat } from '../output/printer.js';
import { parseRegistry } from '../registry/endpoint.js';
import { MultiNamespaceCommand, optionalPath } from './options.js';

export class LogoutCommand extends MultiNamespaceCommand<LogoutRequest> {
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
  secretName = Option.String('--secret-name', {
    description: 'Name of the pull secret (default: harbor-<host>[-<port>])',
  });
  dockerConfig = Option.String('--docker-config', {
    tolerateBoolean: true,
    description: 'Also remove the registry from $DOCKER_CONFIG/config.json or ~/.docker/config.json (or =PATH)',
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['name'];
  }

  protected request(): LogoutRequest {
    return {
      registry: this.registry === undefined ? undefined : parseRegistry(this.registry, { plainHttp: this.plainHttp }),
      plainHttp: this.plainHttp,
      secretName: this.secretName === undefined ? undefined : checkObjectName(this.secretName, '--secret-name'),
      namespaces: this.namespaceSelection(),
      dockerConfig: optionalPath('--docker-config', this.dockerConfig),
      parallel: this.parallelism,
      dryRun: this.dryRunValue,
    };
  }

  protected async run(session: Session, request: LogoutRequest): Promise<number> {
    return (await import('../app/logout.js')).logout(session, request);
  }
}
