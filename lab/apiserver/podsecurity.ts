// PodSecurity admission (k8s.io/pod-security-admission), the part that refuses what a
// DaemonSet for node trust needs: the namespace's `pod-security.kubernetes.io/enforce`
// level (privileged | baseline | restricted; unlabelled: privileged) refuses a Pod, and
// the `warn` level (default: the enforce level) only warns on a pod controller such as a
// DaemonSet. Checks (baseline, which restricted includes): host namespaces, hostPath
// volumes, privileged containers; restricted adds nothing the lab needs beyond them here.
// Wording as admission.go and policy/check_*.go word it:
//   pods "x-" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "certs")
//   would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)
import { StatusError } from './status.js';
import type { Admission, Obj } from './types.js';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const WARN_LABEL = 'pod-security.kubernetes.io/warn';
const LEVELS = ['privileged', 'baseline', 'restricted'];

const quote = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
const plural = (one: string, many: string, n: number): string => (n === 1 ? one : many);

/** The failed checks of the baseline level, as `reason (detail)`, in the checks' ID order. */
export function baselineViolations(spec: Obj): string[] {
  const out: string[] = [];
  const hostNs = ['hostIPC', 'hostNetwork', 'hostPID'].filter((k) => spec?.[k] === true);
  if (hostNs.length) out.push(`host namespaces (${hostNs.join(', ')})`);
  const hostPaths = (spec?.volumes ?? []).filter((v: Obj) => v?.hostPath).map((v: Obj) => String(v.name));
  if (hostPaths.length)
    out.push(`hostPath volumes (${plural('volume', 'volumes', hostPaths.length)} ${quote(hostPaths)})`);
  const containers: Obj[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const privileged = containers.filter((c) => c?.securityContext?.privileged === true).map((c) => String(c.name));
  if (privileged.length)
    out.push(
      `privileged (${plural('container', 'containers', privileged.length)} ${quote(privileged)} must not set securityContext.privileged=true)`,
    );
  return out;
}

function level(labels: Obj, key: string, fallback: string): string {
  const v = labels[key];
  return typeof v === 'string' && LEVELS.includes(v) ? v : fallback;
}

/** The pod spec a Pod or a pod controller carries. */
const podSpecOf = (o: Obj): Obj | undefined => (o.kind === 'Pod' ? o.spec : o.spec?.template?.spec);

/**
 * The admission step for pods and pod controllers: a Pod that breaks the namespace's enforce
 * level is refused (403); a controller that would break the warn level gets a warning.
 */
export function podSecurityAdmit(a: Admission): void {
  const o = a.object;
  const ns = a.lookup('', 'namespaces', undefined, String(o.metadata?.namespace ?? ''));
  const labels: Obj = ns?.metadata?.labels ?? {};
  const enforce = level(labels, ENFORCE_LABEL, 'privileged');
  const warn = level(labels, WARN_LABEL, enforce);
  const spec = podSpecOf(o);
  if (!spec) return;
  const violations = baselineViolations(spec);
  if (violations.length === 0) return;
  if (o.kind === 'Pod') {
    if (a.old) return;
    if (enforce !== 'privileged') {
      const name = o.metadata?.name || o.metadata?.generateName || 'Unknown';
      throw new StatusError(
        403,
        'Forbidden',
        `pods "${name}" is forbidden: violates PodSecurity "${enforce}:latest": ${violations.join(', ')}`,
        { name, kind: 'pods' },
      );
    }
  }
  if (warn !== 'privileged') a.warn?.(`would violate PodSecurity "${warn}:latest": ${violations.join(', ')}`);
}
