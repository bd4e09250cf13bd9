// `doctor --from-node`: the TLS handshake from one node of the pod's cluster, through the
// jumpbox (the node session machinery of nodes.ts), against that node's own trust: the
// system bundle containerd (a Go program) reads, and the CA files of the registry's
// directory under /etc/containerd/certs.d (containerd adds them to the system pool).
// Read-only on the node: `openssl s_client -verify_return_error` per trust file, bounded by
// a kill after the request timeout; nothing is written there.
import { CliError } from '../errors.js';
import { shellQuote } from '../ssh/session.js';
import { type Node, onNodes, pickNode } from './nodes.js';
import { caFingerprint, type ProbeContext, probe } from './doctor-probes.js';
import { type Code, type Finding, finding } from './doctor-verdict.js';
import type { Session } from './session.js';

/** $1 host:port, $2 the name or IP to verify (letters, digits, `.-:` only), $3 the limit in tenths of a second. */
export const NODE_TLS_SCRIPT = `addr="$1"; name="$2"; limit="$3"
case "$name" in
  *:*) v="-verify_ip $name" ;;
  *[!0-9.]*) v="-verify_hostname $name -servername $name" ;;
  *) v="-verify_ip $name" ;;
esac
try() {
  echo "@@store $1"
  openssl s_client -connect "$addr" $v -verify_return_error -CAfile "$1" </dev/null 2>&1 &
  pid=$!
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$i" -ge "$limit" ]; then kill "$pid" 2>/dev/null; echo "@@timeout"; break; fi
    sleep 0.1; i=$((i + 1))
  done
  wait "$pid"; echo "@@rc $?"
}
n=0
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
  if [ -f "$f" ]; then try "$f"; n=1; break; fi
done
for f in "/etc/containerd/certs.d/$addr"/*.crt "/etc/containerd/certs.d/$addr"/*.pem; do
  if [ -f "$f" ]; then try "$f"; n=1; fi
done
[ "$n" = 1 ] || echo "@@nostore"
`;

export interface StoreRun {
  store: string;
  out: string;
  timedOut: boolean;
}

export function parseRuns(stdout: string): StoreRun[] {
  return stdout
    .split(/^@@store /m)
    .slice(1)
    .map((part) => {
      const nl = part.indexOf('\n');
      return { store: part.slice(0, nl < 0 ? undefined : nl), out: part, timedOut: /^@@timeout$/m.test(part) };
    });
}

/** OpenSSL's verify codes (x509_vfy.h) as doctor codes. */
const VERIFY: Record<number, Code> = {
  2: 'ca-untrusted',
  18: 'ca-untrusted',
  19: 'ca-untrusted',
  20: 'ca-untrusted',
  21: 'ca-untrusted',
  9: 'cert-expired',
  10: 'cert-expired',
  62: 'name-mismatch',
  64: 'ip-san-missing',
};

const SOCKET: Array<[RegExp, Code]> = [
  [/Connection refused|errno=111/i, 'unreachable'],
  [/No route to host|Network is unreachable|errno=11[03]/i, 'unreachable'],
  [/Name or service not known|nodename nor servname|Temporary failure in name resolution|BIO_lookup/i, 'dns'],
  [/wrong version number|packet length too long|http request/i, 'plain-http'],
];

/** One trust file's verdict: undefined code when the chain verifies. */
export function judge(r: StoreRun): { code: Code | undefined; why: string } {
  if (/Verify return code: 0 \(ok\)/.test(r.out) && /^@@rc 0$/m.test(r.out)) return { code: undefined, why: 'ok' };
  const v = /verify error:num=(\d+):([^\n]*)/.exec(r.out) ?? /Verify return code: (\d+) \(([^)]*)\)/.exec(r.out);
  if (v && v[1] !== '0') return { code: VERIFY[Number(v[1])] ?? 'unknown', why: `verify error ${v[1]} (${v[2]})` };
  if (r.timedOut) return { code: 'timeout', why: 'no TLS handshake in time' };
  for (const [re, code] of SOCKET) {
    const m = re.exec(r.out);
    if (m) return { code, why: m[0] };
  }
  const last = r.out
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('@@'))
    .at(-1);
  return { code: 'unknown', why: last?.trim() ?? 'openssl said nothing' };
}

export interface NodeTls {
  node: string;
  /** false when the node could not be reached or asked: evidence says why. */
  checked: boolean;
  /** undefined: the chain verifies against the node's own trust. */
  code: Code | undefined;
  evidence: string;
}

/** The verdict over every trust file: verified by any; else the failure that got furthest. */
export function verdict(node: string, runs: StoreRun[]): NodeTls {
  const where = `from node ${node} through the jumpbox, against its own trust (${runs.map((r) => r.store).join(', ') || 'no trust file found'})`;
  const judged = runs.map(judge);
  if (runs.length === 0) return { node, checked: true, code: 'unknown', evidence: `${where}: nothing to verify with` };
  if (judged.some((j) => j.code === undefined))
    return { node, checked: true, code: undefined, evidence: `${where}: verified` };
  const best = judged.find((j) => j.code !== 'ca-untrusted') ?? judged[0]!;
  return { node, checked: true, code: best.code, evidence: `${where}: ${best.why}` };
}

const DEFAULT_ACCESS = {
  image: 'photon:3.0',
  pullSecrets: [],
  ttlSeconds: 3600,
  keep: false,
  direct: false,
  acceptNewHostKey: false,
  parallel: 1,
};

/** The handshake from one node (the pod's, else the first worker) per registry, run once each. */
export class NodeTlsProbe {
  private readonly done = new Map<string, Promise<NodeTls>>();

  constructor(
    private readonly s: Session,
    private readonly cluster: string,
    private readonly namespace: string,
  ) {}

  check(podNode: string, registry: string): Promise<NodeTls> {
    const have = this.done.get(registry);
    if (have) return have;
    const got = this.run(podNode, registry);
    this.done.set(registry, got);
    return got;
  }

  private async run(podNode: string, registry: string): Promise<NodeTls> {
    const pick = (nodes: readonly Node[]): Node[] => {
      try {
        return [pickNode(nodes, podNode)];
      } catch {
        return [nodes.find((n) => n.role === 'node') ?? nodes[0]].filter((n): n is Node => !!n);
      }
    };
    const m = /^\[?([A-Za-z0-9.:-]+?)\]?(?::(\d+))?$/.exec(registry);
    if (!m?.[1]) return { node: '-', checked: false, code: undefined, evidence: `"${registry}" is not a host name` };
    const name = m[1];
    const addr = m[2] ? registry : `${registry}:443`;
    const tenths = String(Math.max(10, Math.round((this.s.timeoutMs || 10_000) / 100)));
    const o = { label: 'doctor --from-node', abortInFlight: true, namespace: this.namespace };
    const [r] = await onNodes(this.s, this.cluster, pick, DEFAULT_ACCESS, o, (n) =>
      n.run(`sh -s -- ${shellQuote([addr, name, tenths])}`, NODE_TLS_SCRIPT),
    );
    if (!r) throw new CliError('NO_NODE', `cluster ${this.cluster} has no node to check from`);
    const label = r.node.ip ? `${r.node.name} (${r.node.ip})` : r.node.name;
    if (r.error !== undefined || r.skipped)
      return { node: label, checked: false, code: undefined, evidence: r.error ?? 'interrupted' };
    return verdict(label, parseRuns(r.result.stdout));
  }
}

const TLS_CODES = new Set<Code>(['ca-untrusted', 'ip-san-missing', 'name-mismatch', 'cert-expired', 'plain-http']);

/**
 * The probes with TLS judged from the node: its failure is the finding (certain: the node's
 * own trust); once it verifies there, the credential probes run from this workstation, and a
 * TLS failure seen only here says so instead of blaming the node.
 */
export async function probeFromNode(
  n: Pick<NodeTlsProbe, 'check'>,
  podNode: string,
  c: ProbeContext,
): Promise<Finding[]> {
  const t = await n.check(podNode, c.ref.registry);
  if (!t.checked) {
    const why = `could not check TLS from a node (${t.evidence}); what follows is this workstation's view`;
    return [finding('unknown', why, c.fix, 'warning'), ...(await probe(c))];
  }
  if (t.code) {
    if (t.code === 'ca-untrusted') c.fix.fingerprint = await caFingerprint(c.ref.registry, c.options.timeoutMs);
    return [finding(t.code, t.evidence, { ...c.fix, seenFrom: `node ${t.node}` })];
  }
  const here = await probe(c);
  if (!here[0] || !TLS_CODES.has(here[0].code)) return here;
  const why = `TLS verifies ${t.evidence.replace(/: verified$/, '')}, but not from this workstation (${here[0].evidence}): pass --ca-file to probe the credentials`;
  return [finding('unknown', why, c.fix, 'warning')];
}
