// Loading the kubeconfig the way kubectl does, and choosing context and namespace
// before any client is built.
//  - --kubeconfig FILE (must exist), else every file in KUBECONFIG (missing ones
//    skipped, first definition of a name wins), else ~/.kube/config, else the
//    in-cluster service account. Nothing found is an error, never localhost:8080.
//  - --context must name a context that exists; else current-context.
//  - namespace: the flag, else the context's, else "default".
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';
import { readLocalFile } from '../local/readfile.js';
import { detectVsphere, type VsphereSession } from './vsphere.js';

export interface KubeFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export interface Environment {
  env: NodeJS.ProcessEnv;
  homedir: string;
}

export interface KubeTarget {
  kc: KubeConfig;
  /** Files the config was read from (empty for in-cluster). */
  files: string[];
  contextName: string;
  context: Context;
  cluster: Cluster;
  user: User;
  namespace: string;
  namespaceSource: 'flag' | 'context' | 'default';
  vsphere: VsphereSession | undefined;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The kubeconfig files kubectl would read, in order, or [] when none exists. */
export function kubeconfigFiles(flags: KubeFlags, { env, homedir }: Environment): string[] {
  if (flags.kubeconfig !== undefined) {
    if (flags.kubeconfig === '') throw new ConfigError('--kubeconfig needs a file path');
    if (!fs.existsSync(flags.kubeconfig)) throw new ConfigError(`kubeconfig file ${flags.kubeconfig} does not exist`);
    return [flags.kubeconfig];
  }
  if (env.KUBECONFIG) {
    return env.KUBECONFIG.split(path.delimiter).filter((f) => f && fs.existsSync(f));
  }
  const home = path.join(homedir, '.kube', 'config');
  return fs.existsSync(home) ? [home] : [];
}

/**
 * kubectl reads a kubeconfig whole, with no limit. A real one, even with hundreds of contexts
 * and certificates embedded, is well under 1 MiB; 16 MiB leaves room for any of them and
 * still keeps a wrong file (a log, an image, /dev/zero) from filling memory.
 */
export const MAX_KUBECONFIG = 16 << 20;

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  const bytes = readLocalFile(file, {
    what: 'kubeconfig',
    max: MAX_KUBECONFIG,
    whyMax: 'a kubeconfig is at most a few MiB',
    expect: 'pass --kubeconfig (or KUBECONFIG) with a kubeconfig file',
  });
  if (!bytes) throw new ConfigError(`kubeconfig file ${file} does not exist`);
  const text = bytes.toString('utf8');
  if (!text.trim()) return kc; // kubectl reads an empty file as an empty config
  try {
    kc.loadFromString(text);
    kc.makePathsAbsolute(path.dirname(file));
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(`cannot load kubeconfig ${file}: ${why}`);
  }
  return kc;
}

/** Merge like kubectl: the first file to define a name wins, and the first current-context wins. */
export function mergeKubeconfigs(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const kc of configs) {
    for (const c of kc.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users) if (!users.has(u.name)) users.set(u.name, u);
    for (const x of kc.contexts) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (!currentContext && kc.currentContext) currentContext = kc.currentContext;
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext,
  });
  return merged;
}

/** Load every kubeconfig file; no context is chosen yet. */
export function loadKubeconfig(flags: KubeFlags, environment: Environment): { kc: KubeConfig; files: string[] } {
  const files = kubeconfigFiles(flags, environment);
  if (files.length === 0) {
    const { env } = environment;
    if (env.KUBERNETES_SERVICE_HOST && fs.existsSync(IN_CLUSTER_TOKEN)) {
      const kc = new KubeConfig();
      kc.loadFromCluster();
      return { kc, files: [] };
    }
    const where = env.KUBECONFIG
      ? `none of the files in KUBECONFIG (${env.KUBECONFIG}) exists`
      : `${path.join(environment.homedir, '.kube', 'config')} does not exist`;
    throw new ConfigError(`no kubeconfig found: ${where}; pass --kubeconfig, or run \`kubectl vsphere login\` first`);
  }
  const configs = files.map(loadFile);
  return { kc: configs.length === 1 ? configs[0]! : mergeKubeconfigs(configs), files };
}

/** Load, then select and check the context, and resolve the namespace. */
export function resolveTarget(flags: KubeFlags, environment: Environment): KubeTarget {
  const { kc, files } = loadKubeconfig(flags, environment);
  const contextName = flags.context ?? kc.getCurrentContext();
  const names = kc.getContexts().map((c) => c.name);
  if (!contextName) {
    throw new ConfigError(`no current context is set; pass --context (available: ${names.join(', ') || 'none'})`);
  }
  const context = kc.getContextObject(contextName);
  if (!context) {
    throw new ConfigError(
      `context "${contextName}" does not exist in the kubeconfig (available: ${names.join(', ') || 'none'})`,
    );
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster)
    throw new ConfigError(
      `context "${contextName}" names cluster "${context.cluster}", which is not in the kubeconfig`,
    );
  const user = kc.getUser(context.user) ?? { name: context.user };
  let namespace = 'default';
  let namespaceSource: KubeTarget['namespaceSource'] = 'default';
  if (flags.namespace !== undefined) {
    if (!flags.namespace) throw new ConfigError('--namespace needs a name');
    namespace = flags.namespace;
    namespaceSource = 'flag';
  } else if (context.namespace) {
    namespace = context.namespace;
    namespaceSource = 'context';
  }
  return {
    kc,
    files,
    contextName,
    context,
    cluster,
    user,
    namespace,
    namespaceSource,
    vsphere: detectVsphere(kc, contextName),
  };
}

const KEY_FILE_MAX = 1 << 20;

function readCredentialFile(field: string, who: string, file: string): void {
  const fix = `fix ${field} of ${who} in the kubeconfig`;
  const bytes = readLocalFile(file, { what: field, max: KEY_FILE_MAX, whyMax: 'a PEM file is a few KiB', expect: fix });
  if (!bytes) throw new ConfigError(`unable to read ${field} ${file} of ${who}: no such file or directory; ${fix}`);
}

/**
 * What client-node would only find out on the first request, found before any: a server
 * that is not an absolute http(s) URL, plain HTTP without insecure-skip-tls-verify (client-node
 * refuses it), and certificate files that are missing, unreadable or not regular files.
 */
export function checkConnection(t: KubeTarget): void {
  const { server, name } = t.cluster;
  const where = t.files.length ? ` in ${t.files.join(', ')}` : '';
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    /* below */
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || !url.host)
    throw new ConfigError(
      `cluster "${name}" (context "${t.contextName}") has server "${server}", which is not an absolute URL; set it to https://${server.includes('://') ? server.slice(server.indexOf('://') + 3) : server}${where}`,
    );
  if (url.protocol === 'http:' && !t.cluster.skipTLSVerify)
    throw new ConfigError(
      `cluster "${name}" (context "${t.contextName}") has the plain HTTP server ${server}, which is refused unless the cluster sets insecure-skip-tls-verify: true; use https://${url.host}${where}`,
    );
  if (t.cluster.caFile) readCredentialFile('certificate-authority', `cluster "${name}"`, t.cluster.caFile);
  if (t.user.certFile) readCredentialFile('client-certificate', `user "${t.user.name}"`, t.user.certFile);
  if (t.user.keyFile) readCredentialFile('client-key', `user "${t.user.name}"`, t.user.keyFile);
}
