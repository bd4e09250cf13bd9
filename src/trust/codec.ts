// How the stores keep a PEM in a string field, in one place each.
//  - TkgServiceConfiguration and TKC entries (`data`): the docs say both base64(PEM) (vSphere 7
//    TkgServiceConfiguration GUID-059EF257…, the vSphere 8 pages' intro sentence) and
//    base64(base64(PEM)) (the vSphere 8 v1alpha3 "trust fields" table, GUID-EC2C9619…: "double
//    base64 encoding is required"); see /tmp/research/vks-facts.md §3. Every read takes both: a
//    value whose first decoding starts with `LS0t` (base64 of "---") was encoded twice. Writes
//    keep the form the list already uses, and base64(PEM) for an empty list: the form of
//    TkgServiceConfiguration and of every TKC written before, which a v1alpha3 TKC has been
//    seen to take (the sources agree on nothing better).
//  - The cluster.x-k8s.io user-trusted-ca secret holds base64(PEM) as its value (vks-facts §1, §2),
//    so its data (base64 on the wire) is base64(base64(PEM)).
export interface Codec {
  encode(pem: string): string;
  decode(data: string): string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** A value decoded once is still base64: it was encoded twice. */
export const isDoubled = (data: string): boolean => unb64(data).trimStart().startsWith('LS0t');

/** base64(PEM) or base64(base64(PEM)), whichever the value is. */
export const decodeEither = (data: string): string => (isDoubled(data) ? unb64(unb64(data)) : unb64(data));

export const BASE64: Codec = { encode: b64, decode: decodeEither };

export const DOUBLE_BASE64: Codec = { encode: (pem) => b64(b64(pem)), decode: decodeEither };

/** The codec for a named {name, data} list: double when any entry already is, single otherwise. */
export function codecFor(list: Array<{ data?: unknown }> | undefined): Codec {
  return (list ?? []).some((e) => typeof e.data === 'string' && isDoubled(e.data)) ? DOUBLE_BASE64 : BASE64;
}

/**
 * An inline text that holds a CA: a PEM as it is, else base64(PEM) or base64(base64(PEM)). kubectl-harbor
 * writes base64(PEM) into `caCert.content` (the value the secretRef form's secret holds once decoded);
 * the encoding VKS expects there is undocumented (vks-facts §1, "Unsettled").
 */
export const textOrBase64 = (text: string): string => (text.includes('-----BEGIN') ? text : decodeEither(text));

export const CONTENT: Codec = { encode: b64, decode: textOrBase64 };
