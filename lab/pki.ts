// Certificates for the lab: a CA, server certificates signed by it (with or without IP
// SANs, expired, via an intermediate), made with node-forge on keys from node:crypto
// (forge's pure-JS RSA key generation takes seconds; node's takes milliseconds).
import crypto from 'node:crypto';
import forge from 'node-forge';

export interface KeyCert {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface CertOptions {
  cn: string;
  /** Signer; omitted means self-signed. */
  issuer?: KeyCert;
  ca?: boolean;
  ips?: string[];
  dns?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Organisation, shown by `trust` when it prints the subject. */
  org?: string;
}

const HOUR = 3600_000;

export function rsaKey(bits = 2048): { pem: string; key: forge.pki.rsa.PrivateKey } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { pem, key: forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey };
}

export function makeCert(o: CertOptions): KeyCert {
  const { pem: keyPem, key } = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
  const now = Date.now();
  cert.validity.notBefore = o.notBefore ?? new Date(now - HOUR);
  cert.validity.notAfter = o.notAfter ?? new Date(now + 365 * 24 * HOUR);
  const subject = [{ name: 'commonName', value: o.cn }, ...(o.org ? [{ name: 'organizationName', value: o.org }] : [])];
  cert.setSubject(subject);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : subject);
  const altNames = [
    ...(o.dns ?? []).map((value) => ({ type: 2, value })),
    ...(o.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = o.ca
    ? [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
    : [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
        { name: 'subjectKeyIdentifier' },
        ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
      ];
  if (o.issuer)
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: o.issuer.cert.generateSubjectKeyIdentifier().getBytes(),
    });
  cert.setExtensions(extensions);
  cert.sign(o.issuer?.key ?? key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, cert, key };
}

export function makeCa(cn: string, org = 'kubectl-harbor lab'): KeyCert {
  return makeCert({ cn, ca: true, org });
}

/** SHA-256 fingerprint of a PEM certificate, `AA:BB:...` as openssl prints it. */
export function fingerprint(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256;
}
