// Recognising a `kubectl vsphere login` session in a kubeconfig.
// That plugin writes:
//  - a context named after the Supervisor server, cluster = server, user `wcp:<server>:<username>`;
//  - a context per vSphere Namespace, named after it, same cluster and user, namespace set;
//  - a context per TKC (`--tanzu-kubernetes-cluster-name`), named after the cluster,
//    whose cluster is the TKC API server and user `wcp:<tkc-server>:<username>`.
// The password it takes from KUBECTL_VSPHERE_PASSWORD is the same SSO password the
// embedded Harbor accepts.
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors.js';

export type VsphereKind = 'supervisor' | 'namespace' | 'tkc';

export interface VsphereSession {
  kind: VsphereKind;
  /** The server named in the user, `wcp:<server>:<username>`. */
  server: string;
  username: string;
  /** The Supervisor context for this session (itself for a Supervisor or namespace context), when the kubeconfig has one. */
  supervisorContext: string | undefined;
  supervisorServer: string | undefined;
}

export const VSPHERE_PASSWORD_ENV = 'KUBECTL_VSPHERE_PASSWORD';

export function parseWcpUser(name: string | undefined): { server: string; username: string } | undefined {
  if (!name?.startsWith('wcp:')) return undefined;
  const rest = name.slice(4);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0 || cut === rest.length - 1) return undefined;
  return { server: rest.slice(0, cut), username: rest.slice(cut + 1) };
}

interface WcpContext {
  name: string;
  namespace: string | undefined;
  server: string;
  username: string;
}

function wcpContexts(kc: KubeConfig): WcpContext[] {
  const out: WcpContext[] = [];
  for (const c of kc.getContexts()) {
    const u = parseWcpUser(c.user);
    if (u) out.push({ name: c.name, namespace: c.namespace, ...u });
  }
  return out;
}

function classify(c: WcpContext, supervisorServers: Set<string>): VsphereKind {
  if (c.name === c.server) return 'supervisor';
  if (supervisorServers.has(c.server)) return 'namespace';
  if (c.namespace && c.name === c.namespace) return 'namespace';
  return 'tkc';
}

export function detectVsphere(kc: KubeConfig, contextName: string): VsphereSession | undefined {
  const all = wcpContexts(kc);
  const me = all.find((c) => c.name === contextName);
  if (!me) return undefined;
  const supervisorServers = new Set(all.filter((c) => c.name === c.server).map((c) => c.server));
  const kind = classify(me, supervisorServers);
  if (kind !== 'tkc') {
    const sup = all.find((c) => c.name === me.server && c.server === me.server);
    return {
      kind,
      server: me.server,
      username: me.username,
      supervisorContext: sup?.name ?? contextName,
      supervisorServer: me.server,
    };
  }
  const candidates = supervisorCandidates(all, me, supervisorServers);
  const only = candidates.length === 1 ? candidates[0] : undefined;
  return {
    kind,
    server: me.server,
    username: me.username,
    supervisorContext: only?.name,
    supervisorServer: only?.server,
  };
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

/**
 * The Supervisor context that belongs to `contextName`: itself for a Supervisor or
 * namespace context; for a TKC context, the one context of the same user on another
 * (Supervisor) server. Throws a ConfigError naming the candidates when it cannot tell.
 */
export function supervisorContextFor(kc: KubeConfig, contextName: string): string {
  const all = wcpContexts(kc);
  const me = all.find((c) => c.name === contextName);
  if (!me) {
    throw new ConfigError(
      `context "${contextName}" is not a \`kubectl vsphere login\` context (its user is not wcp:<server>:<user>)`,
    );
  }
  const supervisorServers = new Set(all.filter((c) => c.name === c.server).map((c) => c.server));
  if (classify(me, supervisorServers) !== 'tkc') return contextName;
  const candidates = supervisorCandidates(all, me, supervisorServers);
  if (candidates.length === 1) return candidates[0]!.name;
  if (candidates.length === 0) {
    throw new ConfigError(
      `context "${contextName}" is a Tanzu Kubernetes cluster, and the kubeconfig has no Supervisor context for user ${me.username}; run \`kubectl vsphere login --server <supervisor> --vsphere-username ${me.username}\` first`,
    );
  }
  throw new ConfigError(
    `context "${contextName}" could belong to several Supervisors (${candidates.map((c) => c.name).join(', ')}); pass --supervisor-context`,
  );
}

export function vspherePassword(env: NodeJS.ProcessEnv): string | undefined {
  const v = env[VSPHERE_PASSWORD_ENV];
  return v ? v : undefined;
}
