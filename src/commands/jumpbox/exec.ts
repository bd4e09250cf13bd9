import { Command, Option } from 'clipanion';
import type { Session } from '../../app/session.js';
import { checkObjectName } from '../../names.js';
import type { JumpboxExecRequest } from '../../app/jumpbox-exec.js';
import { UsageError } from '../../errors.js';
import type { OutputFormat } from '../../output/printer.js';
import { NodeAccessCommand, parseNodePick, roleOption } from '../options.js';

export class JumpboxExecCommand extends NodeAccessCommand<JumpboxExecRequest> {
  static override paths = [['jumpbox', 'exec']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Run a command on cluster nodes over SSH through the jumpbox',
    details: `
      Connects to each chosen node as vmware-system-user with the key from secret \`<cluster>-ssh\` (or the password from \`<cluster>-ssh-password\`), held in memory only, through a TCP relay in the jumpbox (or \`--direct\`). Host keys are pinned on first use; a changed key is refused unless \`--accept-new-host-key\`. Nodes run concurrently; output lines are prefixed by node, or \`-o json\` gives one record per node. The exit code is 1 if any node failed.
    `,
    examples: [
      ['Every node', '$0 jumpbox exec tkc-1 --all -- hostname'],
      ['Control plane, as root', '$0 jumpbox exec tkc-1 --role controlplane --sudo -- systemctl is-active containerd'],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER' });
  node = Option.Array('--node', { description: 'A node: VM name, unique prefix or IP (repeatable)' });
  role = roleOption();
  allNodes = Option.Boolean('--all', false, { description: 'Every node of the cluster' });
  sudo = Option.Boolean('--sudo', false, { description: 'Run the command through sudo' });
  command = Option.Rest({ name: 'CMD' });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): JumpboxExecRequest {
    if (this.command.length === 0)
      throw new UsageError('give the command after --, e.g. jumpbox exec tkc-1 --all -- hostname');
    return {
      cluster: checkObjectName(this.cluster, 'CLUSTER'),
      access: this.nodeAccess(),
      pick: parseNodePick({ nodes: this.node ?? [], role: this.role, all: this.allNodes }),
      sudo: this.sudo,
      command: this.command,
    };
  }

  protected async run(session: Session, request: JumpboxExecRequest): Promise<number> {
    return (await import('../../app/jumpbox-exec.js')).jumpboxExec(session, request);
  }
}
