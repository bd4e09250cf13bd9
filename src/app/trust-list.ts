// `kubectl harbor trust list`: every trusted CA across the targets, one row each.
import crypto from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import { Report } from '../output/report.js';
import { daysLeft, describe, type CertInfo } from '../tls/ca.js';
import { BUNDLE, servedVersion } from '../tanzu/trust.js';
import type { Session } from './session.js';

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

const certs = (pem: string): CertInfo[] =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].flatMap((m) => {
    try {
      return [describe(new crypto.X509Certificate(m[0]))];
    } catch {
      return [];
    }
  });
const row = (target: string, name: string, c: CertInfo): Row => ({ target, name, subject: c.subject, notAfter: c.notAfter.toISOString(), daysLeft: daysLeft(c), fingerprint: c.fingerprint });
const unb64 = (s: string): string => Buffer.from(s ?? '', 'base64').toString('utf8');

export async function trustList(s: Session, f: TrustListRequest): Promise<number> {
  const p = s.printer;
  const all = !f.supervisor && !f.tkgs && !f.cluster && !f.local;
  const rows: Row[] = [];
  const report = new Report(p, () => 'trust list');
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    await report.precheck(what, fn);
  };
  if (all || f.supervisor || f.tkgs || f.cluster) {
    const sup = await s.supervisor();
    if (all || f.supervisor) {
      await step('supervisor', async () => {
        const cm = await sup.call(`reading configmap/${BUNDLE.name}`, () => sup.api(CoreV1Api).readNamespacedConfigMap({ name: BUNDLE.name, namespace: BUNDLE.namespace }));
        for (const c of certs(cm.data?.[BUNDLE.key] ?? '')) rows.push(row('supervisor', '-', c));
      });
    }
    if (all || f.tkgs) {
      await step('tkgs', async () => {
        const get = (version: string) => sup.api(CustomObjectsApi).getClusterCustomObject({ group: 'run.tanzu.vmware.com', version, plural: 'tkgserviceconfigurations', name: 'tkg-service-configuration' }) as Promise<Record<string, any>>;
        const o = (await sup.call('reading tkgserviceconfiguration/tkg-service-configuration', () => servedVersion('tkgserviceconfigurations', ['v1alpha3', 'v1alpha2', 'v1alpha1'], get))).object as {
          spec?: { trust?: { additionalTrustedCAs?: Array<{ name: string; data: string }> } };
        };
        for (const e of o.spec?.trust?.additionalTrustedCAs ?? []) for (const c of certs(unb64(e.data))) rows.push(row('tkgs', e.name, c));
      });
    }
    if (f.cluster) {
      const name = f.cluster;
      const ns = await s.clusterNamespace();
      const custom = sup.api(CustomObjectsApi);
      await step(`cluster ${name}`, async () => {
        const getTkc = (version: string) => custom.getNamespacedCustomObject({ group: 'run.tanzu.vmware.com', version, namespace: ns, plural: 'tanzukubernetesclusters', name }) as Promise<Record<string, any>>;
        try {
          const tkc = (await sup.call(`reading tanzukubernetescluster/${name}`, () => servedVersion('tanzukubernetesclusters', ['v1alpha3', 'v1alpha2'], getTkc))).object;
          for (const e of tkc.spec?.settings?.network?.trust?.additionalTrustedCAs ?? []) for (const c of certs(unb64(e.data))) rows.push(row(`cluster/${name}`, e.name, c));
          return;
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 404) && !(e instanceof CliError && e.code === 'NOT_SERVED')) throw e;
        }
        // A v1beta1 Cluster: names in the trust variable, data (base64 of the PEM) in <cluster>-user-trusted-ca-secret.
        const cl = (await sup.call(`reading cluster/${name}`, () => custom.getNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta1', namespace: ns, plural: 'clusters', name }))) as Record<string, any>;
        const names: string[] = (cl.spec?.topology?.variables ?? []).find((v: { name: string }) => v.name === 'trust')?.value?.additionalTrustedCAs?.map((x: { name: string }) => x.name) ?? [];
        if (names.length === 0) return;
        const secret = await sup.call(`reading secret/${name}-user-trusted-ca-secret`, () => sup.api(CoreV1Api).readNamespacedSecret({ name: `${name}-user-trusted-ca-secret`, namespace: ns }));
        for (const n of names) for (const c of certs(unb64(unb64(secret.data?.[n] ?? '')))) rows.push(row(`cluster/${name}`, n, c));
      });
    }
  }
  if (all || f.local) {
    const { localTargets, readLocal } = await import('../local/certsd.js');
    for (const t of localTargets(s.homedir, f.containerdDir, process.getuid?.() === 0, s.env)) {
      for (const { host, pem } of readLocal(t)) for (const c of certs(pem)) rows.push(row(`local ${t.kind}`, host, c));
    }
  }
  await p.document({ apiVersion: 'v1', kind: 'List', items: rows }, () => {
    const head: Row = { target: 'TARGET', name: 'NAME', subject: 'SUBJECT', notAfter: 'EXPIRES', daysLeft: 0, fingerprint: 'FINGERPRINT' };
    const cells = (r: Row, h = false): string[] => [r.target, r.name, r.subject, h ? 'EXPIRES' : r.notAfter.slice(0, 10), h ? 'DAYS' : String(r.daysLeft), p.output === 'wide' || h ? r.fingerprint : r.fingerprint.slice(0, 23) + '…'];
    const table = [cells(head, true), ...rows.map((r) => cells(r))];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
  });
  return report.failed ? 1 : 0;
}
