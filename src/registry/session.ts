// What login and logout need before they touch anything: which registry, which
// credentials. Without a registry, a `kubectl vsphere login` namespace context names its
// embedded Harbor in <ns>-default-image-pull-secret; the vSphere user and
// KUBECTL_VSPHERE_PASSWORD are then the defaults, as `kubectl vsphere login` uses them.
import { CoreV1Api } from '@kubernetes/client-node';
import { ApiError, CliError, UsageError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { readDockerConfig } from '../kube/pullsecret.js';
import { vspherePassword } from '../kube/vsphere.js';
import { parseRegistry, type Registry } from './endpoint.js';

/** The embedded Harbor of the vSphere Namespace `namespace`, from its default pull secret. */
export async function discoverEmbeddedHarbor(client: KubeClient, namespace: string, plainHttp: boolean): Promise<Registry> {
  const v = client.target.vsphere;
  if (!v || v.kind === 'tkc') {
    throw new UsageError('give the registry (host[:port]); it can only be discovered in a `kubectl vsphere login` Supervisor or vSphere Namespace context');
  }
  const name = `${namespace}-default-image-pull-secret`;
  try {
    const s = await client.call(`reading secret/${name} in namespace "${namespace}" to find the embedded Harbor`, () => client.api(CoreV1Api).readNamespacedSecret({ name, namespace }));
    const hosts = Object.keys(readDockerConfig(s).auths ?? {});
    if (hosts.length === 0) throw new CliError('NO_HARBOR', `secret/${name} in namespace "${namespace}" names no registry; give the registry (host[:port])`);
    return parseRegistry(hosts[0]!, { plainHttp });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      throw new CliError('NO_HARBOR', `namespace "${namespace}" has no ${name}, so it has no embedded Harbor to discover; give the registry (host[:port])`);
    }
    throw e;
  }
}

export interface CredentialSources {
  username?: string | undefined;
  password?: string | undefined;
  passwordStdin: boolean;
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
  env: NodeJS.ProcessEnv;
  session?: { username: string } | undefined;
  ask: (question: string, hidden: boolean) => Promise<string>;
  warn: (line: string) => void;
}

export async function resolveCredentials(s: CredentialSources): Promise<{ username: string; password: string }> {
  if (s.passwordStdin && s.password !== undefined) throw new UsageError('use either --password-stdin or -p/--password, not both');
  let username = s.username ?? s.session?.username;
  if (!username) {
    if (!s.stdinIsTty || s.passwordStdin) throw new UsageError('no username: pass -u/--username');
    username = (await s.ask('Username: ', false)).trim();
    if (!username) throw new UsageError('no username given');
  }
  let password: string | undefined;
  if (s.passwordStdin) {
    const { readSecretFromStdin } = await import('../output/prompt.js');
    password = await readSecretFromStdin(s.stdin as never);
    if (!password) throw new UsageError('--password-stdin: standard input was empty');
  } else if (s.password !== undefined) {
    s.warn('using --password on the command line is insecure: other users of this machine can see it; use --password-stdin');
    password = s.password;
  } else if (s.session && username === s.session.username && vspherePassword(s.env)) {
    password = vspherePassword(s.env);
  } else if (s.stdinIsTty) {
    password = await s.ask(`Password for ${username}: `, true);
  }
  if (!password) {
    throw new UsageError(`no password for ${username}: pipe it with --password-stdin${s.session ? ', or set KUBECTL_VSPHERE_PASSWORD' : ''}`);
  }
  return { username, password };
}
