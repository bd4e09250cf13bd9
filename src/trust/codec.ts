// How the stores keep a PEM in a string field, in one place each: TKGS and TKC entries
// hold base64(PEM); the v1beta1 user-trusted-ca secret holds base64(PEM) as its value,
// so its data (base64 on the wire) is base64(base64(PEM)).
export interface Codec {
  encode(pem: string): string;
  decode(data: string): string;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

export const BASE64: Codec = { encode: b64, decode: unb64 };

export const DOUBLE_BASE64: Codec = { encode: (pem) => b64(b64(pem)), decode: (data) => unb64(unb64(data)) };
