// TKGS: TkgServiceConfiguration tkg-service-configuration, spec.trust.additionalTrustedCAs
// [{name, data}] (data base64(PEM), or base64(base64(PEM)): codec.ts reads both and keeps the
// form in use), trusted by the TanzuKubernetesClusters created (or rolled) from now on. It does
// not apply to cluster.x-k8s.io Clusters (vSphere 8 "Configuring the TKG Service",
// GUID-EC2A5489…: "It does not apply to Clusters provisioned with the v1beta1 API"; v1beta2
// Clusters are ClusterClass-based too; /tmp/research/vks-facts.md §8): every command says so.
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { customPath } from '../kube/wire.js';
import { update } from '../kube/write.js';
import { codecFor } from './codec.js';
import { namedCas, upsertNamed } from './lists.js';
import { getServed, TANZU_GROUP, type Obj, type Served } from './served.js';
import type { ApplyOptions, Change, Entry, TrustedCa, TrustStore } from './store.js';

const TKGS = {
  plural: 'tkgserviceconfigurations',
  name: 'tkg-service-configuration',
  versions: ['v1alpha3', 'v1alpha2', 'v1alpha1'],
} as const;

export const TKGS_SCOPE =
  'TkgServiceConfiguration reaches TanzuKubernetesClusters only, never cluster.x-k8s.io v1beta1/v1beta2 Clusters: ' +
  'for those use `kubectl harbor trust --cluster NAME`';

export class TkgsStore implements TrustStore {
  readonly label = 'tkgs';

  constructor(private readonly client: KubeClient) {}

  /** Cluster-scoped: no namespaces segment. */
  private path(version: string): string {
    return customPath({ group: TANZU_GROUP, version, plural: TKGS.plural, name: TKGS.name });
  }

  private get(version: string): Promise<Obj> {
    return this.client.rest<Obj>('GET', this.path(version));
  }

  private async find(): Promise<Served> {
    const found = await getServed(this.client, `reading tkgserviceconfiguration/${TKGS.name}`, TKGS.versions, (v) =>
      this.get(v),
    );
    if (!found)
      throw new CliError(
        'NOT_SUPERVISOR',
        `tkgserviceconfiguration/${TKGS.name} not found: --tkgs needs a vSphere Supervisor with the TKG Service`,
      );
    return found;
  }

  async list(warn: (line: string) => void = () => undefined): Promise<TrustedCa[]> {
    const list = (await this.find()).object.spec?.trust?.additionalTrustedCAs;
    const cas = namedCas(list, codecFor(list));
    if (cas.length) warn(TKGS_SCOPE);
    return cas;
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const { version, object } = await this.find();
    const notes: string[] = o.remove ? [] : [TKGS_SCOPE];
    const r = await update<Obj>(this.client, {
      doing: `updating tkgserviceconfiguration/${TKGS.name} (${TANZU_GROUP}/${version})`,
      initial: object,
      read: () => this.get(version),
      modify: (cur) => {
        const have = cur.spec?.trust?.additionalTrustedCAs;
        const list = upsertNamed(have, entries, { remove: o.remove, codec: codecFor(have) }, notes);
        if (!list) return undefined;
        return {
          ...cur,
          spec: { ...(cur.spec ?? {}), trust: { ...(cur.spec?.trust ?? {}), additionalTrustedCAs: list } },
        };
      },
      write: (body, dryRun) =>
        this.client.rest<Obj>('PUT', this.path(version), { body, query: { dryRun, fieldManager: FIELD_MANAGER } }),
      dryRun: o.dryRun,
    });
    return [{ object: r.object, action: r.changed ? 'configured' : 'unchanged', notes: [...new Set(notes)] }];
  }

  afterChange(o: ApplyOptions): string | undefined {
    return o.remove
      ? undefined
      : 'TkgServiceConfiguration reaches only clusters created (or rolled) from now on; for existing ones run `kubectl harbor push-ca CLUSTER`';
  }
}
