import { Command, Option } from 'clipanion';
import { BaseCommand } from './base.js';

export class TrustCommand extends BaseCommand {
  static override paths = [['trust']];

  static override usage = Command.Usage({
    category: 'Trust',
    description: "Make the Supervisor, TKGS, a cluster or this machine trust the registry's CA",
    details: `
      Finds the CA once, shows it (subject, issuer, validity, SHA-256 fingerprint, whether it is a CA and self-signed), and installs it where you point, keeping everything already there.

      The CA comes from \`--ca-file\` (PEM, a chain, a bundle, or DER) or from the registry (\`--from-registry\`, the default when a registry is named): Harbor's \`/api/v2.0/systeminfo/getcert\`, the Harbor 1.x \`/api/systeminfo/getcert\`, or the root of the chain the server presents. A CA from the network must be pinned with \`--fingerprint sha256:…\`, or confirmed with \`--yes\` or on a terminal. Expired certificates, certificates that are not CAs (unless \`--allow-leaf\` for a self-signed server certificate) and anything that is not a certificate are refused.

      Targets: \`--supervisor\` appends to kube-system/image-fetcher-ca-bundle (vSphere Pods); \`--tkgs\` upserts into TkgServiceConfiguration (new clusters only: existing ones get it after a rolling update, or now with \`kubectl harbor push-ca\`); \`--cluster NAME\` sets the cluster's own trust (this rolls its nodes, so it asks first); \`--local\` writes certs.d for docker (and containerd with \`--containerd-dir\`, podman and skopeo as root). With no target, the CA is printed as PEM.

      \`--remove\` takes the CA (by \`--name\`, or by its fingerprint) out of the chosen targets and nothing else. A new CA under an existing name replaces the old one, and says so.
    `,
    examples: [
      ['Show the CA a registry uses', '$0 trust harbor.example.com'],
      ['Trust it on the Supervisor and for new TKCs, pinned', '$0 trust harbor.example.com --supervisor --tkgs --fingerprint sha256:…'],
      ['From a file, for docker and skopeo on this machine', '$0 trust harbor.example.com --ca-file ca.crt --local'],
      ['Rotate or remove by name', '$0 trust --tkgs --name harbor-ca --remove'],
    ],
  });

  registry = Option.String({ required: false, name: 'REGISTRY' });
  caFile = Option.String('--ca-file', { description: 'The CA: PEM (one, a chain, a bundle) or DER' });
  fromRegistry = Option.String('--from-registry', { description: 'Fetch the CA from this registry (HOST[:PORT])' });
  fingerprint = Option.String('--fingerprint', { description: 'Pin the CA: sha256:<64 hex digits>' });
  yes = Option.Boolean('-y,--yes', false, { description: 'Trust a fetched CA without pinning, and allow cluster rolls, without asking' });
  allowLeaf = Option.Boolean('--allow-leaf', false, { description: 'Accept a self-signed server certificate that is not a CA' });
  name = Option.String('--name', { description: 'Name of the entry (letters, digits, - _ .; default from the registry)' });
  supervisor = Option.Boolean('--supervisor', false, { description: 'kube-system/image-fetcher-ca-bundle on the Supervisor' });
  tkgs = Option.Boolean('--tkgs', false, { description: 'TkgServiceConfiguration: trusted by clusters created from now on' });
  cluster = Option.String('--cluster', { description: "This cluster's own trust (rolls its nodes)" });
  local = Option.Boolean('--local', false, { description: 'certs.d on this machine for docker (and containerd, podman, skopeo)' });
  containerdDir = Option.String('--containerd-dir', { description: 'With --local: a containerd certs.d directory to write too' });
  remove = Option.Boolean('--remove', false, { description: 'Remove the CA from the chosen targets instead' });
  dryRun = Option.String('--dry-run', { tolerateBoolean: true, description: 'client or server: show what would change, change nothing' });

  protected override dryRunMode(): 'client' | 'server' | undefined {
    return this.dryRun === true || this.dryRun === 'client' ? 'client' : this.dryRun === 'server' ? 'server' : undefined;
  }

  async run(): Promise<number> {
    const { trust } = await import('../tanzu/run-trust.js');
    return trust(this.io(), {
      registry: this.registry,
      caFile: this.caFile,
      fromRegistry: this.fromRegistry,
      fingerprint: this.fingerprint,
      yes: this.yes,
      allowLeaf: this.allowLeaf,
      name: this.name,
      supervisor: this.supervisor,
      tkgs: this.tkgs,
      cluster: this.cluster,
      local: this.local,
      containerdDir: this.containerdDir,
      remove: this.remove,
      dryRun: this.dryRun,
    });
  }
}
