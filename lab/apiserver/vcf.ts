// A kubeconfig shaped like what the VCF CLI writes (`vcf context create lab --endpoint
// <supervisor>` and `--workload-cluster-name <cluster>`): a context `<ctx>` for the
// Supervisor, `<ctx>:<namespace>` for every namespace the user sees (Supervisor Service
// namespaces included), `<ctx>:<cluster>` for a workload cluster; static bearer tokens.
// The real user and cluster entry names are undocumented; these are not `wcp:…`.
import { stringify } from 'yaml';
import type { User } from './auth.js';
import type { ApiServer } from './server.js';

export interface VcfKubeconfigOptions {
  /** The context name given to `vcf context create`. Default `lab`. */
  name?: string;
  /** Namespaces that get a `<name>:<ns>` context. */
  namespaces: string[];
  /** Workload clusters (name -> its API server) that get a `<name>:<cluster>` context. */
  workloads: Map<string, ApiServer>;
  /** Default `<name>:<first namespace>`. */
  current?: string;
}

export function vcfConfig(supervisor: ApiServer, user: User, o: VcfKubeconfigOptions): string {
  const ctx = o.name ?? 'lab';
  const cluster = (name: string, s: ApiServer) => ({
    name,
    cluster: { server: s.url, 'certificate-authority-data': Buffer.from(s.ca.certPem).toString('base64') },
  });
  const workloads = [...o.workloads].map(([c, s]) => ({ name: `${ctx}:${c}`, server: s }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': o.current ?? (o.namespaces[0] ? `${ctx}:${o.namespaces[0]}` : ctx),
    preferences: {},
    clusters: [cluster(ctx, supervisor), ...workloads.map((w) => cluster(w.name, w.server))],
    contexts: [
      { name: ctx, context: { cluster: ctx, user: ctx } },
      ...o.namespaces.map((ns) => ({ name: `${ctx}:${ns}`, context: { cluster: ctx, namespace: ns, user: ctx } })),
      ...workloads.map((w) => ({ name: w.name, context: { cluster: w.name, user: w.name } })),
    ],
    users: [
      { name: ctx, user: { token: user.token } },
      ...workloads.map((w) => ({ name: w.name, user: { token: user.token } })),
    ],
  });
}
