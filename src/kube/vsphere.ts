// Recognising a Supervisor session in a kubeconfig, from either login tool.
//  - `kubectl vsphere login` writes a context named after the Supervisor server, one per
//    vSphere Namespace (named after it, namespace set) and one per TKC
//    (`--tanzu-kubernetes-cluster-name`, named after the cluster, its own server); users
//    `wcp:<server>:<username>`. Password variable: KUBECTL_VSPHERE_PASSWORD.
//  - The VCF CLI (`vcf context create CTX`) writes `CTX` for the Supervisor, `CTX:<ns>`
//    per vSphere Namespace (namespace set, the Supervisor's server), `CTX:<cluster>` per
//    workload cluster (its own server) and, for VCF Automation, `CTX:<ns>:<project>`.
//    Its user entries are not documented, so the session is recognised by those names and
//    servers, whatever the user holds (a token, an exec plugin, a token file); the user
//    name is read from the session token (a JWT's `sub`) when there is one. Password
//    variable: VCF_CLI_VSPHERE_PASSWORD (its store is ~/.config/vcf/config.yaml).
// Both tokens are the vCenter SSO user's, and that user's password is what the embedded
// Harbor accepts.
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';

export type VsphereKind = 'supervisor' | 'namespace' | 'tkc';
export type LoginTool = 'kubectl-vsphere' | 'vcf-cli';

export interface VsphereSession {
  login: LoginTool;
  kind: VsphereKind;
  /** The API server of this context (the Supervisor, or the cluster's). */
  server: string;
  /** The vSphere user, when the kubeconfig says (wcp user name, or the token's `sub`). */
  username: string | undefined;
  /** The Supervisor context for this session (itself for a Supervisor or namespace context), when the kubeconfig has one. */
  supervisorContext: string | undefined;
  supervisorServer: string | undefined;
  /** Where the login tool takes the password from. */
  passwordEnv: string;
}

export const VSPHERE_PASSWORD_ENV = 'KUBECTL_VSPHERE_PASSWORD';
export const VCF_PASSWORD_ENV = 'VCF_CLI_VSPHERE_PASSWORD';

export function parseWcpUser(name: string | undefined): { server: string; username: string } | undefined {
  if (!name?.startsWith('wcp:')) return undefined;
  const rest = name.slice(4);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0 || cut === rest.length - 1) return undefined;
  return { server: rest.slice(0, cut), username: rest.slice(cut + 1) };
}

/** The user a session token names: a JWT's `sub` (or `preferred_username`); undefined for anything else. */
export function tokenUser(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload || token!.split('.').length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const who = claims.preferred_username ?? claims.sub;
    return typeof who === 'string' && who ? who : undefined;
  } catch {
    return undefined;
  }
}

interface Ctx {
  name: string;
  namespace: string | undefined;
  server: string | undefined;
  user: string | undefined;
}

function contexts(kc: KubeConfig): Ctx[] {
  return kc.getContexts().map((c) => ({
    name: c.name,
    namespace: c.namespace,
    server: kc.getCluster(c.cluster)?.server,
    user: c.user,
  }));
}

// --- kubectl vsphere login ---------------------------------------------------------------

interface WcpContext {
  name: string;
  namespace: string | undefined;
  server: string;
  username: string;
}

function wcpContexts(all: Ctx[]): WcpContext[] {
  return all.flatMap((c) => {
    const u = parseWcpUser(c.user);
    return u ? [{ name: c.name, namespace: c.namespace, ...u }] : [];
  });
}

function classify(c: WcpContext, supervisorServers: Set<string>): VsphereKind {
  if (c.name === c.server) return 'supervisor';
  if (supervisorServers.has(c.server)) return 'namespace';
  if (c.namespace && c.name === c.namespace) return 'namespace';
  return 'tkc';
}

function supervisorCandidates(all: WcpContext[], me: WcpContext, supervisorServers: Set<string>): WcpContext[] {
  const byServer = new Map<string, WcpContext>();
  for (const c of all) {
    if (c.username !== me.username || c.server === me.server) continue;
    if (classify(c, supervisorServers) === 'tkc') continue;
    const seen = byServer.get(c.server);
    // Prefer the context named after the server (the Supervisor context itself).
    if (!seen || c.name === c.server) byServer.set(c.server, c);
  }
  return [...byServer.values()];
}

function wcpSession(all: Ctx[], contextName: string): (VsphereSession & { candidates: string[] }) | undefined {
  const wcp = wcpContexts(all);
  const me = wcp.find((c) => c.name === contextName);
  if (!me) return undefined;
  const supervisorServers = new Set(wcp.filter((c) => c.name === c.server).map((c) => c.server));
  const kind = classify(me, supervisorServers);
  const base = {
    login: 'kubectl-vsphere' as const,
    kind,
    server: me.server,
    username: me.username,
    passwordEnv: VSPHERE_PASSWORD_ENV,
  };
  if (kind !== 'tkc') {
    const sup = wcp.find((c) => c.name === me.server && c.server === me.server);
    return { ...base, supervisorContext: sup?.name ?? contextName, supervisorServer: me.server, candidates: [] };
  }
  const candidates = supervisorCandidates(wcp, me, supervisorServers);
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return {
    ...base,
    supervisorContext: only?.name,
    supervisorServer: only?.server,
    candidates: candidates.map((c) => c.name),
  };
}

// --- VCF CLI -----------------------------------------------------------------------------

function vcfSession(kc: KubeConfig, all: Ctx[], contextName: string): VsphereSession | undefined {
  const byName = new Map(all.map((c) => [c.name, c]));
  const cut = contextName.indexOf(':');
  const baseName = cut > 0 ? contextName.slice(0, cut) : contextName;
  const base = byName.get(baseName);
  const me = byName.get(contextName);
  // CTX is a VCF Supervisor context when at least one CTX:<something> sits beside it.
  if (!base?.server || !me?.server || !all.some((c) => c.name.startsWith(`${baseName}:`))) return undefined;
  const rest = cut > 0 ? contextName.slice(cut + 1) : '';
  const kind: VsphereKind = !rest ? 'supervisor' : me.server === base.server ? 'namespace' : 'tkc';
  const token = (name: string | undefined) => (name ? kc.getUser(name)?.token : undefined);
  return {
    login: 'vcf-cli',
    kind,
    server: me.server,
    username: tokenUser(token(me.user)) ?? tokenUser(token(base.user)),
    supervisorContext: baseName,
    supervisorServer: base.server,
    passwordEnv: VCF_PASSWORD_ENV,
  };
}

// ------------------------------------------------------------------------------------------

export function detectVsphere(kc: KubeConfig, contextName: string): VsphereSession | undefined {
  const all = contexts(kc);
  const wcp = wcpSession(all, contextName);
  if (wcp) {
    const { candidates: _, ...session } = wcp;
    return session;
  }
  return vcfSession(kc, all, contextName);
}

/**
 * The Supervisor context that belongs to `contextName`: itself for a Supervisor or
 * namespace context; for a TKC context, the Supervisor context of the same login. Throws
 * a ConfigError naming the candidates, and --supervisor-context, when it cannot tell.
 */
export function supervisorContextFor(kc: KubeConfig, contextName: string): string {
  const all = contexts(kc);
  const wcp = wcpSession(all, contextName);
  const vcf = wcp ? undefined : vcfSession(kc, all, contextName);
  const me = wcp ?? vcf;
  if (!me) {
    throw new ConfigError(
      `context "${contextName}" is not from \`kubectl vsphere login\` or \`vcf context create\`, so its Supervisor is unknown; pass --supervisor-context`,
    );
  }
  if (me.kind !== 'tkc') return contextName;
  if (me.supervisorContext) return me.supervisorContext;
  if (wcp && wcp.candidates.length > 1) {
    throw new ConfigError(
      `context "${contextName}" could belong to several Supervisors (${wcp.candidates.join(', ')}); pass --supervisor-context`,
    );
  }
  throw new ConfigError(
    `context "${contextName}" is a Tanzu Kubernetes cluster, and the kubeconfig has no Supervisor context for user ${me.username}; run \`kubectl vsphere login --server <supervisor> --vsphere-username ${me.username}\` first, or pass --supervisor-context`,
  );
}

/** The vSphere password from the environment: the login tool's own variable first, then the other's. */
export function vspherePassword(env: NodeJS.ProcessEnv, login: LoginTool = 'kubectl-vsphere'): string | undefined {
  const order =
    login === 'vcf-cli' ? [VCF_PASSWORD_ENV, VSPHERE_PASSWORD_ENV] : [VSPHERE_PASSWORD_ENV, VCF_PASSWORD_ENV];
  for (const k of order) if (env[k]) return env[k];
  return undefined;
}

/** How the chosen context authenticates, for `context`: the login tool, else the user entry's shape. */
export function sessionKind(kc: KubeConfig, contextName: string, vsphere: VsphereSession | undefined): string {
  if (vsphere) return vsphere.login;
  const ctx = kc.getContextObject(contextName);
  const u = ctx ? kc.getUser(ctx.user) : undefined;
  if (!u) return 'none';
  if (u.exec) return 'exec-plugin';
  if (u.authProvider) return 'auth-provider';
  if ((u as { tokenFile?: string }).tokenFile) return 'token-file';
  if (u.token) return 'token';
  if (u.certData || u.certFile) return 'client-certificate';
  if (u.username) return 'basic';
  return 'none';
}
