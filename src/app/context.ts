// `kubectl harbor context`: the kubeconfig, context, namespace and session that every
// other command would use. Reads the kubeconfig only; sends nothing.
import { sessionKind, vspherePassword } from '../kube/vsphere.js';
import type { Session } from './session.js';

const KIND_TEXT = {
  supervisor: 'Supervisor',
  namespace: 'vSphere Namespace',
  tkc: 'workload cluster (TKC or VKS)',
} as const;
const LOGIN_TEXT = { 'kubectl-vsphere': '`kubectl vsphere login`', 'vcf-cli': 'the VCF CLI (`vcf context`)' } as const;

export async function context(s: Session): Promise<number> {
  const t = await s.target();
  const v = t.vsphere;
  const session = sessionKind(t.kc, t.contextName, v);
  const passwordFromEnv = v ? Boolean(vspherePassword(s.env, v.login)) : false;
  const doc = {
    context: t.contextName,
    server: t.cluster.server,
    user: t.user.name,
    namespace: t.namespace,
    namespaceFrom: t.namespaceSource,
    kubeconfig: t.files,
    session,
    ...(v
      ? {
          vsphere: {
            login: v.login,
            kind: v.kind,
            server: v.server,
            username: v.username ?? null,
            supervisorContext: v.supervisorContext ?? null,
            passwordEnv: v.passwordEnv,
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
      ['Session', v ? `${LOGIN_TEXT[v.login]}` : session],
    ];
    if (v) {
      rows.push(['vSphere', `${KIND_TEXT[v.kind]} context${v.username ? `, user ${v.username}` : ''}`]);
      rows.push([
        'Supervisor',
        v.supervisorContext ? `context ${v.supervisorContext}` : 'no Supervisor context in the kubeconfig',
      ]);
      rows.push(['Password', `${v.passwordEnv} is ${passwordFromEnv ? 'set' : 'not set'}`]);
    }
    return rows.map(([k, val]) => `${`${k}:`.padEnd(12)}${val}\n`).join('');
  });
  return 0;
}
