import { Command } from 'clipanion';
import type { Session } from '../app/session.js';
import type { OutputFormat } from '../output/printer.js';
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

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): void {}

  protected async run(session: Session): Promise<number> {
    return (await import('../app/context.js')).context(session);
  }
}
