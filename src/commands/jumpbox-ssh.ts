import { Command, Option } from 'clipanion';
import { JumpboxBase } from './jumpbox-shared.js';

export class JumpboxSshCommand extends JumpboxBase {
  static override paths = [['jumpbox', 'ssh']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'An interactive shell on a cluster node through the jumpbox',
    details: `
      NODE is a VM name, a unique prefix or an IP. On a terminal you get a PTY that follows the window size; the exit code is the remote shell's.
    `,
    examples: [['Shell on the control plane', '$0 jumpbox ssh tkc-1 tkc-1-control-plane']],
  });

  cluster = Option.String({ name: 'CLUSTER' });
  nodeName = Option.String({ name: 'NODE' });

  async run(): Promise<number> {
    const { jumpboxSsh } = await import('../tanzu/run-jumpbox.js');
    return jumpboxSsh(this.io(), this.cluster, this.nodeName, this.jumpboxFlags());
  }
}
