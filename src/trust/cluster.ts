// One cluster's own trust (changing it rolls the cluster's nodes):
//  - a TanzuKubernetesCluster (v1alpha3, v1alpha2): spec.settings.network.trust.additionalTrustedCAs
//    [{name, data: base64(PEM)}];
//  - else a cluster.x-k8s.io/v1beta1 Cluster (ClusterClass): the `trust` variable's
//    additionalTrustedCAs [{name}], and secret <cluster>-user-trusted-ca-secret with
//    data.<name> = base64(base64(PEM)). The secret is written first, then the variable.
import { CoreV1Api, CustomObjectsApi, type V1Secret } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { getOptional, update } from '../kube/write.js';
import { certificatesIn } from '../tls/pem.js';
import { BASE64, DOUBLE_BASE64 } from './codec.js';
import { namedCas, upsertNamed, upsertNames, upsertSecretData } from './lists.js';
import { getServed, TANZU_GROUP, type Obj, type Served } from './served.js';
import type { ApplyOptions, Change, Entry, TrustedCa, TrustStore } from './store.js';

const TKC = { plural: 'tanzukubernetesclusters', versions: ['v1alpha3', 'v1alpha2'] } as const;
const CAPI = { group: 'cluster.x-k8s.io', version: 'v1beta1', plural: 'clusters' } as const;

/** The names in a v1beta1 Cluster's `trust` variable. */
const trustVariable = (cl: Obj): { index: number; cas: Obj[] } => {
  const vars: Obj[] = cl.spec?.topology?.variables ?? [];
  const index = vars.findIndex((v) => v.name === 'trust');
  return { index, cas: index >= 0 ? (vars[index]!.value?.additionalTrustedCAs ?? []) : [] };
};

export class ClusterStore implements TrustStore {
  readonly label: string;
  private readonly secretName: string;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly cluster: string,
  ) {
    this.label = `cluster/${cluster}`;
    this.secretName = `${cluster}-user-trusted-ca-secret`;
  }

  private where(kind: string, name = this.cluster): string {
    return `${kind}/${name} in namespace "${this.namespace}"`;
  }

  private get custom(): CustomObjectsApi {
    return this.client.api(CustomObjectsApi);
  }

  private getTkc(version: string): Promise<Obj> {
    return this.custom.getNamespacedCustomObject({
      group: TANZU_GROUP,
      version,
      namespace: this.namespace,
      plural: TKC.plural,
      name: this.cluster,
    }) as Promise<Obj>;
  }

  private getCluster(): Promise<Obj> {
    return this.custom.getNamespacedCustomObject({
      group: CAPI.group,
      version: CAPI.version,
      namespace: this.namespace,
      plural: CAPI.plural,
      name: this.cluster,
    }) as Promise<Obj>;
  }

  private findTkc(): Promise<Served | undefined> {
    return getServed(this.client, `reading ${this.where('tanzukubernetescluster')}`, TKC.versions, (v) =>
      this.getTkc(v),
    );
  }

  private async findCluster(): Promise<Obj> {
    const cl = await getOptional(this.client, `reading ${this.where('cluster')}`, () => this.getCluster());
    if (!cl)
      throw new CliError(
        'NO_CLUSTER',
        `no TanzuKubernetesCluster or Cluster "${this.cluster}" in namespace "${this.namespace}"`,
      );
    return cl;
  }

  async list(): Promise<TrustedCa[]> {
    const tkc = await this.findTkc();
    if (tkc) return namedCas(tkc.object.spec?.settings?.network?.trust?.additionalTrustedCAs, BASE64);
    const names = trustVariable(await this.findCluster()).cas.flatMap((c) =>
      typeof c.name === 'string' ? [c.name] : [],
    );
    if (names.length === 0) return [];
    const secret = await this.client.call(`reading ${this.where('secret', this.secretName)}`, () =>
      this.client.api(CoreV1Api).readNamespacedSecret({ name: this.secretName, namespace: this.namespace }),
    );
    return names.flatMap((name) =>
      certificatesIn(DOUBLE_BASE64.decode(secret.data?.[name] ?? '')).map((cert) => ({ name, cert })),
    );
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const tkc = await this.findTkc();
    if (tkc) return [await this.applyTkc(tkc, entries, o)];
    const cl = await this.findCluster();
    return [await this.applySecret(entries, o), await this.applyVariable(cl, entries, o)];
  }

  afterChange(o: ApplyOptions): string | undefined {
    return o.dryRun ? undefined : `cluster ${this.cluster} will now roll its nodes to pick up the change`;
  }

  private async applyTkc({ version, object }: Served, entries: Entry[], o: ApplyOptions): Promise<Change> {
    const notes: string[] = [];
    const r = await update<Obj>(this.client, {
      doing: `updating ${this.where('tanzukubernetescluster')}`,
      initial: object,
      read: () => this.getTkc(version),
      modify: (cur) => {
        const net = cur.spec?.settings?.network ?? {};
        const list = upsertNamed(net.trust?.additionalTrustedCAs, entries, { remove: o.remove, codec: BASE64 }, notes);
        if (!list) return undefined;
        return {
          ...cur,
          spec: {
            ...cur.spec,
            settings: {
              ...(cur.spec?.settings ?? {}),
              network: { ...net, trust: { ...(net.trust ?? {}), additionalTrustedCAs: list } },
            },
          },
        };
      },
      write: (body, dryRun) =>
        this.custom.replaceNamespacedCustomObject({
          group: TANZU_GROUP,
          version,
          namespace: this.namespace,
          plural: TKC.plural,
          name: this.cluster,
          body,
          dryRun,
          fieldManager: FIELD_MANAGER,
        }) as Promise<Obj>,
      dryRun: o.dryRun,
    });
    return { object: r.object, action: r.changed ? 'configured' : 'unchanged', notes };
  }

  private async applySecret(entries: Entry[], o: ApplyOptions): Promise<Change> {
    const core = this.client.api(CoreV1Api);
    const { namespace, secretName: name } = this;
    const doing = this.where('secret', name);
    const notes: string[] = [];
    let created = false;
    // A missing secret is read as an empty stand-in (no resourceVersion) and created.
    const standIn: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      type: 'Opaque',
      data: {},
    };
    const r = await update<V1Secret>(this.client, {
      doing: `updating ${doing}`,
      read: async () =>
        (await getOptional(this.client, `updating ${doing}`, () => core.readNamespacedSecret({ name, namespace }))) ??
        structuredClone(standIn),
      modify: (cur) => {
        const data = upsertSecretData(cur.data, entries, { remove: o.remove, codec: DOUBLE_BASE64 }, notes);
        return data ? { ...cur, data } : undefined;
      },
      write: (body, dryRun) => {
        created = !body.metadata?.resourceVersion;
        return created
          ? core.createNamespacedSecret({ namespace, body, dryRun, fieldManager: FIELD_MANAGER })
          : core.replaceNamespacedSecret({ name, namespace, body, dryRun, fieldManager: FIELD_MANAGER });
      },
      dryRun: o.dryRun,
    });
    const action = !r.changed ? 'unchanged' : created || !r.object.metadata?.resourceVersion ? 'created' : 'configured';
    return { object: { apiVersion: 'v1', kind: 'Secret', ...r.object }, action, notes };
  }

  private async applyVariable(cl: Obj, entries: Entry[], o: ApplyOptions): Promise<Change> {
    const r = await update<Obj>(this.client, {
      doing: `updating ${this.where('cluster')}`,
      initial: cl,
      read: () => this.getCluster(),
      modify: (cur) => {
        const { index, cas } = trustVariable(cur);
        const next = upsertNames(cas, entries, o.remove);
        if (!next) return undefined;
        const vars: Obj[] = [...(cur.spec?.topology?.variables ?? [])];
        const trust = {
          name: 'trust',
          value: { ...(index >= 0 ? vars[index]!.value : {}), additionalTrustedCAs: next },
        };
        if (index >= 0) vars[index] = trust;
        else vars.push(trust);
        return { ...cur, spec: { ...cur.spec, topology: { ...(cur.spec?.topology ?? {}), variables: vars } } };
      },
      write: (body, dryRun) =>
        this.custom.replaceNamespacedCustomObject({
          group: CAPI.group,
          version: CAPI.version,
          namespace: this.namespace,
          plural: CAPI.plural,
          name: this.cluster,
          body,
          dryRun,
          fieldManager: FIELD_MANAGER,
        }) as Promise<Obj>,
      dryRun: o.dryRun,
    });
    return { object: r.object, action: r.changed ? 'configured' : 'unchanged', notes: [] };
  }
}
