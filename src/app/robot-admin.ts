// What every robot command shares: the registry (given, else the Harbor of the vSphere
// Namespace), an admin or project-admin credential with login's input rules, checked
// against the registry before anything else, and the pull secrets that hold robots.
import type { KubeClient } from '../kube/client.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import type { RobotMark } from '../kube/dockerconfigjson.js';
import { robotSecrets } from '../kube/pullsecret.js';
import type { VsphereSession } from '../kube/vsphere.js';
import { CliError } from '../errors.js';
import { mapPool } from '../pool.js';
import { resolveCredentials } from '../registry/credentials.js';
import { discoverHarbor } from '../registry/discover.js';
import type { Registry } from '../registry/endpoint.js';
import { HarborApi } from '../registry/harbor.js';
import { type Credentials, type VerifyOptions, verifyLogin } from '../registry/verify.js';
import { tlsSettings } from '../tls/roots.js';
import type { Session } from './session.js';

/** The admin credential as the flags give it. */
export interface AdminInput {
  username: string | undefined;
  password: string | undefined;
  passwordStdin: boolean;
  caFile: string | undefined;
  insecure: boolean;
}

export interface Admin {
  api: HarborApi;
  registry: Registry;
  creds: Credentials;
  o: VerifyOptions;
  /** The token service, for pull checks. */
  realm: string | undefined;
}

const vsphereUser = (v: VsphereSession | undefined) =>
  v?.username ? { username: v.username, login: v.login } : undefined;

/** The registry as given, else discovered in the context's vSphere Namespace. */
export async function registryOf(s: Session, client: KubeClient, given: Registry | undefined, plainHttp: boolean) {
  if (given) return given;
  const found = await discoverHarbor(client, client.target.namespace, plainHttp);
  s.printer.status(`registry: ${found.registry.host} (${found.source})`);
  return found.registry;
}

/** The credential, checked against the registry: a wrong password is one line and nothing else happens. */
export async function adminOf(s: Session, client: KubeClient, registry: Registry, a: AdminInput): Promise<Admin> {
  const p = s.printer;
  const creds = await resolveCredentials({
    username: a.username,
    password: a.password,
    passwordStdin: a.passwordStdin,
    prompter: s.prompter,
    env: s.env,
    session: vsphereUser(client.target.vsphere),
    warn: (l) => p.warn(l),
  });
  if (a.insecure) p.warn(`not verifying the certificate of ${registry.host} (--insecure-skip-tls-verify)`);
  const o = {
    tls: tlsSettings({ caFile: a.caFile, insecure: a.insecure }, s.env),
    timeoutMs: s.timeoutMs,
    log: s.trace,
  };
  const v = await verifyLogin(registry, creds, o);
  if (v.via !== 'bearer')
    throw new CliError(
      'NOT_HARBOR',
      `${registry.host} does not use Harbor's token service; robot accounts need Harbor`,
    );
  p.debug(`credentials for ${creds.username} at ${registry.host} verified`);
  return { api: new HarborApi(registry, creds, o), registry, creds, o, realm: v.realm };
}

export interface Holder {
  namespace: string;
  secret: string;
  robot: RobotMark;
}

/** The pull secrets holding robots in the chosen namespaces (`name`: only secrets of that name). */
export async function robotHolders(
  client: KubeClient,
  sel: NamespaceSelection,
  name: string | undefined,
  parallel: number,
): Promise<{ namespaces: string[]; holders: Holder[] }> {
  const namespaces = await resolveNamespaces(sel, client);
  const found = await mapPool(namespaces, parallel, async (namespace) =>
    (await robotSecrets(client, namespace, name)).map((x) => ({
      namespace,
      secret: x.secret.metadata?.name ?? '',
      robot: x.robot,
    })),
  );
  return { namespaces, holders: found.flat() };
}

/** The one robot the holders name; an error when none or several. */
export function oneRobot(holders: Holder[], namespaces: string[], name: string | undefined): RobotMark {
  const where = namespaces.length === 1 ? `namespace "${namespaces[0]}"` : `${namespaces.length} namespaces`;
  if (holders.length === 0)
    throw new CliError(
      'NO_ROBOT_SECRET',
      `no pull secret${name ? ` named ${name}` : ''} written by \`kubectl harbor robot create\` in ${where}`,
    );
  const robots = new Map(holders.map((h) => [`${h.robot.registry} ${h.robot.id}`, h.robot]));
  if (robots.size > 1)
    throw new CliError(
      'SEVERAL_ROBOTS',
      `the pull secrets in ${where} hold ${robots.size} robots (${[...robots.values()].map((r) => `"${r.name}" at ${r.registry}`).join(', ')}); name the secret or choose the namespaces`,
    );
  return holders[0]!.robot;
}

export const holderList = (hs: Holder[]): string =>
  hs.map((h) => `secret/${h.secret} in namespace "${h.namespace}"`).join(', ');
