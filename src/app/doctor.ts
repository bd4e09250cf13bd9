// `kubectl harbor doctor [POD] [-n NS | -A] [--image REF]`: why a pod cannot pull, and the
// command that fixes it. Reads the evidence (doctor-evidence.ts), picks the credential the
// runtime would present (doctor-creds.ts), probes the registry as the node would with the
// trust of its kind (doctor-probes.ts: the Supervisor's image-fetcher-ca-bundle for a
// vSphere Pod; the system roots or --ca-file for a TKC node, or with --from-node a
// handshake from one of its nodes against the node's own trust, doctor-node.ts), and prints
// the findings (doctor-report.ts). It only reads (with --from-node the jumpbox pod is made
// for the check and removed, as push-ca does). Exit 0 when nothing is wrong, 1 when a
// problem was found.
import { CliError } from '../errors.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import type { TlsSettings } from '../net/http.js';
import { tlsSettings } from '../tls/roots.js';
import { SupervisorStore } from '../trust/supervisor.js';
import { clusterNamespaceOf } from './doctor-cluster.js';
import { chooseCredentials } from './doctor-creds.js';
import {
  failingPods,
  imageOnly,
  type NamespaceEvidence,
  type PodEvidence,
  podEvidence,
  readNamespace,
} from './doctor-evidence.js';
import { latestByImage } from './doctor-events.js';
import { parseImage, projectOf } from './doctor-match.js';
import { NodeTlsProbe, probeFromNode } from './doctor-node.js';
import { type ProbeContext, probe } from './doctor-probes.js';
import { printResults, type PodResult } from './doctor-report.js';
import { exitCodeOf, type Finding, type FixContext, finding, type NodeKind } from './doctor-verdict.js';
import type { Session } from './session.js';

export interface DoctorRequest {
  pod: string | undefined;
  namespaces: NamespaceSelection;
  image: string | undefined;
  caFile: string | undefined;
  /** The cluster push-ca fixes name (default: the TKC context's). */
  cluster: string | undefined;
  /** TLS checked by a handshake from one node of the pod's cluster, against its own trust. */
  fromNode: boolean;
}

interface Trust {
  tls: TlsSettings;
  from: string;
  certain: boolean;
}

async function trustFor(s: Session, kind: NodeKind, r: DoctorRequest): Promise<Trust> {
  const local = (): Trust => ({
    tls: tlsSettings({ caFile: r.caFile }, s.env),
    from: r.caFile ? `--ca-file ${r.caFile}` : "this workstation's system roots (a TKC node's own store may differ)",
    certain: kind !== 'tkc-node' || r.caFile !== undefined,
  });
  if (kind !== 'vsphere-pod') return local();
  try {
    const certs = await new SupervisorStore(await s.supervisor()).list((line) => s.printer.warn(line));
    const n = certs.length;
    return {
      tls: { ca: certs.map((c) => c.cert.pem), rejectUnauthorized: true },
      from: `the Supervisor's kube-system/image-fetcher-ca-bundle (${n} certificate${n === 1 ? '' : 's'})`,
      certain: true,
    };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    s.printer.warn(`cannot read the Supervisor's image-fetcher-ca-bundle (${e.message}); checking TLS locally`);
    const from = r.caFile ? `--ca-file ${r.caFile}` : "this workstation's system roots";
    return { ...local(), from: `${from}, not the Supervisor's bundle (unreadable to you)`, certain: false };
  }
}

function nodeKindOf(kind: string | undefined): NodeKind {
  if (kind === 'tkc') return 'tkc-node';
  return kind === 'namespace' || kind === 'supervisor' ? 'vsphere-pod' : 'node';
}

interface Scope {
  s: Session;
  r: DoctorRequest;
  kind: NodeKind;
  trust: Trust;
  cluster: string | undefined;
  clusterNamespace: string | undefined;
  node: NodeTlsProbe | undefined;
}

async function diagnose(x: Scope, pod: PodEvidence, ns: NamespaceEvidence, image: string): Promise<PodResult> {
  const result = { namespace: pod.namespace, name: pod.name, image, node: pod.node, nodeKind: x.kind };
  const ref = parseImage(image);
  const fix: FixContext = {
    registry: ref?.registry ?? '',
    project: ref ? projectOf(ref.repository) : '',
    namespace: pod.namespace,
    serviceAccount: pod.serviceAccount,
    pod: pod.name === '-' ? undefined : pod.name,
    nodeKind: x.kind,
    cluster: x.cluster,
    clusterNamespace: x.clusterNamespace,
    podSecrets: pod.pullSecretsFrom === 'pod' ? pod.pullSecrets : undefined,
    podOwned: pod.owned,
  };
  if (!ref) return { ...result, findings: [finding('unknown', `"${image}" is not an image reference`, fix)] };
  const c: ProbeContext = {
    ref,
    choice: chooseCredentials(pod, ns, ref),
    options: { tls: x.trust.tls, timeoutMs: x.s.timeoutMs, log: x.s.trace },
    trustFrom: x.trust.from,
    trustCertain: x.trust.certain,
    fix,
  };
  const findings = x.node ? await probeFromNode(x.node, pod.node, c) : await probe(c);
  return { ...result, findings: withEvents(pod, image, findings, fix) };
}

/** The node's own words beside the probes: added to a finding, or a finding of their own when the probes pass. */
function withEvents(pod: PodEvidence, image: string, findings: Finding[], fix: FixContext): Finding[] {
  const e = latestByImage(pod.events).get(image);
  if (!e) {
    if (findings.length || !pod.waiting.has(image)) return findings;
    const why = `the container waits in ${pod.waiting.get(image)}, yet every probe passes from this workstation`;
    return [finding('unknown', why, fix, 'warning')];
  }
  // A warning (the node's trust unread) is certain when the node's own words say the same.
  if (findings.length)
    return findings.map((f) => ({
      ...f,
      severity: f.severity === 'warning' && e.hint === f.code ? 'error' : f.severity,
      evidence: `${f.evidence}; the node reported: ${e.cause}`,
    }));
  if (e.backOff) {
    const why = `only "${e.cause}" events; every probe passes from this workstation: the next retry may succeed`;
    return [finding('unknown', why, fix, 'warning')];
  }
  const why = `the node reported: ${e.cause}; every probe passes from this workstation (the node's network or trust differs, or the cause was fixed since: recreate the pod)`;
  return [finding((e.hint as Finding['code'] | undefined) ?? 'unknown', why, fix)];
}

/** --from-node applies to a TKC node whose cluster the Supervisor knows; else one line says why not. */
function nodeProbe(s: Session, kind: NodeKind, cluster?: string, namespace?: string): NodeTlsProbe | undefined {
  if (kind === 'vsphere-pod') {
    s.printer.warn(
      "--from-node does not apply to a vSphere Pod (no node to log in to): TLS is checked against the Supervisor's image-fetcher-ca-bundle",
    );
    return undefined;
  }
  if (kind === 'tkc-node' && cluster && namespace) return new NodeTlsProbe(s, cluster, namespace);
  const why = kind === 'tkc-node' ? `the Supervisor has no cluster "${cluster}" you can read` : 'not a TKC context';
  s.printer.warn(`--from-node needs a TKC context (${why}): TLS is checked from this workstation`);
  return undefined;
}

export async function doctor(s: Session, r: DoctorRequest): Promise<number> {
  const client = await s.kube();
  const kind = nodeKindOf(client.target.vsphere?.kind);
  const tkcName = kind === 'tkc-node' ? client.target.contextName.split(':').at(-1) : undefined;
  const cluster = r.cluster ?? tkcName;
  const clusterNamespace =
    kind === 'tkc-node' && cluster && client.target.vsphere?.kind === 'tkc'
      ? await clusterNamespaceOf(s, cluster)
      : undefined;
  const node = r.fromNode ? nodeProbe(s, kind, cluster, clusterNamespace) : undefined;
  const x: Scope = { s, r, kind, trust: await trustFor(s, kind, r), cluster, clusterNamespace, node };
  s.printer.debug(`node kind: ${kind}; TLS checked against ${x.trust.from}`);
  const results: PodResult[] = [];
  for (const namespace of await resolveNamespaces(r.namespaces, client)) {
    const ns = await readNamespace(client, namespace, r.pod);
    const pods = r.pod ? ns.pods.map((p) => podEvidence(p, ns)) : r.image ? [imageOnly(r.image, ns)] : failingPods(ns);
    for (const pod of pods)
      for (const image of r.image ? [r.image] : pod.images) results.push(await diagnose(x, pod, ns, image));
  }
  await printResults(s.printer, results);
  return exitCodeOf(results.flatMap((x) => x.findings));
}
