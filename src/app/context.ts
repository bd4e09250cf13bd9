// `kubectl harbor context`: the kubeconfig, context, namespace and vSphere session that
// every other command would use. Reads the kubeconfig only; sends nothing.
import { VSPHERE_PASSWORD_ENV } from '../kube/vsphere.js';
import type { Session } from './session.js';

export async function context(s: Session): Promise<number> {
  const t = await s.target();
  const v = t.vsphere;
  const passwordFromEnv = Boolean(s.env[VSPHERE_PASSWORD_ENV]);
  const doc = {
    context: t.contextName,
    server: t.cluster.server,
    user: t.user.name,
    namespace: t.namespace,
    namespaceFrom: t.namespaceSource,
    kubeconfig: t.files,
    ...(v
      ? {
          vsphere: {
            kind: v.kind,
            server: v.server,
            username: v.username,
            supervisorContext: v.supervisorContext ?? null,
            passwordFromEnv,
          },
        }
      : {}),
  };
  await s.printer.document(doc, () => {
    const rows: Array<[string, string]> = [
      ['Context', t.contextName],
      ['Server', t.cluster.server],
      ['User', t.user.name],
      ['Namespace', `${t.namespace} (from ${t.namespaceSource})`],
      ['Kubeconfig', t.files.join(', ') || 'in-cluster'],
    ];
    if (v) {
      const what =
        v.kind === 'supervisor'
          ? 'Supervisor'
          : v.kind === 'namespace'
            ? 'vSphere Namespace'
            : 'Tanzu Kubernetes cluster';
      rows.push(['vSphere', `${what} context, user ${v.username}`]);
      rows.push([
        'Supervisor',
        v.supervisorContext ? `context ${v.supervisorContext}` : 'no Supervisor context in the kubeconfig',
      ]);
      rows.push(['Password', `${VSPHERE_PASSWORD_ENV} is ${passwordFromEnv ? 'set' : 'not set'}`]);
    }
    return rows.map(([k, val]) => `${`${k}:`.padEnd(12)}${val}\n`).join('');
  });
  return 0;
}
