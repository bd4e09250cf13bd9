// The pure edits behind the stores: each takes what the store holds and the entries, and
// returns the new value, or undefined for "nothing to write"; order and every other
// entry are kept. Notes (a CA replaced under its name, one already trusted under another
// name) are pushed for the user.
import { appendToBundle, bundleFingerprints, certificatesIn, removeFromBundle } from '../tls/pem.js';
import type { Codec } from './codec.js';
import { pemOf, type Entry, type TrustedCa } from './store.js';

export interface NamedData {
  name: string;
  data: string;
}

const fingerprintOf = (text: string): string | undefined => certificatesIn(text)[0]?.fingerprint;

/** Every certificate of a list of {name, data} entries, one row each. */
export function namedCas(list: Array<{ name?: string; data?: string }> | undefined, codec: Codec): TrustedCa[] {
  return (list ?? []).flatMap((e) =>
    certificatesIn(codec.decode(e.data ?? '')).map((cert) => ({ name: e.name ?? '', cert })),
  );
}

/** Upsert or remove named {name, data} entries (TKGS, TKC: the spec change rolls); a new CA under an existing name replaces it. */
export function upsertNamed(
  list: Array<{ name?: string; data?: string }> | undefined,
  entries: Entry[],
  o: { remove: boolean; codec: Codec },
  notes: string[],
): NamedData[] | undefined {
  const cur = (list ?? []).map((e) => ({ ...e })) as NamedData[];
  const holding = (fp: string | undefined) => (e: NamedData) =>
    fp !== undefined && fingerprintOf(o.codec.decode(e.data ?? '')) === fp;
  let changed = false;
  for (const entry of entries) {
    const { name, fingerprint } = entry;
    const i = cur.findIndex((e) => e.name === name);
    if (o.remove) {
      const j = i >= 0 ? i : cur.findIndex(holding(fingerprint));
      if (j >= 0) {
        cur.splice(j, 1);
        changed = true;
      }
      continue;
    }
    const data = o.codec.encode(pemOf(entry));
    if (i >= 0) {
      const old = fingerprintOf(o.codec.decode(cur[i]!.data ?? ''));
      if (old === fingerprint) continue;
      notes.push(`replacing the CA named "${name}" (was ${old ?? 'not a readable certificate'}) with ${fingerprint}`);
      cur[i] = { ...cur[i]!, name, data };
      changed = true;
      continue;
    }
    const same = cur.find(holding(fingerprint));
    if (same) {
      notes.push(`this CA is already trusted as "${same.name}"`);
      continue;
    }
    cur.push({ name, data });
    changed = true;
  }
  return changed ? cur : undefined;
}

/** The Supervisor bundle (no names): missing CAs appended, or CAs removed by fingerprint; other bytes kept. */
export function editBundle(bundle: string, entries: Entry[], remove: boolean): string | undefined {
  const have = bundleFingerprints(bundle);
  if (remove) {
    const gone = new Set(
      entries.flatMap((e) => (e.fingerprint !== undefined && have.has(e.fingerprint) ? [e.fingerprint] : [])),
    );
    return gone.size ? removeFromBundle(bundle, gone) : undefined;
  }
  const missing = entries.filter((e) => e.fingerprint === undefined || !have.has(e.fingerprint));
  return missing.length ? missing.reduce((acc, e) => appendToBundle(acc, pemOf(e)), bundle) : undefined;
}
