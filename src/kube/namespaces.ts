// Which namespaces a command acts on, as parsed from -n, --namespaces a,b or -A (every
// namespace but kube-* and vmware-system-*, unless --include-system).
import type { V1NamespaceList } from '@kubernetes/client-node';
import type { KubeClient } from './client.js';

export type NamespaceSelection =
  | { kind: 'context' }
  | { kind: 'list'; names: string[] }
  | { kind: 'all'; includeSystem: boolean };

export const isSystemNamespace = (ns: string): boolean => ns.startsWith('kube-') || ns.startsWith('vmware-system-');

export async function resolveNamespaces(sel: NamespaceSelection, client: KubeClient): Promise<string[]> {
  if (sel.kind === 'list') return sel.names;
  if (sel.kind === 'context') return [client.target.namespace];
  const list = await client.call('listing namespaces', () => client.rest<V1NamespaceList>('GET', '/api/v1/namespaces'));
  return list.items
    .map((n) => n.metadata?.name ?? '')
    .filter((n) => n && (sel.includeSystem || !isSystemNamespace(n)))
    .sort();
}
