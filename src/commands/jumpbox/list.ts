import { Command, Option } from 'clipanion';
import type { JumpboxListRequest } from '../../app/jumpbox.js';
import type { Session } from '../../app/session.js';
import { UsageError } from '../../errors.js';
import type { OutputFormat } from '../../output/printer.js';
import { BaseCommand } from '../base.js';
import { supervisorContextOption } from '../options.js';

export class JumpboxListCommand extends BaseCommand<JumpboxListRequest> {
  static override paths = [['jumpbox', 'list']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'List the jumpbox pods kubectl-harbor made',
    examples: [['Everywhere', '$0 jumpbox list -A']],
  });

  all = Option.Boolean('-A,--all-namespaces', false, { description: 'In every namespace' });

  supervisorContext = supervisorContextOption();

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml', 'name'];
  }

  protected request(): JumpboxListRequest {
    if (this.all && this.namespace !== undefined)
      throw new UsageError('use either -n/--namespace or -A/--all-namespaces, not both');
    return { allNamespaces: this.all };
  }

  protected async run(session: Session, request: JumpboxListRequest): Promise<number> {
    return (await import('../../app/jumpbox.js')).jumpboxList(session, request);
  }
}
