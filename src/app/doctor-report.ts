// What `doctor` prints: per pod and image, the node kind and each finding with its
// evidence and fix, readable on a terminal; or, with -o json|yaml, the document
// `{pods: [{namespace, name, image, node, nodeKind, findings: [{code, severity, evidence, fix}]}]}`.
import type { Printer } from '../output/printer.js';
import type { Finding, NodeKind } from './doctor-verdict.js';

export interface PodResult {
  namespace: string;
  name: string;
  image: string;
  node: string;
  nodeKind: NodeKind;
  findings: Finding[];
}

const KIND: Record<NodeKind, string> = { 'vsphere-pod': 'vSphere Pod', 'tkc-node': 'TKC node', node: 'node' };

export function reportText(results: readonly PodResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const pod = r.name === '-' ? `a new pod in ${r.namespace}` : `pod ${r.namespace}/${r.name}`;
    const node = r.node ? ` on ${r.node}` : '';
    out.push(`${pod} (${KIND[r.nodeKind]}${node}), image ${r.image}:`);
    if (r.findings.length === 0) out.push('  ok: every probe passes');
    for (const f of r.findings) {
      out.push(`  ${f.severity} ${f.code}: ${f.evidence}`);
      for (const line of f.fix) out.push(`    ${line.startsWith('#') ? line : `fix: ${line}`}`);
    }
  }
  return `${out.join('\n')}\n`;
}

export async function printResults(p: Printer, results: PodResult[]): Promise<void> {
  if (p.structured) {
    await p.document({ pods: results }, () => '');
    return;
  }
  if (results.length === 0) {
    p.status('doctor: no pod fails to pull');
    return;
  }
  p.line(reportText(results).trimEnd());
  const bad = results.filter((r) => r.findings.some((f) => f.severity === 'error')).length;
  const n = results.length;
  const warned = results.filter((r) => r.findings.some((f) => f.severity === 'warning')).length;
  if (bad) p.status(`doctor: ${bad} of ${n} image${n === 1 ? '' : 's'} cannot be pulled`);
  else if (warned) p.status(`doctor: no certain problem; ${warned} of ${n} with warnings (see above)`);
  else p.status('doctor: nothing wrong found');
}
