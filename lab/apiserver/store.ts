// The emulator's object store: one resourceVersion counter for everything (as etcd's
// revision), objects kept in their storage version, and a bounded history that watches
// replay from.
import type { Obj, ResourceType } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  t: ResourceType;
  obj: Obj;
}

const HISTORY = 5000;

export class Store {
  private rv = 1000;
  private readonly objects = new Map<string, Obj>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  private key(t: ResourceType, ns: string | undefined, name: string): string {
    return `${t.group}/${t.plural}/${t.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  get revision(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can still start from. */
  get oldest(): number {
    return this.history[0] ? this.history[0].rv - 1 : this.rv;
  }

  get(t: ResourceType, ns: string | undefined, name: string): Obj | undefined {
    const o = this.objects.get(this.key(t, ns, name));
    return o && structuredClone(o);
  }

  list(t: ResourceType, ns?: string): Obj[] {
    const prefix = `${t.group}/${t.plural}/${t.namespaced && ns ? ns + '/' : ''}`;
    return [...this.objects]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /** Store `obj` (already validated and in storage form) under a new resourceVersion. */
  put(t: ResourceType, obj: Obj): Obj {
    const k = this.key(t, obj.metadata.namespace, obj.metadata.name);
    const type: EventType = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, stored);
    this.emit({ type, rv: this.rv, t, obj: stored });
    return structuredClone(stored);
  }

  remove(t: ResourceType, ns: string | undefined, name: string): Obj | undefined {
    const k = this.key(t, ns, name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    this.objects.delete(k);
    const gone = { ...structuredClone(cur), metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ type: 'DELETED', rv: this.rv, t, obj: gone });
    return structuredClone(gone);
  }

  /** Events after `rv`, or undefined when they are no longer kept (410 Gone). */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldest) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history = this.history.slice(-HISTORY / 2);
    for (const fn of this.listeners) fn(e);
  }
}
