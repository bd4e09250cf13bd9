import { Command } from 'clipanion';
import { BaseCommand } from './base.js';

export class ContextCommand extends BaseCommand {
  static override paths = [['context']];

  static override usage = Command.Usage({
    category: 'Other',
    description: 'Show the context, namespace and vSphere session that commands will use',
    details: `
      Resolves the kubeconfig the way every command does (\`--kubeconfig\`, else \`$KUBECONFIG\`, else \`~/.kube/config\`), picks the context (\`--context\`, else the current one) and the namespace (\`-n\`, else the context's, else \`default\`), and shows what it found. No request is sent to the cluster.

      For a \`kubectl vsphere login\` session it also shows the vSphere user, whether the context is the Supervisor, a vSphere Namespace or a Tanzu Kubernetes cluster, the Supervisor context that belongs to it, and whether \`KUBECTL_VSPHERE_PASSWORD\` is set (never its value).
    `,
    examples: [
      ['Show the current context', '$0 context'],
      ['Show another context as YAML', '$0 context --context tkc-1 -o yaml'],
    ],
  });

  protected override outputFormats(): readonly string[] {
    return ['json', 'yaml'];
  }

  async run(): Promise<void> {
    const [t, { VSPHERE_PASSWORD_ENV }] = await Promise.all([this.target(), import('../kube/vsphere.js')]);
    const v = t.vsphere;
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
              passwordFromEnv: Boolean(this.context.env[VSPHERE_PASSWORD_ENV]),
            },
          }
        : {}),
    };
    await this.printer.document(doc, () => {
      const rows: Array<[string, string]> = [
        ['Context', t.contextName],
        ['Server', t.cluster.server],
        ['User', t.user.name],
        ['Namespace', `${t.namespace} (from ${t.namespaceSource})`],
        ['Kubeconfig', t.files.join(', ') || 'in-cluster'],
      ];
      if (v) {
        const what = v.kind === 'supervisor' ? 'Supervisor' : v.kind === 'namespace' ? 'vSphere Namespace' : 'Tanzu Kubernetes cluster';
        rows.push(['vSphere', `${what} context, user ${v.username}`]);
        rows.push(['Supervisor', v.supervisorContext ? `context ${v.supervisorContext}` : 'no Supervisor context in the kubeconfig']);
        rows.push(['Password', `${VSPHERE_PASSWORD_ENV} is ${doc.vsphere?.passwordFromEnv ? 'set' : 'not set'}`]);
      }
      return rows.map(([k, val]) => `${`${k}:`.padEnd(12)}${val}\n`).join('');
    });
  }
}
