// The passes of `push-ca --via daemonset` on one cluster: install (every node, no restart),
// the privileged restart pass (only with --allow-restart, one node at a time), and remove.
// Each applies its DaemonSet, waits for the nodes to report, and deletes what it does not
// keep; a PodSecurity refusal deletes the DaemonSet and fails the run with the label to set.
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { applyDaemonSet, deleteDaemonSet, listPods, readDaemonSet } from '../kube/daemonset.js';
import type { ClusterNode } from '../kube/nodes.js';
import { plural } from '../output/report.js';
import {
  BACKUPS,
  CERTS_D,
  CONTAINERD_CONFIG,
  daemonSet,
  daemonSetName,
  type Inputs,
  type Purpose,
  RESTART_WRAPPER,
  runSelector,
  selectorLabels,
} from './push-ca-daemonset-manifest.js';
import type { DsOutcome } from './push-ca-daemonset-results.js';
import { PodSecurityRefused, waitForNodes } from './push-ca-daemonset-wait.js';
import script from './node-trust-ds.sh';
import nodeScript from './node-trust.sh';
import { nodeTrustStdin } from './node-trust.js';
import type { Session } from './session.js';

/** What every pass shares. */
export interface Plan {
  cluster: string;
  client: KubeClient;
  /** The context or secret the client came from, for messages. */
  via: string;
  /** The cluster as the summary shows it, when it is one of several: its lines are tagged with it. */
  label?: string;
  id: string;
  host: string;
  /** File name of the CA in the OS trust store (the restart pass). */
  name: string;
  image: string;
  pullPolicy: 'Never' | 'IfNotPresent';
  pullSecrets: string[];
  /** The CA certificates, PEM; empty for remove. */
  pem: string;
  timeoutMs: number;
  keep: boolean;
  run: string;
}

/** What a manifest needs: no client. */
export type Manifestable = Omit<Plan, 'client' | 'via' | 'label'>;

/** How a cluster's status lines begin: `push-ca`, or `push-ca [tkc-1]` when it is one of several. */
export const tagOf = (label: string | undefined): string => (label ? `push-ca [${label}]` : 'push-ca');

/** A warning about one of several clusters names it. */
const about = (p: Plan, line: string): string => (p.label ? `${p.label}: ${line}` : line);

/** The DaemonSet of one pass. */
export function manifest(p: Manifestable, purpose: Purpose, node?: ClusterNode): ReturnType<typeof daemonSet> {
  const env: Record<string, string> =
    purpose === 'restart'
      ? {
          INPUT: nodeTrustStdin(nodeScript, { name: p.name, host: p.host, restart: 'auto', dryRun: false, pem: p.pem }),
        }
      : {
          MODE: purpose,
          HOST: p.host,
          ...(purpose === 'install' ? { CA: p.pem } : {}),
          CERTS_D,
          CONFIG: CONTAINERD_CONFIG,
          STATE: `${BACKUPS}/daemonset`,
        };
  const i: Inputs = {
    id: p.id,
    purpose,
    host: p.host,
    image: p.image,
    pullPolicy: p.pullPolicy,
    pullSecrets: p.pullSecrets,
    run: p.run,
    env,
    script: purpose === 'restart' ? RESTART_WRAPPER : script,
    ...(node ? { node: node.name } : {}),
  };
  return daemonSet(i);
}

function podSecurityError(p: Plan, e: PodSecurityRefused): CliError {
  return new CliError(
    'POD_SECURITY',
    `namespace kube-system of cluster "${p.cluster}" refuses the DaemonSet's pods (${e.refusal}); nothing was left behind. Allow them with the label pod-security.kubernetes.io/enforce=privileged on kube-system (kubectl label namespace kube-system pod-security.kubernetes.io/enforce=privileged --overwrite), or exempt kube-system in the cluster's PodSecurity admission configuration`,
  );
}

/** Delete a DaemonSet, saying so on failure instead of hiding it. */
async function remove(s: Session, p: Plan, name: string): Promise<void> {
  try {
    await deleteDaemonSet(p.client, name);
  } catch (e) {
    s.printer.warn(
      about(p, `could not delete daemonset/${name} in kube-system: ${e instanceof Error ? e.message : e}`),
    );
  }
}

/** Apply one pass's DaemonSet and wait for `nodes` to report; the DaemonSet is deleted unless `keep`. */
async function pass(s: Session, p: Plan, purpose: Purpose, nodes: ClusterNode[], keep: boolean): Promise<DsOutcome[]> {
  const ds = manifest(p, purpose, purpose === 'restart' ? nodes[0] : undefined);
  const name = ds.metadata!.name!;
  const applied = await applyDaemonSet(p.client, ds);
  for (const w of applied.warnings) s.printer.warn(about(p, w));
  s.printer.status(
    `${tagOf(p.label)}: daemonset/${name} ${applied.action} in kube-system (image ${p.image}); waiting for ${plural(nodes.length, 'node')}`,
  );
  let rows: DsOutcome[];
  try {
    rows = await waitForNodes(s, {
      client: p.client,
      daemonSet: name,
      uid: applied.object.metadata?.uid,
      selector: runSelector(p.id, purpose, p.run),
      nodes,
      deadline: Date.now() + p.timeoutMs,
      label: purpose === 'remove' ? 'push-ca --remove' : 'push-ca',
      quiet: p.label !== undefined,
    });
  } catch (e) {
    await remove(s, p, name);
    throw e instanceof PodSecurityRefused ? podSecurityError(p, e) : e;
  }
  if (!keep) await remove(s, p, name);
  return rows;
}

/** Until a deleted DaemonSet's object and pods are gone (bounded), so the next pass starts clean. */
async function gone(s: Session, p: Plan, purpose: Purpose): Promise<void> {
  const selector = Object.entries(selectorLabels(p.id, purpose))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const until = Date.now() + Math.min(p.timeoutMs, 60_000);
  while (Date.now() < until && !s.signal.aborted) {
    const ds = await readDaemonSet(p.client, daemonSetName(p.id, purpose));
    if (!ds && (await listPods(p.client, selector)).length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Install on every node; with --allow-restart, the needs-restart ones then go through the restart pass. */
export async function install(s: Session, p: Plan, nodes: ClusterNode[], allowRestart: boolean): Promise<DsOutcome[]> {
  const rows = await pass(s, p, 'install', nodes, p.keep);
  if (!allowRestart) return rows;
  for (const [i, row] of rows.entries()) {
    if (row.result !== 'needs-restart' || s.signal.aborted) continue;
    const node = nodes.find((n) => n.name === row.node)!;
    s.printer.status(
      `${tagOf(p.label)}: ${node.name}: containerd has no config_path; OS trust store and containerd restart`,
    );
    rows[i] = (await pass(s, p, 'restart', [node], false))[0]!;
    await gone(s, p, 'restart');
  }
  return rows;
}

/** Take the CA files away again on every node: the install DaemonSet goes first, then the remove pass. */
export async function uninstall(s: Session, p: Plan, nodes: ClusterNode[]): Promise<DsOutcome[]> {
  const name = daemonSetName(p.id, 'install');
  if (await deleteDaemonSet(p.client, name)) {
    s.printer.status(`${tagOf(p.label)}: daemonset/${name} deleted from kube-system`);
    await gone(s, p, 'install');
  }
  return pass(s, p, 'remove', nodes, false);
}
