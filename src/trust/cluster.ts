// One cluster's own trust (changing it rolls the cluster's nodes): a TanzuKubernetesCluster
// (tkc.ts), else a cluster.x-k8s.io Cluster (capi.ts, capi-plan.ts) read at the newest
// version served, whose ClusterClass says which variable takes the CA. A new key of secret
// <cluster>-user-trusted-ca-secret is written before the variable names it; on removal the
// variable goes first, then the key.
import type { V1Secret } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { corePath, customPath, typedSecret } from '../kube/wire.js';
import { getOptional, update } from '../kube/write.js';
import {
  CAPI_GROUP,
  CAPI_VERSIONS,
  classOf,
  classVariables,
  itemsOf,
  trustForm,
  type TrustForm,
  unknownClassMessage,
  VARIABLE,
  withItems,
} from './capi.js';
import { applyToData, applyToItems, type Plan, planTrust, refsOf, type SecretData, secretsNamed } from './capi-plan.js';
import { getServed, type Obj, type Served } from './served.js';
import type { ApplyOptions, Change, Entry, TrustedCa, TrustStore } from './store.js';
import { Tkc } from './tkc.js';

export class ClusterStore implements TrustStore {
  readonly label: string;
  private readonly secretName: string;
  private readonly tkc: Tkc;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly cluster: string,
  ) {
    this.label = `cluster/${cluster}`;
    this.secretName = `${cluster}-user-trusted-ca-secret`;
    this.tkc = new Tkc(client, namespace, cluster);
  }

  private where(kind: string, name = this.cluster, namespace = this.namespace): string {
    return `${kind}/${name} in namespace "${namespace}"`;
  }

  private capiPath(version: string, plural: string, name: string, namespace = this.namespace): string {
    return customPath({ group: CAPI_GROUP, version, namespace, plural, name });
  }

  private getCapi(version: string, plural: string, name: string, namespace = this.namespace): Promise<Obj> {
    return this.client.rest<Obj>('GET', this.capiPath(version, plural, name, namespace));
  }

  private async findCluster(): Promise<Served> {
    const found = await getServed(this.client, `reading ${this.where('cluster')}`, CAPI_VERSIONS, (v) =>
      this.getCapi(v, 'clusters', this.cluster),
    );
    if (!found)
      throw new CliError(
        'NO_CLUSTER',
        `no TanzuKubernetesCluster or Cluster "${this.cluster}" in namespace "${this.namespace}"`,
      );
    return found;
  }

  /** The form the Cluster's class takes; a class that is missing or knows no trust variable is refused. */
  private async formOf({ version, object }: Served): Promise<TrustForm> {
    const ref = classOf(object);
    if (!ref)
      throw new CliError(
        'UNKNOWN_CLASS',
        `cluster ${this.cluster} has no spec.topology class: it takes no trust variable`,
      );
    const doing = `reading ${this.where('clusterclass', ref.name, ref.namespace)} (the class of cluster ${this.cluster})`;
    const cc = await getOptional(this.client, doing, () =>
      this.getCapi(version, 'clusterclasses', ref.name, ref.namespace),
    );
    if (!cc)
      throw new CliError(
        'UNKNOWN_CLASS',
        `ClusterClass ${ref.namespace}/${ref.name} of cluster ${this.cluster} not found: its variables say how the cluster takes a CA`,
      );
    const form = trustForm(classVariables(cc));
    if (!form) throw new CliError('UNKNOWN_CLASS', unknownClassMessage(this.cluster, ref));
    return form;
  }

  private readSecret(name: string): Promise<V1Secret | undefined> {
    return getOptional(this.client, `reading ${this.where('secret', name)}`, () =>
      this.client.rest<V1Secret>('GET', corePath(this.namespace, 'secrets', name)),
    );
  }

  private async secrets(items: Obj[]): Promise<Map<string, SecretData | undefined>> {
    const out = new Map<string, SecretData | undefined>();
    for (const name of secretsNamed(items, this.secretName)) out.set(name, (await this.readSecret(name))?.data);
    return out;
  }

  async list(warn: (line: string) => void = () => undefined): Promise<TrustedCa[]> {
    const tkc = await this.tkc.find();
    if (tkc) return this.tkc.list(tkc, warn);
    const { object } = await this.findCluster();
    const items = [...itemsOf(object, 'trust'), ...itemsOf(object, 'osConfiguration')];
    const secrets = await this.secrets(items);
    for (const [name, data] of secrets)
      if (!data) warn(`${this.where('secret', name)}, named by cluster ${this.cluster}'s trust, does not exist`);
    return refsOf(items, this.secretName, secrets).flatMap((r) => r.certs.map((cert) => ({ name: r.name, cert })));
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const tkc = await this.tkc.find();
    if (tkc) return [await this.tkc.apply(tkc, entries, o)];
    const served = await this.findCluster();
    const form = await this.formOf(served);
    const items = itemsOf(served.object, VARIABLE[form]);
    const secrets = await this.secrets(items);
    if (form !== 'content' && !secrets.has(this.secretName))
      secrets.set(this.secretName, (await this.readSecret(this.secretName))?.data);
    const data = secrets.get(this.secretName) ?? {};
    const plan = planTrust(refsOf(items, this.secretName, secrets), data, entries, {
      form,
      remove: o.remove,
      cluster: this.cluster,
      secret: this.secretName,
    });
    if (form === 'content') return [await this.applyVariable(served, form, plan, o)];
    if (o.remove) return [await this.applyVariable(served, form, plan, o), await this.applySecret(plan, o)];
    return [await this.applySecret(plan, o), await this.applyVariable(served, form, plan, o)];
  }

  afterChange(o: ApplyOptions): string | undefined {
    return o.dryRun ? undefined : `cluster ${this.cluster} will now roll its nodes to pick up the change`;
  }

  private async applySecret(plan: Plan, o: ApplyOptions): Promise<Change> {
    const { namespace, secretName: name } = this;
    const doing = this.where('secret', name);
    const base = corePath(namespace, 'secrets');
    const path = corePath(namespace, 'secrets', name);
    let created = false;
    // What -o json|yaml prints is the typed client's shape of what the server returned; a stand-in
    // (the secret does not exist) that no write replaced is printed as it was built.
    let standIn = false;
    // A missing secret is read as an empty stand-in (no resourceVersion) and created.
    const empty: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      type: 'Opaque',
      data: {},
    };
    const r = await update<V1Secret>(this.client, {
      doing: `updating ${doing}`,
      read: async () => {
        const cur = await getOptional(this.client, `updating ${doing}`, () => this.client.rest<V1Secret>('GET', path));
        standIn = !cur;
        return cur ?? structuredClone(empty);
      },
      modify: (cur) => {
        const data = applyToData(cur.data, plan);
        return data ? { ...cur, data } : undefined;
      },
      write: async (body, dryRun) => {
        created = !body.metadata?.resourceVersion;
        const query = { dryRun, fieldManager: FIELD_MANAGER };
        const out = await this.client.rest<V1Secret>(created ? 'POST' : 'PUT', created ? base : path, { body, query });
        standIn = false;
        return out;
      },
      dryRun: o.dryRun,
    });
    const action = !r.changed ? 'unchanged' : created || !r.object.metadata?.resourceVersion ? 'created' : 'configured';
    const object = standIn ? r.object : typedSecret(r.object);
    return { object: { apiVersion: 'v1', kind: 'Secret', ...object }, action, notes: [] };
  }

  private async applyVariable(
    { version, object }: Served,
    form: TrustForm,
    plan: Plan,
    o: ApplyOptions,
  ): Promise<Change> {
    const variable = VARIABLE[form];
    const r = await update<Obj>(this.client, {
      doing: `updating ${this.where('cluster')} (${CAPI_GROUP}/${version})`,
      initial: object,
      read: () => this.getCapi(version, 'clusters', this.cluster),
      modify: (cur) => {
        const next = applyToItems(itemsOf(cur, variable), plan);
        return next ? withItems(cur, variable, next) : undefined;
      },
      write: (body, dryRun) =>
        this.client.rest<Obj>('PUT', this.capiPath(version, 'clusters', this.cluster), {
          body,
          query: { dryRun, fieldManager: FIELD_MANAGER },
        }),
      dryRun: o.dryRun,
    });
    return { object: r.object, action: r.changed ? 'configured' : 'unchanged', notes: plan.notes };
  }
}
