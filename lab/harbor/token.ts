// Harbor's token service, as docker-registry's `auth.token` checks it: an RS256 JWT whose
// `kid` is the libtrust fingerprint of the signing key (base32 of the first 30 bytes of
// SHA-256 over the DER public key, in 12 groups of 4), `aud` a string, and `access`
// claims cut down to what the caller may do in each project (access.ts tokenActions).
import crypto from 'node:crypto';

export function libtrustKeyId(key: crypto.KeyObject): string {
  const der = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' });
  const sum = crypto.createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)!.join(':');
}

export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:lab/tiny:pull,push`; the name may itself contain `:` only for `registry:catalog:*`. */
export function parseScope(s: string): Scope | undefined {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: s.slice(0, first),
    name: s.slice(first + 1, last),
    actions: s
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

export class TokenSigner {
  readonly kid: string;

  constructor(
    private readonly key: crypto.KeyObject,
    private readonly issuer: string,
    private readonly ttlSeconds = 1800,
  ) {
    this.kid = libtrustKeyId(key);
  }

  sign(subject: string, service: string, access: Scope[]): { token: string; expiresIn: number; issuedAt: string } {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (x: object): string => Buffer.from(JSON.stringify(x)).toString('base64url');
    const claims = {
      iss: this.issuer,
      sub: subject,
      aud: service,
      exp: now + this.ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: crypto.randomBytes(12).toString('hex'),
      access,
    };
    const input = `${b64({ typ: 'JWT', alg: 'RS256', kid: this.kid })}.${b64(claims)}`;
    const sig = crypto.sign('sha256', Buffer.from(input), this.key).toString('base64url');
    return { token: `${input}.${sig}`, expiresIn: this.ttlSeconds, issuedAt: new Date(now * 1000).toISOString() };
  }
}
