// The lab's certificates, written once per `up` under state/pki: the lab CA and the
// Harbor certificate it signs, plus the deliberately bad ones (no IP SAN, expired,
// signed by an intermediate), the token signer and an unrelated CA.
import fs from 'node:fs';
import path from 'node:path';
import { HARBOR_NAME, hostIp, type LabConfig } from './config.js';
import { makeCa, makeCert, type KeyCert } from './pki.js';

export interface LabPki {
  ca: string;
  caKey: string;
  harbor: { cert: string; key: string };
  noIpSan: { cert: string; key: string };
  expired: { cert: string; key: string };
  /** Leaf plus intermediate, as the server sends it. */
  intermediate: { cert: string; key: string; intermediateCa: string };
  token: { cert: string; key: string };
  otherCa: string;
}

export function pkiFiles(dir: string): LabPki {
  const f = (n: string): string => path.join(dir, n);
  return {
    ca: f('ca.pem'),
    caKey: f('ca.key'),
    harbor: { cert: f('harbor.pem'), key: f('harbor.key') },
    noIpSan: { cert: f('noipsan.pem'), key: f('noipsan.key') },
    expired: { cert: f('expired.pem'), key: f('expired.key') },
    intermediate: { cert: f('chain.pem'), key: f('chain.key'), intermediateCa: f('intermediate-ca.pem') },
    token: { cert: f('token.pem'), key: f('token.key') },
    otherCa: f('other-ca.pem'),
  };
}

function write(certFile: string, keyFile: string, kc: KeyCert, extra = ''): void {
  fs.writeFileSync(certFile, kc.certPem + extra, { mode: 0o644 });
  fs.writeFileSync(keyFile, kc.keyPem, { mode: 0o600 });
}

export function makeLabPki(c: LabConfig, dir: string): LabPki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = pkiFiles(dir);
  const ca = makeCa('kubectl-harbor lab CA', 'kubectl-harbor lab');
  write(p.ca, p.caKey, ca);
  const ips = [hostIp(c), '127.0.0.1'];
  const dns = [HARBOR_NAME, 'localhost'];
  write(p.harbor.cert, p.harbor.key, makeCert({ cn: HARBOR_NAME, issuer: ca, ips, dns }));
  write(p.noIpSan.cert, p.noIpSan.key, makeCert({ cn: HARBOR_NAME, issuer: ca, dns: [HARBOR_NAME] }));
  const day = 24 * 3600_000;
  write(
    p.expired.cert,
    p.expired.key,
    makeCert({
      cn: HARBOR_NAME,
      issuer: ca,
      ips,
      dns,
      notBefore: new Date(Date.now() - 30 * day),
      notAfter: new Date(Date.now() - day),
    }),
  );
  const inter = makeCert({ cn: 'kubectl-harbor lab intermediate CA', issuer: ca, ca: true, org: 'kubectl-harbor lab' });
  fs.writeFileSync(p.intermediate.intermediateCa, inter.certPem);
  write(p.intermediate.cert, p.intermediate.key, makeCert({ cn: HARBOR_NAME, issuer: inter, ips, dns }), inter.certPem);
  write(p.token.cert, p.token.key, makeCert({ cn: 'harbor token signer' }));
  fs.writeFileSync(p.otherCa, makeCa('some other CA', 'elsewhere').certPem);
  return p;
}
