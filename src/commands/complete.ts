import { Command, Option } from 'clipanion';
import type { HarborContext } from './base.js';
import { ENUMS } from './options.js';

/** The part of a NamespaceList completion reads. */
interface NamespaceList {
  items: Array<{ metadata?: { name?: string } }>;
}

/** Hidden: answers Cobra's `__complete` protocol for kubectl_complete-harbor. */
export class CompleteCommand extends Command<HarborContext> {
  static override paths = [['__complete']];

  words = Option.Proxy();

  async execute(): Promise<number> {
    const { complete, commandDefs } = await import('../app/complete.js');
    const defs = commandDefs(this.cli.definitions(), this.cli.binaryName);
    const flag = (name: string): string | undefined => {
      for (let i = 0; i < this.words.length - 1; i++) {
        const w = this.words[i]!;
        if (w === name) return this.words[i + 1];
        if (w.startsWith(`${name}=`)) return w.slice(name.length + 1);
      }
      return undefined;
    };
    const environment = { env: this.context.env, homedir: this.context.homedir };
    const flags = { kubeconfig: flag('--kubeconfig'), context: flag('--context') };
    const lines = await complete(this.words, defs, {
      enums: ENUMS,
      contexts: async () => {
        const { loadKubeconfig } = await import('../kube/config.js');
        return loadKubeconfig(flags, environment)
          .kc.getContexts()
          .map((c) => c.name);
      },
      namespaces: async () => {
        const [{ resolveTarget }, { KubeClient }] = await Promise.all([
          import('../kube/config.js'),
          import('../kube/client.js'),
        ]);
        const client = new KubeClient(resolveTarget(flags, environment), { timeoutMs: 3000 });
        try {
          const list = await client.rest<NamespaceList>('GET', '/api/v1/namespaces');
          return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
        } finally {
          client.close();
        }
      },
      clusters: async () => {
        const [{ resolveTarget }, { KubeClient }, { listClusters }] = await Promise.all([
          import('../kube/config.js'),
          import('../kube/client.js'),
          import('../trust/cluster-list.js'),
        ]);
        const target = resolveTarget(flags, environment);
        const client = new KubeClient(target, { timeoutMs: 3000 });
        try {
          return await listClusters(client, flag('-n') ?? flag('--namespace') ?? target.namespace);
        } finally {
          client.close();
        }
      },
    });
    this.context.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
}
