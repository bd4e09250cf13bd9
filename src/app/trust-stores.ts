// The trust stores a request names, in the order they are worked on: the Supervisor
// bundle, TKGS, the cluster, then this machine's certs.d directories.
import type { TrustStore } from '../trust/store.js';
import type { Session } from './session.js';

export interface StoreChoice {
  supervisor: boolean;
  tkgs: boolean;
  cluster: string | undefined;
  local: boolean;
  containerdDir: string | undefined;
  /** The registry host[:port]: the certs.d directory name, needed to write there. */
  host?: string | undefined;
}

export async function trustStores(s: Session, c: StoreChoice): Promise<TrustStore[]> {
  const stores: TrustStore[] = [];
  if (c.supervisor || c.tkgs || c.cluster) {
    const sup = await s.supervisor();
    if (c.supervisor) stores.push(new (await import('../trust/supervisor.js')).SupervisorStore(sup));
    if (c.tkgs) stores.push(new (await import('../trust/tkgs.js')).TkgsStore(sup));
    if (c.cluster)
      stores.push(new (await import('../trust/cluster.js')).ClusterStore(sup, await s.clusterNamespace(), c.cluster));
  }
  if (c.local) {
    const { localStores } = await import('../trust/local.js');
    stores.push(
      ...localStores({
        homedir: s.homedir,
        containerdDir: c.containerdDir,
        isRoot: process.getuid?.() === 0,
        env: s.env,
        host: c.host,
      }),
    );
  }
  return stores;
}
