// pods/log: what each container instance wrote to stdout and stderr (interleaved, as the
// kubelet's CRI log keeps them), the current and the previous instance, with the errors
// kube-apiserver gives for a missing container name, an unknown container, a container
// still waiting and no previous instance.
import { badRequest } from './status.js';
import type { Obj } from './types.js';

const MAX = 1024 * 1024;

interface Instance {
  current: string;
  previous?: string;
  followers: Set<(chunk: string | null) => void>;
}

export interface LogQuery {
  container?: string;
  previous?: boolean;
  tailLines?: number;
}

export class PodLogs {
  private readonly byPod = new Map<string, Map<string, Instance>>();

  private instance(uid: string, container: string): Instance {
    const pod = this.byPod.get(uid) ?? new Map<string, Instance>();
    this.byPod.set(uid, pod);
    const i = pod.get(container) ?? { current: '', followers: new Set() };
    pod.set(container, i);
    return i;
  }

  /** A new instance of the container starts: the current log becomes the previous one. */
  restart(uid: string, container: string): void {
    const i = this.instance(uid, container);
    if (i.current || i.previous !== undefined) [i.previous, i.current] = [i.current, ''];
  }

  append(uid: string, container: string, chunk: Buffer | string): void {
    const i = this.instance(uid, container);
    i.current = (i.current + chunk.toString()).slice(-MAX);
    for (const f of i.followers) f(chunk.toString());
  }

  /** The instance ended (or the pod went): followers' streams end. */
  end(uid: string, container?: string): void {
    for (const [name, i] of this.byPod.get(uid) ?? []) {
      if (container && name !== container) continue;
      for (const f of i.followers) f(null);
      i.followers.clear();
    }
  }

  /** `?follow=true`: what comes next, until the instance ends (null). */
  follow(uid: string, container: string, fn: (chunk: string | null) => void): () => void {
    const i = this.instance(uid, container);
    i.followers.add(fn);
    return () => i.followers.delete(fn);
  }

  forget(uid: string): void {
    this.end(uid);
    this.byPod.delete(uid);
  }

  /** The container `read` would answer for (q.container, else the only one). */
  containerOf(pod: Obj, q: LogQuery): string {
    return q.container ?? (pod.spec?.containers ?? [])[0]?.name ?? '';
  }

  /** The log text `GET pods/NAME/log` answers, or the 400 the real server gives. */
  read(pod: Obj, q: LogQuery): string {
    const name = pod.metadata.name;
    const containers: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
    const inits: string[] = (pod.spec?.initContainers ?? []).map((c: Obj) => c.name);
    let container = q.container;
    if (!container) {
      if (containers.length !== 1) {
        const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
        throw badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`,
        );
      }
      container = containers[0]!;
    }
    if (!containers.includes(container) && !inits.includes(container))
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    const statuses: Obj[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const status = statuses.find((s) => s.name === container);
    const i = this.byPod.get(pod.metadata.uid)?.get(container);
    if (q.previous) {
      if (i?.previous === undefined)
        throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      return tail(i.previous, q.tailLines);
    }
    if (!i && status?.state?.waiting) {
      const reason = status.state.waiting.reason ?? 'ContainerCreating';
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
    }
    return tail(i?.current ?? '', q.tailLines);
  }
}

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined || !Number.isInteger(lines) || lines < 0) return text;
  if (lines === 0) return '';
  const parts = text.split('\n');
  const trailing = parts.at(-1) === '' ? parts.pop() : undefined;
  return parts.slice(-lines).join('\n') + (trailing === '' ? '\n' : '');
}
