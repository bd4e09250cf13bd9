// `kubectl harbor trust list`: every trusted CA across the trust stores, one row each.
import { Report } from '../output/report.js';
import { daysLeft } from '../tls/ca.js';
import type { TrustedCa } from '../trust/store.js';
import type { Session } from './session.js';
import { trustStores } from './trust-stores.js';

export interface TrustListRequest {
  supervisor: boolean;
  tkgs: boolean;
  cluster: string | undefined;
  local: boolean;
  containerdDir: string | undefined;
}

interface Row {
  target: string;
  name: string;
  subject: string;
  notAfter: string;
  daysLeft: number;
  fingerprint: string;
}

const HEAD = ['TARGET', 'NAME', 'SUBJECT', 'EXPIRES', 'DAYS', 'FINGERPRINT'];

const row = (target: string, { name, cert }: TrustedCa): Row => ({
  target,
  name,
  subject: cert.subject,
  notAfter: cert.notAfter.toISOString(),
  daysLeft: daysLeft(cert),
  fingerprint: cert.fingerprint,
});

/** A row as text: the date only, and the fingerprint shortened unless wide. */
const cells = (r: Row, wide: boolean): string[] => [
  r.target,
  r.name,
  r.subject,
  r.notAfter.slice(0, 10),
  String(r.daysLeft),
  wide ? r.fingerprint : r.fingerprint.slice(0, 23) + '…',
];

export async function trustList(s: Session, f: TrustListRequest): Promise<number> {
  const p = s.printer;
  // No store named: all of them (a cluster only when named).
  const all = !f.supervisor && !f.tkgs && !f.cluster && !f.local;
  const stores = await trustStores(s, all ? { ...f, supervisor: true, tkgs: true, local: true } : f);
  const rows: Row[] = [];
  const report = new Report(p, () => 'trust list');
  for (const store of stores) {
    await report.precheck(store.label, async () => {
      for (const ca of await store.list((l) => p.warn(l))) rows.push(row(store.label, ca));
    });
  }
  if (p.structured) await p.document({ apiVersion: 'v1', kind: 'List', items: rows }, () => '');
  else if (rows.length === 0) p.status('no trusted CAs found');
  else
    p.table(
      HEAD,
      rows.map((r) => cells(r, p.output === 'wide')),
    );
  return report.failed ? 1 : 0;
}
