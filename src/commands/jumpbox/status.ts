import { Command, Option } from 'clipanion';
import type { JumpboxStatusRequest } from '../../app/jumpbox.js';
import type { Session } from '../../app/session.js';
import { checkObjectName } from '../../names.js';
import type { OutputFormat } from '../../output/printer.js';
import { BaseCommand } from '../base.js';
import { supervisorContextOption } from '../options.js';

export class JumpboxStatusCommand extends BaseCommand<JumpboxStatusRequest> {
  static override paths = [['jumpbox', 'status']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: "Show a cluster's jumpbox and nodes",
    examples: [['Status', '$0 jumpbox status tkc-1']],
  });

  cluster = Option.String({ name: 'CLUSTER' });

  supervisorContext = supervisorContextOption();

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): JumpboxStatusRequest {
    return { cluster: checkObjectName(this.cluster, 'CLUSTER') };
  }

  protected async run(session: Session, request: JumpboxStatusRequest): Promise<number> {
    return (await import('../../app/jumpbox.js')).jumpboxStatus(session, request);
  }
}
