// `kubectl harbor push-ca CLUSTER --via daemonset`: the CA onto every node through the
// cluster's own API. A DaemonSet in kube-system writes containerd's certs.d/<host>/ca.crt
// and hosts.toml on each node (no restart: containerd reads them per pull), reports one
// line per node in its pod's log, and is removed once every node reported (--keep leaves it,
// so nodes added later get the CA too). --remove takes back exactly what it wrote.
import crypto from 'node:crypto';
import { CliError } from '../errors.js';
import { listClusterNodes, type ClusterNode } from '../kube/nodes.js';
import type { Printer } from '../output/printer.js';
import { serialize } from '../output/printer.js';
import { plural, Report } from '../output/report.js';
import { type CaSource, loadCa } from './ca.js';
import { distributedByVks } from './distributed.js';
import { reachCluster } from './push-ca-daemonset-access.js';
import { instanceId, pickImage, SHELL_IMAGES } from './push-ca-daemonset-manifest.js';
import type { DsOutcome } from './push-ca-daemonset-results.js';
import { install, type Manifestable, manifest, type Plan, uninstall } from './push-ca-daemonset-run.js';
import type { Session } from './session.js';

export interface PushCaDaemonSetRequest {
  via: 'daemonset';
  cluster: string;
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
  f: Pick<PushCaDaemonSetRequest, 'image' | 'cluster'>,
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

function printRows(p: Printer, rows: DsOutcome[]): void {
  const wide = p.output === 'wide';
  p.table(
    ['NODE', 'ROLE', 'IP', 'RESULT', 'RESTARTED', 'VERIFIED', ...(wide ? ['CHANGES'] : [])],
    rows.map((r) => [
      r.node,
      r.role,
      r.ip ?? '<none>',
      r.result,
      r.restarted ? 'yes' : 'no',
      r.verified,
      ...(wide ? [r.changes.join(',') || '-'] : []),
    ]),
  );
  for (const r of rows) if (r.error) p.error(`${r.node}: ${r.error}`);
}

/** The command that finishes the needs-restart nodes, as the user would type it. */
function restartCommand(s: Session, f: PushCaDaemonSetRequest, fingerprint: string | undefined): string {
  const g = s.global;
  const src = f.source?.caFile
    ? `--ca-file ${f.source.caFile}`
    : `--from-registry ${f.source?.fromRegistry ?? f.host}${fingerprint ? ` --fingerprint ${fingerprint}` : ''}`;
  return [
    `kubectl harbor push-ca ${f.cluster} --via daemonset ${src} --registry ${f.host}`,
    ...(g.context ? [`--context ${g.context}`] : []),
    ...(g.namespace ? [`-n ${g.namespace}`] : []),
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

async function finish(s: Session, f: PushCaDaemonSetRequest, rows: DsOutcome[], fp: string[]): Promise<number> {
  const p = s.printer;
  if (p.structured)
    await p.document({ cluster: f.cluster, registry: f.host, via: 'daemonset', ca: fp, nodes: rows }, () => '');
  else printRows(p, rows);
  const report = new Report(p, (o) => `push-ca${f.remove ? ' --remove' : ''}: ${plural(o.length, 'node')}`);
  for (const r of rows) report.add(r.error ? { target: r.node, error: r.error } : { target: r.node, action: r.result });
  const needs = rows.filter((r) => r.result === 'needs-restart');
  if (needs.length)
    p.status(
      `push-ca: containerd on ${needs.map((r) => r.node).join(', ')} has no config_path, so it reads no certs.d: the CA takes effect there only through the OS trust store and a containerd restart. Run: ${restartCommand(s, f, fp[0])}`,
    );
  if (f.keep && !f.remove)
    p.status(
      `push-ca: daemonset/kubectl-harbor-ca-${instanceId(f.name)} stays in kube-system (--keep): nodes added later get the CA while it stays; take it away with push-ca ${f.cluster} --via daemonset --registry ${f.host} --remove`,
    );
  const code = report.exitCode();
  return needs.length ? 1 : code;
}

export async function pushCaDaemonSet(s: Session, f: PushCaDaemonSetRequest): Promise<number> {
  const certs = f.source ? (await loadCa(s, f.source)).certs : [];
  if (certs.length && !f.evenIfDistributed) {
    // Only a Supervisor says so; a kubeconfig with the cluster's context alone cannot tell.
    const distributed = await distributedByVks(s, certs).catch((e) => {
      if (e instanceof CliError) return undefined;
      throw e;
    });
    if (distributed) {
      s.printer.status(`push-ca: ${distributed}; the nodes were not contacted`);
      return 0;
    }
  }
  const base = {
    cluster: f.cluster,
    id: instanceId(f.name),
    host: f.host,
    name: f.name,
    pullSecrets: f.pullSecrets,
    pem: certs.map((c) => c.pem.trimEnd()).join('\n'),
    timeoutMs: f.timeoutMs,
    keep: f.keep,
    run: `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`,
  };
  if (f.dryRun && f.image) {
    return printDryRun(s.printer, { ...base, image: f.image, pullPolicy: 'IfNotPresent' }, f.remove);
  }
  const access = await reachCluster(s, f.cluster);
  try {
    s.printer.status(`push-ca: cluster "${f.cluster}" reached through ${access.via}`);
    const nodes = await listClusterNodes(access.client);
    if (nodes.length === 0) throw new CliError('NO_NODES', `cluster "${f.cluster}" has no nodes`);
    const plan: Plan = { ...base, client: access.client, via: access.via, ...chooseImage(f, nodes) };
    if (f.dryRun) return printDryRun(s.printer, plan, f.remove);
    const leftBehind = `daemonset/kubectl-harbor-ca-${base.id}* may be left in kube-system: kubectl harbor push-ca ${f.cluster} --via daemonset --registry ${f.host} --remove`;
    const rows = await s.cancellable(
      () => (f.remove ? uninstall(s, plan, nodes) : install(s, plan, nodes, f.allowRestart)),
      leftBehind,
    );
    return finish(
      s,
      f,
      rows,
      certs.map((c) => c.fingerprint),
    );
  } finally {
    access.close();
  }
}
