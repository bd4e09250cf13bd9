// The kubeconfigs a Supervisor login leaves behind, for a SupervisorLab: the one
// `kubectl vsphere login` writes and the one the VCF CLI (`vcf context create`) writes.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { User } from './auth.js';
import type { ApiServer } from './server.js';
import type { SupervisorLab } from './supervisor.js';
import type { Obj } from './types.js';
import { vcfConfig } from './vcf.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * What `kubectl vsphere login --server <ip> --vsphere-username <user>
 * [--tanzu-kubernetes-cluster-namespace NS --tanzu-kubernetes-cluster-name C]` leaves
 * behind: a context per Supervisor address, per namespace and per TKC; users
 * wcp:<address>:<user> with bearer tokens.
 */
export function vsphereKubeconfig(lab: Pick<SupervisorLab, 'supervisor' | 'tkcs' | 'namespaces'>, user: User): string {
  const sup = lab.supervisor;
  const supUser = `wcp:${sup.host}:${user.name}`;
  const cluster = (s: ApiServer): Obj => ({
    name: s.host,
    cluster: { server: s.url, 'certificate-authority-data': b64(s.ca.certPem) },
  });
  const clusters = [cluster(sup), ...[...lab.tkcs.values()].map(cluster)];
  const users = [
    { name: supUser, user: { token: user.token } },
    ...[...lab.tkcs.values()].map((t) => ({ name: `wcp:${t.host}:${user.name}`, user: { token: user.token } })),
  ];
  const contexts = [
    { name: sup.host, context: { cluster: sup.host, user: supUser } },
    ...lab.namespaces.map((ns) => ({ name: ns, context: { cluster: sup.host, namespace: ns, user: supUser } })),
    ...[...lab.tkcs].map(([name, t]) => ({ name, context: { cluster: t.host, user: `wcp:${t.host}:${user.name}` } })),
  ];
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': lab.namespaces[0] ?? sup.host,
    preferences: {},
    clusters,
    contexts,
    users,
  });
}

/**
 * What the VCF CLI leaves behind for `user` (`vcf context create lab`, then one per workload cluster):
 * contexts `lab`, `lab:<ns>` for each vSphere Namespace and the Harbor service namespace, `lab:<tkc>` for each
 * TanzuKubernetesCluster; users `lab` and `lab:<tkc>` with bearer tokens; current context `lab:<first namespace>`.
 */
export function vcfKubeconfig(
  lab: Pick<SupervisorLab, 'supervisor' | 'tkcs' | 'namespaces' | 'clusters' | 'harborService'>,
  user: User,
  name = 'lab',
): string {
  const tkcs = lab.clusters.filter((c) => (c.api ?? 'tkc') === 'tkc' && lab.tkcs.has(c.name)).map((c) => c.name);
  return vcfConfig(lab.supervisor, user, {
    name,
    namespaces: [...lab.namespaces, ...(lab.harborService ? [lab.harborService.namespace] : [])],
    workloads: new Map(tkcs.map((c) => [c, lab.tkcs.get(c)!])),
  });
}

/** Write the kubeconfig with mode 0600, as kubectl does. */
export function writeKubeconfig(dir: string, text: string, name = 'config'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/**
 * Cluster API's kubeconfig secret for a workload cluster, in its vSphere Namespace
 * (docs/book/src/developer/core/controllers/cluster.md, "Kubeconfig Secrets"): name
 * `<cluster>-kubeconfig`, key `value`, type `cluster.x-k8s.io/secret`, label
 * `cluster.x-k8s.io/cluster-name`. Its kubeconfig names cluster `<cluster>`, user
 * `<cluster>-admin` and context `<cluster>-admin@<cluster>` as kubeadm's does; the user (a
 * bearer token here, a client certificate on a real cluster) is cluster admin.
 */
export function clusterKubeconfigSecret(cluster: string, namespace: string, tkc: ApiServer, admin: User): Obj {
  const user = `${cluster}-admin`;
  const context = `${user}@${cluster}`;
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: tkc.url, 'certificate-authority-data': b64(tkc.ca.certPem) } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
    users: [{ name: user, user: { token: admin.token } }],
  });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${cluster}-kubeconfig`, namespace, labels: { 'cluster.x-k8s.io/cluster-name': cluster } },
    type: 'cluster.x-k8s.io/secret',
    data: { value: b64(kubeconfig) },
  };
}
