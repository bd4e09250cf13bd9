// `kubectl harbor login`: resolve the registry and credentials, check them against the
// registry, then write the pull secret in each namespace (in a bounded pool, every
// namespace attempted), bind it to ServiceAccounts, and store it for local clients.
// After authentication, the right to pull is checked per Harbor project (--project,
// --image, or the vSphere Namespace's own project in the embedded Harbor); a robot that
// expires soon is warned about.
import type { DryRun } from '../dryrun.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { authEntry } from '../kube/dockerconfigjson.js';
import { readPullSecret, upsertPullSecret } from '../kube/pullsecret.js';
import { bindServiceAccount } from '../kube/serviceaccounts.js';
import type { VsphereSession } from '../kube/vsphere.js';
import { plural, Report } from '../output/report.js';
import { forEach } from './each.js';
import { resolveCredentials } from '../registry/credentials.js';
import { discoverHarbor } from '../registry/discover.js';
import { defaultSecretName, type Registry } from '../registry/endpoint.js';
import { CliError, UsageError } from '../errors.js';
import { CHECK_REPOSITORY, type Credentials, mayPull, type VerifyOptions, verifyLogin } from '../registry/verify.js';
import { robotExpiryWarning } from './robot-expiry.js';
import { tlsSettings } from '../tls/roots.js';
import type { Session } from './session.js';

export interface LoginRequest {
  /** undefined: the embedded Harbor of the vSphere Namespace. */
  registry: Registry | undefined;
  plainHttp: boolean;
  username: string | undefined;
  password: string | undefined;
  passwordStdin: boolean;
  caFile: string | undefined;
  insecure: boolean;
  skipVerify: boolean;
  secretName: string | undefined;
  namespaces: NamespaceSelection;
  overwrite: boolean;
  bindSa: string[];
  /** true: the default file; a string: that file; undefined: not asked. */
  dockerConfig: string | true | undefined;
  parallel: number;
  dryRun: DryRun;
  /** The repositories whose pull permission is checked (`project/repo`), from --project and --image. */
  pullChecks: string[];
  /** The hosts of --image references, checked against a discovered registry. */
  imageHosts: string[];
  /** Warn when a robot expires within this many days. */
  warnDays: number;
}

async function dockerConfigOf(s: Session, r: LoginRequest) {
  if (r.dockerConfig === undefined) return undefined;
  const m = await import('../local/dockerconfig.js');
  return {
    file: m.dockerConfigFile(r.dockerConfig, s.env, s.homedir),
    check: m.checkDockerConfig,
    storeCredential: m.storeCredential,
  };
}

/** The vSphere user and login tool of the context, when it names the user. */
const vsphereUser = (v: VsphereSession | undefined) =>
  v?.username ? { username: v.username, login: v.login } : undefined;

export async function login(s: Session, r: LoginRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const found = r.registry ? undefined : await discoverHarbor(client, client.target.namespace, r.plainHttp);
  const registry = r.registry ?? found!.registry;
  if (found) p.status(`registry: ${registry.host} (${found.source})`);
  const elsewhere = r.imageHosts.find((h) => h !== registry.host);
  if (elsewhere)
    throw new UsageError(`--image names ${elsewhere}, not the registry being logged in to (${registry.host})`);
  const creds = await resolveCredentials({
    username: r.username,
    password: r.password,
    passwordStdin: r.passwordStdin,
    prompter: s.prompter,
    env: s.env,
    session: vsphereUser(client.target.vsphere),
    warn: (l) => p.warn(l),
  });
  const name = r.secretName ?? defaultSecretName(registry.host);
  // The secret in the context's namespace, read while the registry is checked: each waits on
  // a different server. Awaited by the write (and the robot's expiry) unless the check fails first.
  const early = r.namespaces.kind === 'context' ? readPullSecret(client, name, client.target.namespace) : undefined;
  early?.catch(() => undefined);
  if (r.skipVerify) {
    p.warn(`credentials for ${creds.username} at ${registry.host} were not checked (--skip-verify)`);
  } else {
    const tls = tlsSettings({ caFile: r.caFile, insecure: r.insecure }, s.env);
    if (r.insecure) p.warn(`not verifying the certificate of ${registry.host} (--insecure-skip-tls-verify)`);
    const o = { tls, timeoutMs: s.timeoutMs, log: s.trace };
    const repos = r.pullChecks.length ? r.pullChecks : found ? [`${client.target.namespace}/${CHECK_REPOSITORY}`] : [];
    // The expiry lookup (Harbor's API, else the secret's annotation) runs beside the check: each
    // waits on a different server. Its warning is printed after the check's lines.
    const expiry = robotExpiryWarning(s, {
      client,
      registry,
      creds,
      o,
      secretName: name,
      secret: early,
      warnDays: r.warnDays,
    });
    expiry.catch(() => undefined); // awaited below unless the check fails first
    await checkCredentials(s, registry, creds, o, repos);
    const warning = await expiry;
    if (warning) p.warn(warning);
  }
  const docker = await dockerConfigOf(s, r);
  // Every local precondition before the first cluster write: nothing is left half-done.
  if (docker && !r.dryRun)
    docker.check(docker.file, registry.host, s.env, { store: { username: creds.username, password: creds.password } });
  const namespaces = await resolveNamespaces(r.namespaces, client);
  const entry = authEntry(creds.username, creds.password);
  const report = new Report(p, () => `login: ${plural(namespaces.length, 'namespace')}`);
  await forEach(s, 'login', 'namespaces', namespaces, r.parallel, (namespace) =>
    report.attempt(namespace, async () => {
      const { secret, action } = await upsertPullSecret(client, name, namespace, registry.host, entry, {
        overwrite: r.overwrite,
        dryRun: r.dryRun,
        read: namespace === client.target.namespace ? early : undefined,
      });
      p.result(secret, action);
      for (const sa of r.bindSa) {
        const b = await bindServiceAccount(client, namespace, sa, [name], { dryRun: r.dryRun });
        p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
      }
      return action;
    }),
  );
  if (docker) await storeLocally(s, docker, registry.host, creds, r.dryRun);
  return report.exitCode();
}

/** The credential into the local docker config (or its credential helper), after the cluster writes. */
async function storeLocally(
  s: Session,
  docker: NonNullable<Awaited<ReturnType<typeof dockerConfigOf>>>,
  host: string,
  creds: Credentials,
  dryRun: DryRun,
): Promise<void> {
  const p = s.printer;
  const { file, storeCredential } = docker;
  if (dryRun) {
    p.status(`would store the credential for ${host} in ${file} (dry run)`);
    return;
  }
  const d = await storeCredential(file, host, creds.username, creds.password, s.env);
  p.status(
    d.helper ? `stored the credential for ${host} with docker-credential-${d.helper}` : `${file}: ${host} ${d.action}`,
  );
}

/** Authentication, then the right to pull from each project: a missing one is one line naming the user, project and fix. */
async function checkCredentials(
  s: Session,
  registry: Registry,
  creds: Credentials,
  o: VerifyOptions,
  repos: string[],
): Promise<void> {
  const p = s.printer;
  const v = await verifyLogin(registry, creds, o);
  if (v.via === 'anonymous') {
    p.status(`${registry.host} answers without authentication; credentials for ${creds.username} could not be checked`);
    return;
  }
  p.status(
    `credentials for ${creds.username} at ${registry.host} verified (${v.via === 'bearer' ? 'token' : 'basic'} auth)`,
  );
  if (repos.length === 0) {
    p.status('only authentication was checked; pass --project or --image to check the right to pull');
    return;
  }
  if (v.via !== 'bearer') {
    p.status(`${registry.host} uses Basic auth, which grants no per-project rights; the right to pull was not checked`);
    return;
  }
  for (const repo of repos) {
    const project = repo.split('/')[0]!;
    if (!(await mayPull(registry, creds, v.realm, repo, o)))
      throw new CliError(
        'NO_PULL',
        `"${creds.username}" may not pull from project "${project}" at ${registry.host} (or the project does not exist): add the ${creds.username.includes('$') ? 'robot' : 'user'} to project "${project}" with at least pull (Harbor: Members, role Guest or higher; robots: a pull permission on the project)`,
      );
    p.status(`"${creds.username}" may pull from project "${project}"`);
  }
}
