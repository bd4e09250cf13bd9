// Harbor as a Supervisor Service has VKS install its CA on the clusters of that Supervisor
// by itself (its TLS secret is labelled managed-by=vmware-vRegistry). `trust --cluster`,
// `trust --tkgs` and `push-ca` say so instead of adding a second copy, unless asked.
import { findHarborService } from '../kube/harborservice.js';
import type { CertInfo } from '../tls/pem.js';
import type { Session } from './session.js';

/** The sentence that says VKS already distributes this CA, or undefined when it does not (or cannot be told). */
export async function distributedByVks(s: Session, certs: CertInfo[]): Promise<string | undefined> {
  if (certs.length === 0) return undefined;
  const svc = await findHarborService(await s.supervisor());
  if (!svc) return undefined;
  if (svc.unreadable) {
    s.printer.warn(
      `a Harbor Supervisor Service runs in namespace "${svc.namespace}" (${svc.unreadable}); if this is its CA, VKS already installs it on the clusters of this Supervisor`,
    );
    return undefined;
  }
  const theirs = new Set(svc.ca.map((c) => c.fingerprint));
  if (!certs.some((c) => theirs.has(c.fingerprint))) return undefined;
  return `this is the CA of the Harbor Supervisor Service (namespace "${svc.namespace}", secret/${svc.secret} labelled managed-by=vmware-vRegistry): VKS already installs it on the clusters of this Supervisor, so no second copy is added (pass --even-if-distributed to add one anyway)`;
}
