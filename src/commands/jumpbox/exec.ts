import { Command, Option } from 'clipanion';
import type { Session } from '../../app/session.js';
import type { JumpboxExecRequest } from '../../app/jumpbox-exec.js';
import { UsageError } from '../../errors.js';
import type { OutputFormat } from '../../output/printer.js';
import { ClusterOptions, NodeAccessCommand, parseClusterChoice, parseNodePick, roleOption } from '../options.js';

export class JumpboxExecCommand extends NodeAccessCommand<JumpboxExecRequest> {
  static override paths = [['jumpbox', 'exec']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Run a command on cluster nodes over SSH through the jumpbox',
    details: `
      Connects to each chosen node as vmware-system-user with the key from secret \`<cluster>-ssh\` (or the password from \`<cluster>-ssh-password\`), held in memory only, through a TCP relay in the jumpbox (or \`--direct\`). Host keys are pinned on first use; a changed key is refused unless \`--accept-new-host-key\`. Nodes run concurrently; output lines are prefixed by node, or \`-o json\` gives one record per node. The exit code is 1 if any node failed.

      Several clusters: \`tkc-1,tkc-2\` (in the namespace of \`-n\`), or \`--all-clusters\` for every TanzuKubernetesCluster and Cluster in \`-n\`, \`--namespaces a,b\` or \`-A\`, \`--parallel-clusters\` at once. Lines are then prefixed by \`cluster/node\`, a summary per cluster follows (CLUSTER NAMESPACE RESULT DETAIL), and \`-o json\` nests the records under \`clusters[]\`.
    `,
    examples: [
      ['Every node', '$0 jumpbox exec tkc-1 --all -- hostname'],
      ['Every node of every cluster in dev', '$0 jumpbox exec --all-clusters -n dev --all -- uptime'],
      ['Control plane, as root', '$0 jumpbox exec tkc-1 --role controlplane --sudo -- systemctl is-active containerd'],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER' });
  allClusters = ClusterOptions.allClusters();
  namespaces = ClusterOptions.namespaces();
  allNamespaces = ClusterOptions.allNamespaces();
  parallelClusters = ClusterOptions.parallelClusters();
  node = Option.Array('--node', { description: 'A node: VM name, unique prefix or IP (repeatable)' });
  role = roleOption();
  allNodes = Option.Boolean('--all', false, { description: 'Every node of the cluster' });
  sudo = Option.Boolean('--sudo', false, { description: 'Run the command through sudo' });
  command = Option.Rest({ name: 'CMD' });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): JumpboxExecRequest {
    // clipanion drops `--`: with --all-clusters no CLUSTER is named, so the first word is the command's.
    const command = this.allClusters ? [this.cluster, ...this.command] : this.command;
    if (command.length === 0)
      throw new UsageError('give the command after --, e.g. jumpbox exec tkc-1 --all -- hostname');
    return {
      clusters: parseClusterChoice({
        names: this.allClusters ? [] : [this.cluster],
        what: 'CLUSTER',
        allClusters: this.allClusters,
        namespace: this.namespace,
        namespaces: this.namespaces,
        allNamespaces: this.allNamespaces,
        parallelClusters: this.parallelClusters,
      }),
      access: this.nodeAccess(),
      pick: parseNodePick({ nodes: this.node ?? [], role: this.role, all: this.allNodes }),
      sudo: this.sudo,
      command,
    };
  }

  protected async run(session: Session, request: JumpboxExecRequest): Promise<number> {
    return (await import('../../app/jumpbox-exec.js')).jumpboxExec(session, request);
  }
}
