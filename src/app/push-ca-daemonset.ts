// `kubectl harbor push-ca CLUSTER --via daemonset`: the CA onto every node through the
// cluster's own API. A DaemonSet in kube-system writes containerd's certs.d/<host>/ca.crt
// and hosts.toml on each node (no restart: containerd reads them per pull), reports one
// line per node in its pod's log, and is removed once every node reported (--keep leaves it,
// so nodes added later get the CA too). --remove takes back exactly what it wrote.
import crypto from 'node:crypto';
import { CliError } from '../errors.js';
import { listClusterNodes, type ClusterNode } from '../kube/nodes.js';
import type { Printer } from '../output/printer.js';
import type { CertInfo } from '../tls/pem.js';
import { serialize } from '../output/printer.js';
import { plural, Report } from '../output/report.js';
import { type CaSource, loadCa } from './ca.js';
import { distributedByVks } from './distributed.js';
import { printRows as printNodeRows } from './push-ca.js';
import { type ClusterAccess, reachCluster } from './push-ca-daemonset-access.js';
import { instanceId, pickImage, SHELL_IMAGES } from './push-ca-daemonset-manifest.js';
import type { DsOutcome } from './push-ca-daemonset-results.js';
import { install, type Manifestable, manifest, type Plan, tagOf, uninstall } from './push-ca-daemonset-run.js';
import type { Session } from './session.js';
import { type ClusterChoice, resolveClusters, singleCluster } from './clusters.js';

export interface PushCaDaemonSetRequest {
  via: 'daemonset';
  clusters: ClusterChoice;
  /** Undefined with --remove (no CA is needed to take one away). */
  source: CaSource | undefined;
  host: string;
  name: string;
  /** --image; undefined: an image every node holds. */
  image: string | undefined;
  pullSecrets: string[];
  keep: boolean;
  remove: boolean;
  allowRestart: boolean;
  timeoutMs: number;
  evenIfDistributed: boolean;
  dryRun: boolean;
}

/** The image: --image (IfNotPresent), else a known shell image every node holds (Never); else one clear error. */
export function chooseImage(
  f: { image: string | undefined; cluster: string },
  nodes: readonly ClusterNode[],
): { image: string; pullPolicy: 'Never' | 'IfNotPresent' } {
  if (f.image) return { image: f.image, pullPolicy: 'IfNotPresent' };
  const image = pickImage(nodes);
  if (image) return { image, pullPolicy: 'Never' };
  throw new CliError(
    'NO_IMAGE',
    `no image with a shell is on every node of cluster "${f.cluster}" (Node status.images has none of ${SHELL_IMAGES.join(', ')}), and nodes cannot pull from a registry they do not trust yet: pass --image REF from a registry the nodes already trust, or use --via jumpbox`,
  );
}

/** push-ca's node table; every error line names its node (and cluster). */
export function printRows(p: Printer, rows: DsOutcome[], clusters?: string[]): void {
  printNodeRows(p, rows, clusters, (r, i) => `${clusters ? `${clusters[i]}: ` : ''}${r.node}: ${r.error}`);
}

/** One cluster's work: its name; when it is one of several, its vSphere Namespace and its label. */
export interface Where {
  cluster: string;
  /** One of several clusters: the namespace its secret is read from and its commands name (`-n`). */
  namespace?: string;
  /** The cluster as the summary shows it, when it is one of several: its lines are tagged with it. */
  label?: string;
}

/** What every cluster's plan shares: the CA, the run id, the options. */
export type Base = Omit<Manifestable, 'cluster' | 'image' | 'pullPolicy'>;

/** `tkc-1`, or `tkc-1 -n dev` when it is one of several: how commands name the cluster. */
const named = (w: Where): string => `${w.cluster}${w.namespace ? ` -n ${w.namespace}` : ''}`;

/** The command that finishes the needs-restart nodes, as the user would type it. */
function restartCommand(s: Session, f: PushCaDaemonSetRequest, w: Where, fingerprint: string | undefined): string {
  const g = s.global;
  const src = f.source?.caFile
    ? `--ca-file ${f.source.caFile}`
    : `--from-registry ${f.source?.fromRegistry ?? f.host}${fingerprint ? ` --fingerprint ${fingerprint}` : ''}`;
  const namespace = w.namespace ?? g.namespace;
  return [
    `kubectl harbor push-ca ${w.cluster} --via daemonset ${src} --registry ${f.host}`,
    ...(g.context ? [`--context ${g.context}`] : []),
    ...(namespace ? [`-n ${namespace}`] : []),
    ...(f.image ? [`--image ${f.image}`] : []),
    '--allow-restart',
  ].join(' ');
}

async function printDryRun(p: Printer, plan: Manifestable, remove: boolean): Promise<number> {
  const ds = manifest(plan, remove ? 'remove' : 'install');
  const yaml = await serialize(ds, 'yaml');
  await p.document(ds, () => yaml);
  p.status('push-ca: dry run: nothing was applied (the DaemonSet above is what `kubectl apply -f -` would create)');
  return 0;
}

/** The closing advice of one cluster: the needs-restart nodes and the command that finishes them, the kept DaemonSet. */
export function advise(s: Session, f: PushCaDaemonSetRequest, w: Where, rows: DsOutcome[], fp: string[]): boolean {
  const p = s.printer;
  const needs = rows.filter((r) => r.result === 'needs-restart');
  if (needs.length)
    p.status(
      `${tagOf(w.label)}: containerd on ${needs.map((r) => r.node).join(', ')} has no config_path, so it reads no certs.d: the CA takes effect there only through the OS trust store and a containerd restart. Run: ${restartCommand(s, f, w, fp[0])}`,
    );
  if (f.keep && !f.remove)
    p.status(
      `${tagOf(w.label)}: daemonset/kubectl-harbor-ca-${instanceId(f.name)} stays in kube-system (--keep): nodes added later get the CA while it stays; take it away with push-ca ${named(w)} --via daemonset --registry ${f.host} --remove`,
    );
  return needs.length > 0;
}

async function finish(
  s: Session,
  f: PushCaDaemonSetRequest,
  w: Where,
  rows: DsOutcome[],
  fp: string[],
): Promise<number> {
  const p = s.printer;
  if (p.structured)
    await p.document({ cluster: w.cluster, registry: f.host, via: 'daemonset', ca: fp, nodes: rows }, () => '');
  else printRows(p, rows);
  const report = new Report(p, (o) => `push-ca${f.remove ? ' --remove' : ''}: ${plural(o.length, 'node')}`);
  for (const r of rows) report.add(r.error ? { target: r.node, error: r.error } : { target: r.node, action: r.result });
  const needs = advise(s, f, w, rows, fp);
  const code = report.exitCode();
  return needs ? 1 : code;
}

/** The CA (none for --remove), or undefined when VKS already distributes it (said). */
async function certsFor(s: Session, f: PushCaDaemonSetRequest): Promise<CertInfo[] | undefined> {
  const certs = f.source ? (await loadCa(s, f.source)).certs : [];
  if (certs.length && !f.evenIfDistributed) {
    // Only a Supervisor says so; a kubeconfig with the cluster's context alone cannot tell.
    const distributed = await distributedByVks(s, certs).catch((e) => {
      if (e instanceof CliError) return undefined;
      throw e;
    });
    if (distributed) {
      s.printer.status(`push-ca: ${distributed}; the nodes were not contacted`);
      return undefined;
    }
  }
  return certs;
}

/** One cluster reached: its API, its nodes and the plan for them (the caller closes `access`). */
export async function planFor(
  s: Session,
  f: PushCaDaemonSetRequest,
  w: Where,
  base: Base,
): Promise<{ access: ClusterAccess; plan: Plan; nodes: ClusterNode[] }> {
  const access = await reachCluster(s, w.cluster, w.namespace);
  try {
    s.printer.status(`${tagOf(w.label)}: cluster "${w.cluster}" reached through ${access.via}`);
    const nodes = await listClusterNodes(access.client);
    if (nodes.length === 0) throw new CliError('NO_NODES', `cluster "${w.cluster}" has no nodes`);
    const image = chooseImage({ image: f.image, cluster: w.cluster }, nodes);
    return {
      access,
      nodes,
      plan: {
        ...base,
        cluster: w.cluster,
        client: access.client,
        via: access.via,
        ...(w.label ? { label: w.label } : {}),
        ...image,
      },
    };
  } catch (e) {
    access.close();
    throw e;
  }
}

/** Install or remove on one cluster's nodes, saying on a second Ctrl-C what may be left behind. */
export function runPlan(
  s: Session,
  f: PushCaDaemonSetRequest,
  w: Where,
  plan: Plan,
  nodes: ClusterNode[],
): Promise<DsOutcome[]> {
  const leftBehind = `daemonset/kubectl-harbor-ca-${plan.id}* may be left in kube-system: kubectl harbor push-ca ${named(w)} --via daemonset --registry ${f.host} --remove`;
  return s.cancellable(
    () => (f.remove ? uninstall(s, plan, nodes) : install(s, plan, nodes, f.allowRestart)),
    leftBehind,
  );
}

export async function pushCaDaemonSet(s: Session, f: PushCaDaemonSetRequest): Promise<number> {
  const cluster = singleCluster(f.clusters);
  // Several clusters are found before the CA is shown: finding none is the first thing to say.
  const several = cluster === undefined ? await resolveClusters(s, f.clusters, { nodes: [] }) : undefined;
  const certs = await certsFor(s, f);
  if (!certs) return 0;
  const base: Base = {
    id: instanceId(f.name),
    host: f.host,
    name: f.name,
    pullSecrets: f.pullSecrets,
    pem: certs.map((c) => c.pem.trimEnd()).join('\n'),
    timeoutMs: f.timeoutMs,
    keep: f.keep,
    run: `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`,
  };
  const fp = certs.map((c) => c.fingerprint);
  if (several) return (await import('./push-ca-daemonset-clusters.js')).dsClusters(s, f, several, base, fp);
  const w: Where = { cluster: cluster! };
  if (f.dryRun && f.image) {
    return printDryRun(
      s.printer,
      { ...base, cluster: w.cluster, image: f.image, pullPolicy: 'IfNotPresent' },
      f.remove,
    );
  }
  const { access, plan, nodes } = await planFor(s, f, w, base);
  try {
    if (f.dryRun) return printDryRun(s.printer, plan, f.remove);
    return finish(s, f, w, await runPlan(s, f, w, plan, nodes), fp);
  } finally {
    access.close();
  }
}
