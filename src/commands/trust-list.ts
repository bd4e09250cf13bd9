import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';

export class TrustListCommand extends BaseCommand {
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
  containerdDir = Option.String('--containerd-dir', { description: 'With --local: a containerd certs.d directory too' });

  protected override outputFormats(): readonly string[] {
    return ['json', 'yaml', 'wide'];
  }

  async run(): Promise<number> {
    const { trustList } = await import('../tanzu/trust-list.js');
    return trustList(this.io(), { supervisor: this.supervisor, tkgs: this.tkgs, cluster: this.cluster, local: this.local, containerdDir: this.containerdDir });
  }
}
