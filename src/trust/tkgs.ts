// TKGS: TkgServiceConfiguration tkg-service-configuration, spec.trust.additionalTrustedCAs
// [{name, data: base64(PEM)}], trusted by the clusters created (or rolled) from now on.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { update } from '../kube/write.js';
import { BASE64 } from './codec.js';
import { namedCas, upsertNamed } from './lists.js';
import { getServed, TANZU_GROUP, type Obj, type Served } from './served.js';
import type { ApplyOptions, Change, Entry, TrustedCa, TrustStore } from './store.js';

const TKGS = {
  plural: 'tkgserviceconfigurations',
  name: 'tkg-service-configuration',
  versions: ['v1alpha3', 'v1alpha2', 'v1alpha1'],
} as const;

export class TkgsStore implements TrustStore {
  readonly label = 'tkgs';

  constructor(private readonly client: KubeClient) {}

  private get(version: string): Promise<Obj> {
    return this.client
      .api(CustomObjectsApi)
      .getClusterCustomObject({ group: TANZU_GROUP, version, plural: TKGS.plural, name: TKGS.name }) as Promise<Obj>;
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

  async list(): Promise<TrustedCa[]> {
    return namedCas((await this.find()).object.spec?.trust?.additionalTrustedCAs, BASE64);
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const { version, object } = await this.find();
    const notes: string[] = [];
    const r = await update<Obj>(this.client, {
      doing: `updating tkgserviceconfiguration/${TKGS.name} (${TANZU_GROUP}/${version})`,
      initial: object,
      read: () => this.get(version),
      modify: (cur) => {
        const list = upsertNamed(
          cur.spec?.trust?.additionalTrustedCAs,
          entries,
          { remove: o.remove, codec: BASE64 },
          notes,
        );
        if (!list) return undefined;
        return {
          ...cur,
          spec: { ...(cur.spec ?? {}), trust: { ...(cur.spec?.trust ?? {}), additionalTrustedCAs: list } },
        };
      },
      write: (body, dryRun) =>
        this.client.api(CustomObjectsApi).replaceClusterCustomObject({
          group: TANZU_GROUP,
          version,
          plural: TKGS.plural,
          name: TKGS.name,
          body,
          dryRun,
          fieldManager: FIELD_MANAGER,
        }) as Promise<Obj>,
      dryRun: o.dryRun,
    });
    return [{ object: r.object, action: r.changed ? 'configured' : 'unchanged', notes }];
  }

  afterChange(o: ApplyOptions): string | undefined {
    return o.remove
      ? undefined
      : 'TkgServiceConfiguration reaches only clusters created (or rolled) from now on; for existing ones run `kubectl harbor push-ca CLUSTER`';
  }
}
