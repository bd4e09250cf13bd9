// `kubectl harbor login`: resolve the registry and credentials, check them against the
// registry, then write the pull secret in each namespace (in a bounded pool, every
// namespace attempted), bind it to ServiceAccounts, and store it for local clients.
import type { CommandIo } from '../commands/base.js';
import { UsageError } from '../errors.js';
import { checkDryRun, wantsDockerConfig } from '../flags.js';
import { resolveNamespaces } from '../kube/namespaces.js';
import { authEntry, upsertPullSecret } from '../kube/pullsecret.js';
import { bindServiceAccount } from '../kube/serviceaccounts.js';
import { mapPool } from '../pool.js';
import { tlsSettings } from '../tls/roots.js';
import { attempt, plural, summarize } from '../output/summary.js';
import { defaultSecretName, parseRegistry, type Registry } from './endpoint.js';
import { discoverEmbeddedHarbor, resolveCredentials } from './session.js';
import { verifyLogin } from './verify.js';

export interface LoginFlags {
  registry: string | undefined;
  username: string | undefined;
  password: string | undefined;
  passwordStdin: boolean;
  caFile: string | undefined;
  insecure: boolean;
  plainHttp: boolean;
  skipVerify: boolean;
  secretName: string | undefined;
  namespaces: string | undefined;
  all: boolean;
  includeSystem: boolean;
  overwrite: boolean;
  bindSa: string[];
  dockerConfig: string | boolean | undefined;
  dryRun: string | boolean | undefined;
  parallel: number;
}


export async function login(io: CommandIo, f: LoginFlags): Promise<number> {
  checkDryRun(f.dryRun);
  if (f.caFile && f.insecure) throw new UsageError('use either --ca-file or --insecure-skip-tls-verify, not both');
  const p = io.printer;
  const explicit: Registry | undefined = f.registry ? parseRegistry(f.registry, { plainHttp: f.plainHttp }) : undefined;
  const client = await io.kube();
  const registry = explicit ?? (await discoverEmbeddedHarbor(client, io.namespace ?? client.target.namespace, f.plainHttp));
  if (!explicit) p.status(`registry: ${registry.host} (the embedded Harbor of namespace "${io.namespace ?? client.target.namespace}")`);
  const session = client.target.vsphere ? { username: client.target.vsphere.username } : undefined;
  const { isTty, ask } = await import('../output/prompt.js');
  const creds = await resolveCredentials({
    username: f.username,
    password: f.password,
    passwordStdin: f.passwordStdin,
    stdin: io.stdin,
    stdinIsTty: isTty(io.stdin),
    env: io.env,
    session,
    ask: (q, hidden) => ask(q, io.stdin as never, io.stderr as never, hidden),
    warn: (l) => p.warn(l),
  });
  if (f.skipVerify) {
    p.warn(`credentials for ${creds.username} at ${registry.host} were not checked (--skip-verify)`);
  } else {
    const tls = tlsSettings({ caFile: f.caFile, insecure: f.insecure }, io.env);
    if (f.insecure) p.warn(`not verifying the certificate of ${registry.host} (--insecure-skip-tls-verify)`);
    const r = await verifyLogin(registry, creds, { tls, timeoutMs: io.timeoutMs, log: io.verbose >= 2 ? (l) => p.debug(l, 2) : undefined });
    p.status(
      r.via === 'anonymous'
        ? `${registry.host} answers without authentication; credentials for ${creds.username} could not be checked`
        : `credentials for ${creds.username} at ${registry.host} verified (${r.via === 'bearer' ? 'token' : 'basic'} auth)`,
    );
  }
  const name = f.secretName ?? defaultSecretName(registry.host);
  const namespaces = await resolveNamespaces({ namespace: io.namespace, namespaces: f.namespaces, all: f.all, includeSystem: f.includeSystem }, client);
  const entry = authEntry(creds.username, creds.password);
  const results = await mapPool(namespaces, f.parallel, (namespace) =>
    attempt(p, namespace, async () => {
      const { secret, action } = await upsertPullSecret(client, name, namespace, registry.host, entry, { overwrite: f.overwrite, dryRun: io.dryRun });
      p.result(secret, action);
      for (const sa of f.bindSa) {
        const b = await bindServiceAccount(client, namespace, sa, [name], { dryRun: io.dryRun });
        p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
      }
      return action;
    }),
  );
  if (wantsDockerConfig(f.dockerConfig)) {
    const { dockerConfigFile, storeCredential } = await import('../local/dockerconfig.js');
    const file = dockerConfigFile(f.dockerConfig, io.env, io.homedir);
    if (io.dryRun) p.status(`would store the credential for ${registry.host} in ${file} (dry run)`);
    else {
      const r = await storeCredential(file, registry.host, creds.username, creds.password, io.env);
      p.status(r.helper ? `stored the credential for ${registry.host} with docker-credential-${r.helper}` : `${file}: ${registry.host} ${r.action}`);
    }
  }
  return summarize(p, `login: ${plural(results.length, 'namespace')}`, results);
}
