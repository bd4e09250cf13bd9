import { Command, Option } from 'clipanion';
import type { JumpboxDeleteRequest } from '../../app/jumpbox.js';
import type { Session } from '../../app/session.js';
import { checkObjectName } from '../../names.js';
import { UsageError } from '../../errors.js';
import { BaseCommand } from '../base.js';
import { supervisorContextOption } from '../options.js';

export class JumpboxDeleteCommand extends BaseCommand<JumpboxDeleteRequest> {
  static override paths = [['jumpbox', 'delete']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: "Delete a cluster's jumpbox, or every one kubectl-harbor made in the namespace (--all)",
    examples: [
      ['One', '$0 jumpbox delete tkc-1'],
      ['All in the namespace', '$0 jumpbox delete --all'],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER', required: false });
  all = Option.Boolean('--all', false, { description: 'Every jumpbox in the namespace' });

  supervisorContext = supervisorContextOption();

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected request(): JumpboxDeleteRequest {
    if ((this.cluster === undefined) === !this.all) throw new UsageError('name the cluster, or pass --all');
    return this.cluster === undefined
      ? { kind: 'all' }
      : { kind: 'one', cluster: checkObjectName(this.cluster, 'CLUSTER') };
  }

  protected async run(session: Session, request: JumpboxDeleteRequest): Promise<number> {
    return (await import('../../app/jumpbox.js')).jumpboxDelete(session, request);
  }
}
