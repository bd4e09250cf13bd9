// The marks kubectl-harbor leaves on what it writes, in one place: the field manager of
// every write, the managed-by label that says an object is ours to change, and the labels
// of the jumpbox pods.
export const FIELD_MANAGER = 'kubectl-harbor';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'kubectl-harbor';
export const COMPONENT = 'app.kubernetes.io/component';
export const CLUSTER_LABEL = 'kubectl-harbor/cluster';

export const managedLabels = (extra: Record<string, string> = {}): Record<string, string> => ({
  [MANAGED_BY]: MANAGER,
  ...extra,
});

export const isManaged = (o: { metadata?: { labels?: Record<string, string> } | undefined }): boolean =>
  o.metadata?.labels?.[MANAGED_BY] === MANAGER;
