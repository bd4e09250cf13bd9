import { Command, Option } from 'clipanion';
import type { Session } from '../../app/session.js';
import type { TrustListRequest } from '../../app/trust-list.js';
import { checkObjectName } from '../../names.js';
import type { OutputFormat } from '../../output/printer.js';
import { BaseCommand } from '../base.js';
import { nonEmpty, supervisorContextOption } from '../options.js';

export class TrustListCommand extends BaseCommand<TrustListRequest> {
  static override paths = [['trust', 'list']];

  static override usage = Command.Usage({
    category: 'Trust',
    description: 'List the CAs trusted on the Supervisor, in TKGS, by a cluster and on this machine',
    details: `
      Shows every trusted CA across the chosen targets (all of them when none is chosen): name, subject, expiry, days left and SHA-256 fingerprint. \`-o json|yaml\` for scripts.
    `,
    examples: [
      ['Everything', '$0 trust list'],
      ['Only TKGS, as JSON', '$0 trust list --tkgs -o json'],
    ],
  });

  supervisor = Option.Boolean('--supervisor', false, { description: 'kube-system/image-fetcher-ca-bundle' });
  tkgs = Option.Boolean('--tkgs', false, { description: 'TkgServiceConfiguration' });
  cluster = Option.String('--cluster', { description: "A cluster's own trust" });
  local = Option.Boolean('--local', false, { description: 'certs.d on this machine' });
  containerdDir = Option.String('--containerd-dir', {
    description: 'With --local: a containerd certs.d directory too',
  });

  supervisorContext = supervisorContextOption();

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml', 'wide'];
  }

  protected request(): TrustListRequest {
    return {
      supervisor: this.supervisor,
      tkgs: this.tkgs,
      cluster: this.cluster === undefined ? undefined : checkObjectName(this.cluster, '--cluster'),
      local: this.local,
      containerdDir: nonEmpty('--containerd-dir', this.containerdDir),
    };
  }

  protected async run(session: Session, request: TrustListRequest): Promise<number> {
    return (await import('../../app/trust-list.js')).trustList(session, request);
  }
}
