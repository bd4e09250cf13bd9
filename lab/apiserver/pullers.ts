// The kubelet's real pulls (KubeletOptions.pull) for the lab: a TKC node's containerd over
// CRI PullImage, and the Supervisor's image fetcher (pullfetch.ts). Only images on the
// registry hosts given are pulled for real; any other image (photon:3.0 for the jumpbox)
// is taken as present, as before.
import { criPull } from '../cri.js';
import type { PullContext } from './kubelet.js';
import { fetchManifest } from './pullfetch.js';
import { type PullAuth, parseImage } from './pullsecrets.js';

export type Puller = (image: string, ctx: PullContext) => Promise<string | undefined>;

/** Whether `image` lives on one of `hosts` (names or IPs, any port). */
export function onHosts(image: string, hosts: string[]): boolean {
  return hosts.includes(parseImage(image).registry.replace(/:\d+$/, ''));
}

/**
 * The kubelet tries each matching credential in turn (anonymous when there is none) and, when
 * all fail, reports them together (utilerrors.NewAggregate: one error alone, else `[e1, e2]`).
 */
async function eachAuth(auths: PullAuth[], pull: (auth?: PullAuth) => Promise<string | undefined>) {
  const errors: string[] = [];
  for (const auth of auths.length ? auths : [undefined]) {
    const err = await pull(auth);
    if (!err) return undefined;
    errors.push(err);
  }
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/** TKC pods: PullImage on the containerd of the node the pod is scheduled on. */
export function containerdPuller(o: { hosts: string[]; socket: (node: string) => string | undefined }): Puller {
  return async (image, ctx) => {
    if (!onHosts(image, o.hosts)) return undefined;
    const socket = o.socket(ctx.node.name);
    if (!socket) return `no container runtime on node ${ctx.node.name}`;
    return eachAuth(ctx.auths, async (auth) => {
      const r = await criPull(socket, image, auth);
      return r.ok ? undefined : r.error;
    });
  };
}

/** vSphere Pods: the Supervisor's image fetcher, trusting the bundle it is given now. */
export function imageFetcher(o: { hosts: string[]; bundle: () => string }): Puller {
  return async (image, ctx) => {
    if (!onHosts(image, o.hosts)) return undefined;
    const ca = o.bundle();
    return eachAuth(ctx.auths, (auth) => fetchManifest(image, ca, auth));
  };
}
