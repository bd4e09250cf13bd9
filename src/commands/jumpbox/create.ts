import { Command, Option } from 'clipanion';
import type { Session } from '../../app/session.js';
import { checkObjectName } from '../../names.js';
import type { JumpboxCreateRequest } from '../../app/jumpbox.js';
import { NodeAccessCommand } from '../options.js';

export class JumpboxCreateCommand extends NodeAccessCommand<JumpboxCreateRequest> {
  static override paths = [['jumpbox', 'create']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: "Create (or reuse) the relay pod that reaches a cluster's nodes",
    details: `
      The jumpbox only relays TCP to a node's port 22: it holds no SSH client, installs nothing and never sees the key. It runs as non-root with all capabilities dropped, a read-only root filesystem and no ServiceAccount token, and ends itself after \`--ttl\`. Run this in the cluster's vSphere Namespace context (a TKC context works when its Supervisor context is in the kubeconfig).

      Air-gapped: pass \`--image\` with any image that has nc or bash, for example one pushed to the embedded Harbor, and \`--pull-secret <ns>-default-image-pull-secret\`.
    `,
    examples: [
      ['Create it', '$0 jumpbox create tkc-1'],
      [
        'Air-gapped',
        '$0 jumpbox create tkc-1 --image 10.0.0.5/library/busybox:1.36 --pull-secret dev-default-image-pull-secret',
      ],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER' });

  protected request(): JumpboxCreateRequest {
    return { cluster: checkObjectName(this.cluster, 'CLUSTER'), access: this.nodeAccess() };
  }

  protected async run(session: Session, request: JumpboxCreateRequest): Promise<number> {
    return (await import('../../app/jumpbox.js')).jumpboxCreate(session, request);
  }
}
