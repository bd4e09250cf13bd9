// A trust store: one place a CA can be trusted (the Supervisor's image-fetcher bundle,
// TKGS, one cluster's own trust, a certs.d directory on this machine). `trust` loads the
// CA and applies it to each store chosen; `trust list` lists each. A store reads and
// writes its own format; nothing outside it knows how the CA is kept there.
import type { DryRun } from '../dryrun.js';
import type { KubeObjectLike } from '../output/printer.js';
import type { CertInfo } from '../tls/pem.js';

/** One trusted CA as a store holds it (name `-` where the store has no names). */
export interface TrustedCa {
  name: string;
  cert: CertInfo;
}

/** A CA to trust or remove. For removal only the name or the fingerprint may be known. */
export interface Entry {
  name: string;
  fingerprint: string | undefined;
  pem: string | undefined;
}

export type TrustAction = 'created' | 'configured' | 'unchanged' | 'deleted';

/** What one write did: to a Kubernetes object, or to a file on this machine. */
export interface Change {
  /** The object as written (or as it would be, in a dry run). */
  object?: KubeObjectLike | undefined;
  /** Or the file written or removed. */
  file?: string | undefined;
  action: TrustAction;
  /** Said to the user as warnings: a CA replaced under its name, one already trusted under another. */
  notes: string[];
  /** A client dry run of a file: what would be done to it (nothing was). */
  would?: 'write' | 'remove' | undefined;
}

export interface ApplyOptions {
  remove: boolean;
  dryRun: DryRun;
}

export interface TrustStore {
  /** `supervisor`, `tkgs`, `cluster/<name>`, `local docker`: the TARGET column and the report's name. */
  readonly label: string;
  /** The CAs the store holds; `warn` hears about what is wrong with it (a damaged block). */
  list(warn?: (line: string) => void): Promise<TrustedCa[]>;
  /** Install the entries (keeping everything else there), or remove them. */
  apply(entries: Entry[], o: ApplyOptions): Promise<Change[]>;
  /** A warning once apply has changed something (new clusters only; the nodes roll). */
  afterChange?(o: ApplyOptions): string | undefined;
}

/** The entries of a CA bundle: the first takes the name, the others -2, -3, ...; with no certificate, the pinned fingerprint alone. */
export function trustEntries(certs: CertInfo[], name: string, pinned: string | undefined): Entry[] {
  if (certs.length === 0) return [{ name, fingerprint: pinned, pem: undefined }];
  return certs.map((c, i) => ({ name: i === 0 ? name : `${name}-${i + 1}`, fingerprint: c.fingerprint, pem: c.pem }));
}

/** The PEM of an entry being added (the request always loads the CA for that). */
export function pemOf(e: Entry): string {
  if (e.pem === undefined) throw new Error(`bug: trust entry "${e.name}" has no certificate to add`);
  return e.pem;
}
