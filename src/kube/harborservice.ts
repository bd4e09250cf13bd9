// Harbor as a Supervisor Service (vSphere 8 / VCF 9): it runs in its own namespace
// (`svc-harbor-…`, labelled appplatform.vmware.com/serviceId=harbor), and its TLS secret
// carries the label managed-by=vmware-vRegistry, by which VKS installs the Harbor CA on
// the clusters of that Supervisor itself (vsphere-tmm/Supervisor-Services, harbor README:
// `tlsCertificate.tlsSecretLabels`). Found with the rights a namespace user has (listing
// namespaces by label); the secret may be readable only by an administrator.
import crypto from 'node:crypto';
import type { V1NamespaceList, V1SecretList } from '@kubernetes/client-node';
import { ApiError } from '../errors.js';
import { certificatesIn, type CertInfo } from '../tls/pem.js';
import type { KubeClient } from './client.js';
import { corePath } from './wire.js';

export const SERVICE_LABEL = 'appplatform.vmware.com/serviceId=harbor';
export const REGISTRY_SECRET_LABEL = 'managed-by=vmware-vRegistry';

export interface HarborService {
  namespace: string;
  /** The labelled TLS secret, when this user may read it. */
  secret: string | undefined;
  /** Its CA (`ca.crt`), when readable. */
  ca: CertInfo[];
  /** The registry host, from the names of its certificate (`tls.crt`), when readable. */
  hosts: string[];
  /** Why the secret could not be read (403, none labelled), when it could not. */
  unreadable: string | undefined;
}

const isForbidden = (e: unknown): boolean => e instanceof ApiError && (e.status === 403 || e.status === 401);

/** The names a certificate is valid for: DNS names first (what clients should use), then IP addresses. */
const hostNames = (pem: string): string[] => {
  try {
    const san = new crypto.X509Certificate(pem).subjectAltName ?? '';
    const dns = [...san.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]!);
    const ips = [...san.matchAll(/IP Address:([^,\s]+)/g)].map((m) => m[1]!);
    return [...dns, ...ips];
  } catch {
    return [];
  }
};

/** The Harbor Supervisor Service of the Supervisor behind `client`, or undefined when there is none (or namespaces cannot be listed). */
export async function findHarborService(client: KubeClient): Promise<HarborService | undefined> {
  let namespace: string | undefined;
  try {
    const list = await client.call('listing the Harbor Supervisor Service namespace', () =>
      client.rest<V1NamespaceList>('GET', '/api/v1/namespaces', { query: { labelSelector: SERVICE_LABEL } }),
    );
    namespace = list.items.map((n) => n.metadata?.name ?? '').find(Boolean);
  } catch (e) {
    if (isForbidden(e)) return undefined;
    throw e;
  }
  if (!namespace) return undefined;
  const found: HarborService = { namespace, secret: undefined, ca: [], hosts: [], unreadable: undefined };
  try {
    const secrets = await client.call(`listing the Harbor TLS secret in namespace "${namespace}"`, () =>
      client.rest<V1SecretList>('GET', corePath(namespace, 'secrets'), {
        query: { labelSelector: REGISTRY_SECRET_LABEL },
      }),
    );
    const s = secrets.items[0];
    if (!s) return { ...found, unreadable: `no secret labelled ${REGISTRY_SECRET_LABEL} in namespace "${namespace}"` };
    const text = (k: string) => Buffer.from(s.data?.[k] ?? '', 'base64').toString('utf8');
    return {
      ...found,
      secret: s.metadata?.name,
      ca: certificatesIn(text('ca.crt')),
      hosts: hostNames(text('tls.crt')),
    };
  } catch (e) {
    if (isForbidden(e)) return { ...found, unreadable: `this user may not read secrets in namespace "${namespace}"` };
    throw e;
  }
}
