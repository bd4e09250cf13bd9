import { Command, Option } from 'clipanion';
import type { Session } from '../../app/session.js';
import { checkObjectName } from '../../names.js';
import type { JumpboxSshRequest } from '../../app/jumpbox-exec.js';
import { NodeAccessCommand } from '../options.js';

export class JumpboxSshCommand extends NodeAccessCommand<JumpboxSshRequest> {
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

  protected request(): JumpboxSshRequest {
    return { cluster: checkObjectName(this.cluster, 'CLUSTER'), node: this.nodeName, access: this.nodeAccess() };
  }

  protected async run(session: Session, request: JumpboxSshRequest): Promise<number> {
    return (await import('../../app/jumpbox-exec.js')).jumpboxSsh(session, request);
  }
}
