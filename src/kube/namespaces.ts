// Which namespaces a command acts on: -n (or the context's namespace), --namespaces a,b,
// or -A (every namespace but kube-* and vmware-system-*, unless --include-system).
import { CoreV1Api } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';
import type { KubeClient } from './client.js';

export interface NamespaceFlags {
  namespace?: string | undefined;
  namespaces?: string | undefined;
  all?: boolean | undefined;
  includeSystem?: boolean | undefined;
}

export const isSystemNamespace = (ns: string): boolean => ns.startsWith('kube-') || ns.startsWith('vmware-system-');

export async function resolveNamespaces(f: NamespaceFlags, client: KubeClient): Promise<string[]> {
  const chosen = [f.namespace !== undefined, f.namespaces !== undefined, Boolean(f.all)].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('use only one of -n/--namespace, --namespaces and -A/--all-namespaces');
  if (f.namespaces !== undefined) {
    const list = [...new Set(f.namespaces.split(',').map((s) => s.trim()).filter(Boolean))];
    if (list.length === 0) throw new UsageError('--namespaces needs at least one namespace, e.g. --namespaces dev,prod');
    return list;
  }
  if (!f.all) return [client.target.namespace];
  const list = await client.call('listing namespaces', () => client.api(CoreV1Api).listNamespace());
  return list.items
    .map((n) => n.metadata?.name ?? '')
    .filter((n) => n && (f.includeSystem || !isSystemNamespace(n)))
    .sort();
}
