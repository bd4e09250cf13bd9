import { Command, Option } from 'clipanion';
import type { LoginRequest } from '../app/login.js';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import { checkObjectName } from '../names.js';
import { parseRegistry } from '../registry/endpoint.js';
import { parseDays, pullChecks } from './harbor-options.js';
import { MultiNamespaceCommand, nonEmpty, optionalPath } from './options.js';

export class LoginCommand extends MultiNamespaceCommand<LoginRequest> {
  static override paths = [['login']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Check registry credentials and write them as pull secrets',
    details: `
      Checks the username and password against the registry itself (Harbor's token flow, or Basic auth), then writes a \`kubernetes.io/dockerconfigjson\` pull secret in the chosen namespaces. Replaces \`kubectl create secret docker-registry\`, which never checks the password and fails on a re-run.

      Without REGISTRY, in a \`kubectl vsphere login\` namespace context, the embedded Harbor is found from \`<ns>-default-image-pull-secret\`, the username is the vSphere user and the password comes from \`KUBECTL_VSPHERE_PASSWORD\`.

      With \`--project P\` or \`--image HOST/P/REPO\` (repeatable), the right to pull from each project is checked too (a token for \`repository:P/REPO:pull\`, which must grant \`pull\`); in a vSphere Namespace with its embedded Harbor, the namespace's own project is checked. Otherwise only authentication is checked, and login says so. A robot account that expires within \`--warn-days\` (default 14) is warned about.

      Nothing is lost: an existing secret of the same name keeps its other registries; a secret not created by kubectl-harbor is only changed with \`--overwrite\`; a re-run with the same credentials writes nothing and says \`unchanged\`.

      The password is read from \`--password-stdin\`, then \`KUBECTL_VSPHERE_PASSWORD\` (for the vSphere user), then a hidden prompt on a terminal. It never appears in \`-v\` output or in errors.

      \`--dry-run=client -o yaml\` prints the Secret(s) that would be written, merged with what the cluster already has, ready for \`kubectl apply -f -\`.
    `,
    examples: [
      [
        'Log in with a robot account, from a pipe, in two namespaces',
        'echo "$ROBOT_SECRET" | $0 login harbor.example.com -u "robot$ci" --password-stdin --namespaces dev,prod',
      ],
      [
        'In a vSphere Namespace context: the embedded Harbor, the vSphere user',
        'KUBECTL_VSPHERE_PASSWORD=... $0 login',
      ],
      [
        'Also bind the secret to the default ServiceAccount and store it for docker/skopeo',
        '$0 login harbor.example.com -u alice --password-stdin --bind-sa default --docker-config',
      ],
      ['Preview the Secret as YAML', '$0 login harbor.example.com -u alice --password-stdin --dry-run=client -o yaml'],
    ],
  });

  registry = Option.String({ required: false, name: 'REGISTRY' });
  username = Option.String('-u,--username', {
    description: 'Registry username (robot accounts: robot$name or robot$project+name)',
  });
  password = Option.String('-p,--password', {
    description: 'Password on the command line (visible to other users; prefer --password-stdin)',
  });
  passwordStdin = Option.Boolean('--password-stdin', false, { description: 'Read the password from standard input' });
  caFile = Option.String('--ca-file', { description: "PEM file with the registry's CA, instead of the system roots" });
  insecure = Option.Boolean('--insecure-skip-tls-verify', false, {
    description: "Do not verify the registry's certificate (not recommended)",
  });
  plainHttp = Option.Boolean('--plain-http', false, { description: 'The registry speaks plain HTTP' });
  skipVerify = Option.Boolean('--skip-verify', false, {
    description: 'Do not check the credentials against the registry (offline use)',
  });
  secretName = Option.String('--secret-name', {
    description: 'Name of the pull secret (default: harbor-<host>[-<port>])',
  });
  overwrite = Option.Boolean('--overwrite', false, {
    description: 'Add this registry to a secret of the same name that kubectl-harbor did not create',
  });
  bindSa = Option.Array('--bind-sa', { description: 'Also add the secret to this ServiceAccount (repeatable)' });
  project = Option.Array('--project', {
    description: 'Also check the right to pull from this Harbor project (repeatable)',
  });
  image = Option.Array('--image', {
    description: 'Also check the right to pull this image, HOST/PROJECT/REPO[:TAG] (repeatable)',
  });
  warnDays = Option.String('--warn-days', '14', {
    description: 'Warn when a robot account expires within this many days',
  });
  dockerConfig = Option.String('--docker-config', {
    tolerateBoolean: true,
    description: 'Also store the credential in $DOCKER_CONFIG/config.json or ~/.docker/config.json (or =PATH)',
  });

  protected request(): LoginRequest {
    if (this.passwordStdin && this.password !== undefined)
      throw new UsageError('use either --password-stdin or -p/--password, not both');
    if (this.caFile !== undefined && this.insecure)
      throw new UsageError('use either --ca-file or --insecure-skip-tls-verify, not both');
    const registry =
      this.registry === undefined ? undefined : parseRegistry(this.registry, { plainHttp: this.plainHttp });
    const checks = pullChecks(this.project, this.image, registry);
    return {
      registry,
      pullChecks: checks.repositories,
      imageHosts: checks.imageHosts,
      warnDays: parseDays('--warn-days', this.warnDays, 1, 3650),
      plainHttp: this.plainHttp,
      username: nonEmpty('--username', this.username),
      password: this.password,
      passwordStdin: this.passwordStdin,
      caFile: nonEmpty('--ca-file', this.caFile),
      insecure: this.insecure,
      skipVerify: this.skipVerify,
      secretName: this.secretName === undefined ? undefined : checkObjectName(this.secretName, '--secret-name'),
      namespaces: this.namespaceSelection(),
      overwrite: this.overwrite,
      bindSa: (this.bindSa ?? []).map((n) => checkObjectName(n, '--bind-sa')),
      dockerConfig: optionalPath('--docker-config', this.dockerConfig),
      parallel: this.parallelism,
      dryRun: this.dryRunValue,
    };
  }

  protected async run(session: Session, request: LoginRequest): Promise<number> {
    return (await import('../app/login.js')).login(session, request);
  }
}
