// The pure part of a Cluster's trust: what a variable's additionalTrustedCAs items refer to
// (a legacy name or a caCert.secretRef: a key of a secret; a caCert.content: the CA inline),
// and the plan that adds or removes entries: keys to set or drop in the cluster's own
// secret, items to add to or remove from the variable, and notes for the user.
// VKS does not watch the secret's data (vks-facts §2: "The system does not monitor changes to
// the CLUSTER-NAME-user-trusted-ca-secret"), so a new CA under a name already in use goes under a
// new key with a new item, and the old one stays until it is removed: the nodes roll to both.
import { certificatesIn, type CertInfo } from '../tls/pem.js';
import { CONTENT, DOUBLE_BASE64 } from './codec.js';
import type { TrustForm } from './capi.js';
import type { Obj } from './served.js';
import { pemOf, type Entry } from './store.js';

/** Secret data as on the wire: key -> base64(value). */
export type SecretData = Record<string, string>;

/** One item of the variable and the CA it refers to. */
export interface Ref {
  /** What `trust list` shows and --name matches: the key of the own secret, `secret/key` of another, `-` inline. */
  name: string;
  item: Obj;
  /** The key of the cluster's own secret the item names. */
  key?: string | undefined;
  certs: CertInfo[];
}

/** The secrets the items name (the own secret for legacy names). */
export function secretsNamed(items: Obj[], own: string): string[] {
  const names = items.map((i) => (typeof i?.name === 'string' ? own : i?.caCert?.secretRef?.name));
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** What each item refers to; a secret that is not there (undefined) holds no CA. */
export function refsOf(items: Obj[], own: string, secrets: Map<string, SecretData | undefined>): Ref[] {
  const read = (secret: string, key: string): CertInfo[] =>
    certificatesIn(DOUBLE_BASE64.decode(secrets.get(secret)?.[key] ?? ''));
  return items.map((item): Ref => {
    if (typeof item?.name === 'string') return { name: item.name, item, key: item.name, certs: read(own, item.name) };
    const ref = item?.caCert?.secretRef;
    if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') {
      const mine = ref.name === own;
      return {
        name: mine ? ref.key : `${ref.name}/${ref.key}`,
        item,
        key: mine ? ref.key : undefined,
        certs: read(ref.name, ref.key),
      };
    }
    const content = item?.caCert?.content;
    return { name: '-', item, certs: typeof content === 'string' ? certificatesIn(CONTENT.decode(content)) : [] };
  });
}

export interface Plan {
  set: SecretData;
  drop: string[];
  add: Obj[];
  remove: Obj[];
  notes: string[];
}

export interface PlanOptions {
  form: TrustForm;
  remove: boolean;
  cluster: string;
  /** The cluster's own secret, <cluster>-user-trusted-ca-secret. */
  secret: string;
}

const fpOf = (data: string | undefined): string | undefined =>
  data === undefined ? undefined : certificatesIn(DOUBLE_BASE64.decode(data))[0]?.fingerprint;

/** A variable item for a key of the own secret, or for the CA inline. */
export function itemFor(o: PlanOptions, key: string, pem: string): Obj {
  if (o.form === 'legacy') return { name: key };
  if (o.form === 'secretRef') return { caCert: { secretRef: { name: o.secret, key } } };
  return { caCert: { content: CONTENT.encode(pem) } };
}

/** `name-2`, `name-3`, ...: the first not taken. */
export function nextFree(name: string, taken: ReadonlySet<string>): string {
  let n = 2;
  while (taken.has(`${name}-${n}`)) n++;
  return `${name}-${n}`;
}

/** The plan for the entries; empty (nothing in set/drop/add/remove) when there is nothing to write. */
export function planTrust(refs: Ref[], data: SecretData, entries: Entry[], o: PlanOptions): Plan {
  const plan: Plan = { set: {}, drop: [], add: [], remove: [], notes: [] };
  const all = [...refs];
  if (o.remove) {
    for (const e of entries) removeOne(all, data, e, o, plan);
    return plan;
  }
  const taken = new Set([
    ...Object.keys(data),
    ...refs.flatMap((r) => (r.key ? [r.key] : [])),
    ...entries.map((e) => e.name),
  ]);
  for (const e of entries) {
    const held = all.find((r) => r.certs.some((c) => c.fingerprint === e.fingerprint));
    if (held) {
      if (held.name !== e.name)
        plan.notes.push(
          `this CA is already trusted ${held.name === '-' ? 'inline (caCert.content)' : `as "${held.name}"`}`,
        );
      continue;
    }
    const pem = pemOf(e);
    let key = e.name;
    if (o.form !== 'content') {
      if (all.some((r) => r.key === e.name)) {
        key = nextFree(e.name, taken);
        plan.notes.push(
          `the CA named "${e.name}" is not replaced in place (VKS does not watch the data of secret ${o.secret}): ` +
            `the new CA is added as "${key}", and "${e.name}" stays trusted beside it until ` +
            `\`kubectl harbor trust --cluster ${o.cluster} --name ${e.name} --remove\`; the nodes will roll`,
        );
      } else if (data[key] !== undefined && fpOf(data[key]) !== e.fingerprint) {
        plan.notes.push(`replacing data.${key} of secret ${o.secret}, which no item of the cluster referred to`);
      }
      taken.add(key);
      if (fpOf(data[key]) !== e.fingerprint) plan.set[key] = DOUBLE_BASE64.encode(pem);
    }
    const item = itemFor(o, key, pem);
    plan.add.push(item);
    all.push({ name: o.form === 'content' ? '-' : key, item, key, certs: certificatesIn(pem) });
  }
  return plan;
}

function removeOne(all: Ref[], data: SecretData, e: Entry, o: PlanOptions, plan: Plan): void {
  const i = all.findIndex((r) => r.key === e.name);
  const j =
    i >= 0
      ? i
      : all.findIndex((r) => e.fingerprint !== undefined && r.certs.some((c) => c.fingerprint === e.fingerprint));
  const ref = j >= 0 ? all.splice(j, 1)[0] : undefined;
  if (ref) plan.remove.push(ref.item);
  const key = ref ? ref.key : e.name;
  if (key !== undefined && key in data && !plan.drop.includes(key)) plan.drop.push(key);
  if (!ref && e.fingerprint === undefined && all.some((r) => r.name === '-'))
    plan.notes.push(
      `no CA named "${e.name}" in cluster ${o.cluster}: its inline caCert.content CAs carry no names, remove one by --fingerprint`,
    );
}

/** The own secret's data with the plan applied; undefined when it is the same. */
export function applyToData(data: SecretData | undefined, plan: Plan): SecretData | undefined {
  const next = { ...(data ?? {}) };
  let changed = false;
  for (const k of plan.drop)
    if (k in next) {
      delete next[k];
      changed = true;
    }
  for (const [k, v] of Object.entries(plan.set))
    if (next[k] !== v) {
      next[k] = v;
      changed = true;
    }
  return changed ? next : undefined;
}

/** The items with the plan applied (removed ones by value, added ones once, order kept); undefined when the same. */
export function applyToItems(items: Obj[], plan: Plan): Obj[] | undefined {
  const gone = new Set(plan.remove.map((x) => JSON.stringify(x)));
  const next = items.filter((x) => !gone.has(JSON.stringify(x)));
  const have = new Set(next.map((x) => JSON.stringify(x)));
  for (const a of plan.add) if (!have.has(JSON.stringify(a))) next.push(a);
  const same = next.length === items.length && next.every((x, i) => x === items[i]);
  return same ? undefined : next;
}
