// `kubectl harbor push-ca`: the CA onto every chosen node of a running cluster, over the
// jumpbox tunnel, concurrently, idempotently, one control-plane node at a time.
import script from '../tanzu/node-trust.sh';
import { type CaSource, loadCa } from './ca.js';
import { onNodes, selectNodes, type NodeAccess, type NodePick } from './nodes.js';
import type { Session } from './session.js';

export interface PushCaRequest {
  cluster: string;
  access: NodeAccess;
  source: CaSource;
  /** host[:port] the nodes pull from. */
  host: string;
  /** File name of the CA on the nodes (checked). */
  name: string;
  pick: NodePick;
  restart: 'auto' | 'always' | 'never';
  dryRun: boolean;
}

export interface NodeOutcome {
  node: string;
  role: string;
  ip: string | null;
  result: 'installed' | 'unchanged' | 'would-install' | 'failed';
  restarted: boolean;
  verified: 'yes' | 'no' | 'unknown';
  changes: string[];
  error?: string;
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function pushCa(s: Session, f: PushCaRequest): Promise<number> {
  const { cluster, host, name } = f;
  const p = s.printer;
  const { certs } = await loadCa(s, f.source);
  const pem = certs.map((c) => c.pem.trimEnd()).join('\n');
  const input = [`NAME=${sq(name)}`, `HOST=${sq(host)}`, `RESTART=${sq(f.restart)}`, `DRY=${f.dryRun ? 1 : 0}`, `CA=${sq(pem)}`, script].join('\n');
  // One control-plane node at a time: a restart there must not take two API servers down together.
  let controlPlane: Promise<unknown> = Promise.resolve();
  const results = await onNodes(s, cluster, selectNodes(f.pick), f.access, async (n) => {
    const go = () => n.run('sudo -n -- sh -s', input);
    let r: Awaited<ReturnType<typeof go>>;
    if (n.node.role === 'controlplane') {
      const mine = controlPlane.then(go);
      controlPlane = mine.catch(() => undefined);
      r = await mine;
    } else r = await go();
    return r;
  });
  const rows: NodeOutcome[] = results.map((r) => {
    const base = { node: r.node.name, role: r.node.role, ip: r.node.ip ?? null };
    if (r.error) return { ...base, result: 'failed', restarted: false, verified: 'unknown', changes: [], error: r.error };
    const out = r.result!;
    const last = /^RESULT (\S+) (\S+) (\S+) (\S+)$/m.exec(out.stdout);
    if (out.code !== 0 || !last) {
      const why = /sudo: a (terminal|password) is required|sudo:.*password/.test(out.stderr) ? 'sudo was denied (vmware-system-user needs passwordless sudo)' : (out.stderr.trim().split('\n').pop() ?? `exit ${out.code}`);
      return { ...base, result: 'failed', restarted: false, verified: 'unknown', changes: [], error: `${r.node.name}: ${why}` };
    }
    return { ...base, result: last[1] as NodeOutcome['result'], restarted: last[2] === 'yes', verified: last[3] as NodeOutcome['verified'], changes: last[4] === 'none' ? [] : last[4]!.split(',') };
  });
  if (p.structured) {
    await p.document({ cluster, registry: host, ca: certs.map((c) => c.fingerprint), nodes: rows }, () => '');
  } else {
    const head = ['NODE', 'ROLE', 'IP', 'RESULT', 'RESTARTED', 'VERIFIED', ...(p.output === 'wide' ? ['CHANGES'] : [])];
    const table = [head, ...rows.map((r) => [r.node, r.role, r.ip ?? '<none>', r.result, r.restarted ? 'yes' : 'no', r.verified, ...(p.output === 'wide' ? [r.changes.join(',') || '-'] : [])])];
    const w = head.map((_, i) => Math.max(...table.map((t) => t[i]!.length)) + 3);
    p.line(table.map((t) => t.map((c, i) => (i < t.length - 1 ? c.padEnd(w[i]!) : c)).join('')).join('\n'));
    for (const r of rows) if (r.error) p.error(r.error);
  }
  const failed = rows.filter((r) => r.result === 'failed').length;
  p.status(`push-ca: ${rows.length} nodes: ${['installed', 'would-install', 'unchanged', 'failed'].map((k) => [k, rows.filter((r) => r.result === k).length] as const).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return failed ? 1 : 0;
}
