// A TanzuKubernetesCluster's own trust (v1alpha3, v1alpha2):
// spec.settings.network.trust.additionalTrustedCAs [{name, data}], data base64(PEM) or
// base64(base64(PEM)) (codec.ts: both are read, the form in use is kept). The TKC API is
// deprecated since TKG Service 3.2 (VMware blog, 2025-02-24, "vSphere Kubernetes Service:
// retiring TanzuKubernetesCluster (TKC) resources and transitioning to Cluster API"): every
// command on one says so once.
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { customPath } from '../kube/wire.js';
import { update } from '../kube/write.js';
import { codecFor } from './codec.js';
import { namedCas, upsertNamed } from './lists.js';
import { getServed, TANZU_GROUP, type Obj, type Served } from './served.js';
import type { ApplyOptions, Change, Entry, TrustedCa } from './store.js';

export const TKC = { plural: 'tanzukubernetesclusters', versions: ['v1alpha3', 'v1alpha2'] } as const;

export const tkcDeprecation = (cluster: string): string =>
  `${cluster} is a TanzuKubernetesCluster: that API is deprecated since TKG Service 3.2 and will be removed; ` +
  'retire it to a cluster.x-k8s.io Cluster (its trust then lives in the Cluster variables)';

export class Tkc {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly cluster: string,
  ) {}

  private get where(): string {
    return `tanzukubernetescluster/${this.cluster} in namespace "${this.namespace}"`;
  }

  private path(version: string): string {
    return customPath({
      group: TANZU_GROUP,
      version,
      namespace: this.namespace,
      plural: TKC.plural,
      name: this.cluster,
    });
  }

  private get(version: string): Promise<Obj> {
    return this.client.rest<Obj>('GET', this.path(version));
  }

  /** The TKC at the newest version served; undefined when there is none of that name. */
  find(): Promise<Served | undefined> {
    return getServed(this.client, `reading ${this.where}`, TKC.versions, (v) => this.get(v));
  }

  list({ object }: Served, warn: (line: string) => void): TrustedCa[] {
    warn(tkcDeprecation(this.cluster));
    const list = object.spec?.settings?.network?.trust?.additionalTrustedCAs;
    return namedCas(list, codecFor(list));
  }

  async apply({ version, object }: Served, entries: Entry[], o: ApplyOptions): Promise<Change> {
    const notes: string[] = [tkcDeprecation(this.cluster)];
    const r = await update<Obj>(this.client, {
      doing: `updating ${this.where}`,
      initial: object,
      read: () => this.get(version),
      modify: (cur) => {
        const net = cur.spec?.settings?.network ?? {};
        const have = net.trust?.additionalTrustedCAs;
        const list = upsertNamed(have, entries, { remove: o.remove, codec: codecFor(have) }, notes);
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
        this.client.rest<Obj>('PUT', this.path(version), { body, query: { dryRun, fieldManager: FIELD_MANAGER } }),
      dryRun: o.dryRun,
    });
    return { object: r.object, action: r.changed ? 'configured' : 'unchanged', notes: [...new Set(notes)] };
  }
}
