// Where a CA goes on vSphere with Tanzu, each without losing what is there:
//  - the Supervisor: kube-system/image-fetcher-ca-bundle, key ca-bundle (existing
//    certificates stay first, byte for byte; one already present is not added again);
//  - TKGS: TkgServiceConfiguration tkg-service-configuration, spec.trust.additionalTrustedCAs
//    [{name, data: base64(PEM)}] (new clusters only);
//  - one cluster: TanzuKubernetesCluster spec.settings.network.trust.additionalTrustedCAs,
//    or a v1beta1 Cluster's `trust` variable [{name}] plus secret
//    <cluster>-user-trusted-ca-secret with data.<name> = base64(base64(PEM)).
// Every write is a PUT with the resourceVersion read, retried on 409.
import { CoreV1Api, CustomObjectsApi, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { ApiError, CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { readModifyWrite } from '../kube/write.js';
import { appendToBundle, bundleFingerprints, describe, type CertInfo } from '../tls/ca.js';
import crypto from 'node:crypto';

export type TrustAction = 'created' | 'configured' | 'unchanged' | 'deleted';
type Obj = Record<string, any>;

export interface Entry {
  name: string;
  cert: CertInfo;
}

export interface Change {
  object: Obj;
  action: TrustAction;
  notes: string[];
}

export const BUNDLE = { namespace: 'kube-system', name: 'image-fetcher-ca-bundle', key: 'ca-bundle' } as const;
const GROUP = 'run.tanzu.vmware.com';
const TKGS_NAME = 'tkg-service-configuration';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function certOf(pem: string): CertInfo | undefined {
  try {
    return describe(new crypto.X509Certificate(pem));
  } catch {
    return undefined;
  }
}

/** Remove every certificate with one of these fingerprints from a bundle; all other bytes stay. */
export function removeFromBundle(bundle: string, fingerprints: Set<string>): string {
  return bundle.replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----(\r?\n)?/g, (block) => {
    const c = certOf(block.trim());
    return c && fingerprints.has(c.fingerprint) ? '' : block;
  });
}

async function rmw<T extends Obj>(client: KubeClient, doing: string, read: () => Promise<T>, modify: (cur: T) => T | undefined, write: (next: T) => Promise<T>, dryRun: 'client' | 'server' | undefined): Promise<{ object: T; changed: boolean }> {
  if (dryRun === 'client') {
    const cur = await client.call(doing, read);
    const next = modify(structuredClone(cur));
    return next ? { object: next, changed: true } : { object: cur, changed: false };
  }
  const r = await client.call(doing, () => readModifyWrite<T>(read, modify, write));
  return { object: r.object, changed: r.changed };
}

export async function supervisorBundle(client: KubeClient, certs: CertInfo[], o: { remove: boolean; dryRun: 'client' | 'server' | undefined }): Promise<Change> {
  const core = client.api(CoreV1Api);
  const where = `configmap/${BUNDLE.name} in namespace "${BUNDLE.namespace}"`;
  const dry = o.dryRun === 'server' ? 'All' : undefined;
  const notes: string[] = [];
  try {
    const r = await rmw<V1ConfigMap>(
      client,
      `updating ${where}`,
      () => core.readNamespacedConfigMap({ name: BUNDLE.name, namespace: BUNDLE.namespace }),
      (cm) => {
        const bundle = cm.data?.[BUNDLE.key] ?? '';
        const have = bundleFingerprints(bundle);
        let next: string;
        if (o.remove) {
          const gone = new Set(certs.map((c) => c.fingerprint).filter((f) => have.has(f)));
          if (gone.size === 0) return undefined;
          next = removeFromBundle(bundle, gone);
        } else {
          const missing = certs.filter((c) => !have.has(c.fingerprint));
          if (missing.length === 0) return undefined;
          next = missing.reduce((acc, c) => appendToBundle(acc, c.pem), bundle);
        }
        return { ...cm, data: { ...(cm.data ?? {}), [BUNDLE.key]: next } };
      },
      (next) => core.replaceNamespacedConfigMap({ name: BUNDLE.name, namespace: BUNDLE.namespace, body: next, dryRun: dry, fieldManager: FIELD_MANAGER }),
      o.dryRun,
    );
    return { object: { apiVersion: 'v1', kind: 'ConfigMap', ...r.object }, action: r.changed ? 'configured' : 'unchanged', notes };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && /image-fetcher-ca-bundle/.test(e.message)) {
      throw new CliError('NOT_SUPERVISOR', `${where} does not exist: --supervisor needs a vSphere Supervisor context (kubectl vsphere login --server …)`);
    }
    throw e;
  }
}

/** Upsert or remove named {name, data} entries; data is what `encode` makes of the PEM. */
export function upsertNamed(list: Array<{ name?: string; data?: string }> | undefined, entries: Entry[], o: { remove: boolean; encode: (pem: string) => string; decode: (data: string) => string }, notes: string[]): Array<{ name: string; data: string }> | undefined {
  const cur = (list ?? []).map((e) => ({ ...e })) as Array<{ name: string; data: string }>;
  let changed = false;
  for (const { name, cert } of entries) {
    const i = cur.findIndex((e) => e.name === name);
    if (o.remove) {
      const j = i >= 0 ? i : cur.findIndex((e) => certOf(o.decode(e.data ?? ''))?.fingerprint === cert.fingerprint);
      if (j >= 0) {
        cur.splice(j, 1);
        changed = true;
      }
      continue;
    }
    const data = o.encode(cert.pem);
    if (i >= 0) {
      const old = certOf(o.decode(cur[i]!.data ?? ''));
      if (old?.fingerprint === cert.fingerprint) continue;
      notes.push(`replacing the CA named "${name}" (was ${old?.fingerprint ?? 'not a readable certificate'}) with ${cert.fingerprint}`);
      cur[i] = { ...cur[i]!, name, data };
      changed = true;
      continue;
    }
    const same = cur.find((e) => certOf(o.decode(e.data ?? ''))?.fingerprint === cert.fingerprint);
    if (same) {
      notes.push(`this CA is already trusted as "${same.name}"`);
      continue;
    }
    cur.push({ name, data });
    changed = true;
  }
  return changed ? cur : undefined;
}

/** The first of the versions the server serves, by trying them newest first. */
export async function servedVersion(plural: string, versions: string[], get: (v: string) => Promise<Obj>): Promise<{ version: string; object: Obj }> {
  for (const v of versions) {
    try {
      return { version: v, object: await get(v) };
    } catch (e) {
      if ((e as { code?: number }).code === 404 && v !== versions[versions.length - 1]) continue;
      throw e;
    }
  }
  throw new CliError('NOT_SERVED', `${plural}.${GROUP} is not served here`);
}

export async function tkgsTrust(client: KubeClient, entries: Entry[], o: { remove: boolean; dryRun: 'client' | 'server' | undefined }): Promise<Change> {
  const custom = client.api(CustomObjectsApi);
  const notes: string[] = [];
  const get = (version: string) => custom.getClusterCustomObject({ group: GROUP, version, plural: 'tkgserviceconfigurations', name: TKGS_NAME }) as Promise<Obj>;
  let found: { version: string; object: Obj };
  try {
    found = await client.call(`reading tkgserviceconfiguration/${TKGS_NAME}`, () => servedVersion('tkgserviceconfigurations', ['v1alpha3', 'v1alpha2', 'v1alpha1'], get));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new CliError('NOT_SUPERVISOR', `tkgserviceconfiguration/${TKGS_NAME} not found: --tkgs needs a vSphere Supervisor with the TKG Service`);
    throw e;
  }
  const { version } = found;
  let first: Obj | undefined = found.object;
  const r = await rmw<Obj>(
    client,
    `updating tkgserviceconfiguration/${TKGS_NAME} (${GROUP}/${version})`,
    async () => {
      const f = first;
      first = undefined;
      return f ?? get(version);
    },
    (cur) => {
      const list = upsertNamed(cur.spec?.trust?.additionalTrustedCAs, entries, { remove: o.remove, encode: b64, decode: unb64 }, notes);
      if (!list) return undefined;
      return { ...cur, spec: { ...(cur.spec ?? {}), trust: { ...(cur.spec?.trust ?? {}), additionalTrustedCAs: list } } };
    },
    (next) => custom.replaceClusterCustomObject({ group: GROUP, version, plural: 'tkgserviceconfigurations', name: TKGS_NAME, body: next, dryRun: o.dryRun === 'server' ? 'All' : undefined, fieldManager: FIELD_MANAGER }) as Promise<Obj>,
    o.dryRun,
  );
  return { object: r.object, action: r.changed ? 'configured' : 'unchanged', notes };
}

export async function clusterTrust(client: KubeClient, namespace: string, cluster: string, entries: Entry[], o: { remove: boolean; dryRun: 'client' | 'server' | undefined }): Promise<Change[]> {
  const custom = client.api(CustomObjectsApi);
  const dry = o.dryRun === 'server' ? 'All' : undefined;
  const notes: string[] = [];
  const getTkc = (version: string) => custom.getNamespacedCustomObject({ group: GROUP, version, namespace, plural: 'tanzukubernetesclusters', name: cluster }) as Promise<Obj>;
  let tkc: { version: string; object: Obj } | undefined;
  try {
    tkc = await client.call(`reading tanzukubernetescluster/${cluster} in namespace "${namespace}"`, () => servedVersion('tanzukubernetesclusters', ['v1alpha3', 'v1alpha2'], getTkc));
  } catch (e) {
    if (!((e instanceof ApiError && e.status === 404) || (e instanceof CliError && e.code === 'NOT_SERVED'))) throw e;
  }
  if (tkc) {
    const { version } = tkc;
    const r = await rmw<Obj>(
      client,
      `updating tanzukubernetescluster/${cluster} in namespace "${namespace}"`,
      () => getTkc(version),
      (cur) => {
        const net = cur.spec?.settings?.network ?? {};
        const list = upsertNamed(net.trust?.additionalTrustedCAs, entries, { remove: o.remove, encode: b64, decode: unb64 }, notes);
        if (!list) return undefined;
        return { ...cur, spec: { ...cur.spec, settings: { ...(cur.spec?.settings ?? {}), network: { ...net, trust: { ...(net.trust ?? {}), additionalTrustedCAs: list } } } } };
      },
      (next) => custom.replaceNamespacedCustomObject({ group: GROUP, version, namespace, plural: 'tanzukubernetesclusters', name: cluster, body: next, dryRun: dry, fieldManager: FIELD_MANAGER }) as Promise<Obj>,
      o.dryRun,
    );
    return [{ object: r.object, action: r.changed ? 'configured' : 'unchanged', notes }];
  }
  // A v1beta1 Cluster (ClusterClass): the secret first, then the variable that names it.
  const getCluster = () => custom.getNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta1', namespace, plural: 'clusters', name: cluster }) as Promise<Obj>;
  try {
    await client.call(`reading cluster/${cluster} in namespace "${namespace}"`, getCluster);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new CliError('NO_CLUSTER', `no TanzuKubernetesCluster or Cluster "${cluster}" in namespace "${namespace}"`);
    throw e;
  }
  const core = client.api(CoreV1Api);
  const secretName = `${cluster}-user-trusted-ca-secret`;
  const secretNotes: string[] = [];
  let created = false;
  // data.<name> holds base64(PEM); the API's own base64 makes it base64(base64(PEM)) on the wire.
  const readSecret = async (): Promise<V1Secret> => {
    try {
      return await core.readNamespacedSecret({ name: secretName, namespace });
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      return { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace }, type: 'Opaque', data: {} };
    }
  };
  const sec = await rmw<V1Secret>(
    client,
    `updating secret/${secretName} in namespace "${namespace}"`,
    readSecret,
    (cur) => {
      const data = { ...(cur.data ?? {}) };
      let changed = false;
      for (const { name, cert } of entries) {
        const stored = data[name] ? certOf(unb64(unb64(data[name]!))) : undefined;
        if (o.remove) {
          if (name in data) {
            delete data[name];
            changed = true;
          }
        } else if (stored?.fingerprint !== cert.fingerprint) {
          if (stored) secretNotes.push(`replacing the CA named "${name}" (was ${stored.fingerprint}) with ${cert.fingerprint}`);
          data[name] = b64(b64(cert.pem));
          changed = true;
        }
      }
      return changed ? { ...cur, data } : undefined;
    },
    (next) => {
      created = !next.metadata?.resourceVersion;
      return created
        ? core.createNamespacedSecret({ namespace, body: next, dryRun: dry, fieldManager: FIELD_MANAGER })
        : core.replaceNamespacedSecret({ name: secretName, namespace, body: next, dryRun: dry, fieldManager: FIELD_MANAGER });
    },
    o.dryRun,
  );
  const cl = await rmw<Obj>(
    client,
    `updating cluster/${cluster} in namespace "${namespace}"`,
    getCluster,
    (cur) => {
      const vars: Obj[] = [...(cur.spec?.topology?.variables ?? [])];
      const i = vars.findIndex((v) => v.name === 'trust');
      const cas: Obj[] = [...(i >= 0 ? (vars[i]!.value?.additionalTrustedCAs ?? []) : [])];
      let changed = false;
      for (const { name } of entries) {
        const j = cas.findIndex((c) => c.name === name);
        if (o.remove && j >= 0) {
          cas.splice(j, 1);
          changed = true;
        } else if (!o.remove && j < 0) {
          cas.push({ name });
          changed = true;
        }
      }
      if (!changed) return undefined;
      const trust = { name: 'trust', value: { ...(i >= 0 ? vars[i]!.value : {}), additionalTrustedCAs: cas } };
      if (i >= 0) vars[i] = trust;
      else vars.push(trust);
      return { ...cur, spec: { ...cur.spec, topology: { ...(cur.spec?.topology ?? {}), variables: vars } } };
    },
    (next) => custom.replaceNamespacedCustomObject({ group: 'cluster.x-k8s.io', version: 'v1beta1', namespace, plural: 'clusters', name: cluster, body: next, dryRun: dry, fieldManager: FIELD_MANAGER }) as Promise<Obj>,
    o.dryRun,
  );
  return [
    { object: { apiVersion: 'v1', kind: 'Secret', ...sec.object }, action: sec.changed ? (created || !sec.object.metadata?.resourceVersion ? 'created' : 'configured') : 'unchanged', notes: secretNotes },
    { object: cl.object, action: cl.changed ? 'configured' : 'unchanged', notes },
  ];
}

