import { Command, Option } from 'clipanion';
import { JumpboxBase } from './jumpbox-shared.js';

export class PushCaCommand extends JumpboxBase {
  static override paths = [['push-ca']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Make every node of an existing cluster trust the registry CA, now, without a roll',
    details: `
      TkgServiceConfiguration trust reaches only new clusters and the per-cluster field rolls every node. push-ca fixes a running cluster in place: through the jumpbox tunnel (or \`--via direct\`), it runs one script under sudo on each node, with its inputs on stdin, that installs the CA only where it is missing: Photon (\`/etc/ssl/certs/<name>.pem\` + \`rehash_ca_certificates.sh\`, else the bundle), Ubuntu (\`/usr/local/share/ca-certificates\` + \`update-ca-certificates\`), containerd \`certs.d/<host>/ca.crt\` + \`hosts.toml\` (no restart needed) and Docker \`certs.d\`. Bundles are backed up and written atomically. containerd is restarted only when the system bundle changed (\`--restart auto\`), one control-plane node at a time. Each node then checks a TLS handshake to the registry against its own trust store.

      The CA comes from \`--ca-file\` or \`--from-registry\` with the same inspection and pinning as \`trust\`. A re-run changes nothing and restarts nothing.
    `,
    examples: [
      ['Every node, CA pinned', '$0 push-ca tkc-1 --from-registry harbor.example.com --fingerprint sha256:…'],
      ['From a file, workers only, preview', '$0 push-ca tkc-1 --ca-file ca.crt --registry harbor.example.com --role node --dry-run'],
    ],
  });

  cluster = Option.String({ name: 'CLUSTER' });
  caFile = Option.String('--ca-file', { description: 'The CA: PEM (one, a chain, a bundle) or DER' });
  fromRegistry = Option.String('--from-registry', { description: 'Fetch the CA from this registry (HOST[:PORT])' });
  fingerprint = Option.String('--fingerprint', { description: 'Pin the CA: sha256:<64 hex digits>' });
  yes = Option.Boolean('-y,--yes', false, { description: 'Trust a fetched CA without pinning' });
  allowLeaf = Option.Boolean('--allow-leaf', false, { description: 'Accept a self-signed server certificate that is not a CA' });
  registry = Option.String('--registry', { description: 'HOST[:PORT] the nodes pull from (default: where the CA came from)' });
  name = Option.String('--name', { description: 'File name of the CA on the nodes (default from the registry)' });
  nodes = Option.Array('--nodes', { description: 'Only these nodes (VM name, prefix or IP; repeatable)' });
  role = Option.String('--role', { description: 'Only controlplane or node' });
  via = Option.String('--via', 'jumpbox', { description: 'jumpbox or direct' });
  restart = Option.String('--restart', 'auto', { description: 'Restart containerd: auto (when the system bundle changed), always or never' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Connect and report what each node would change; change nothing' });

  protected override outputFormats(): readonly string[] {
    return ['json', 'yaml', 'wide'];
  }

  async run(): Promise<number> {
    const { pushCa } = await import('../tanzu/push-ca.js');
    return pushCa(this.io(), this.cluster, {
      ...this.jumpboxFlags(),
      caFile: this.caFile,
      fromRegistry: this.fromRegistry,
      fingerprint: this.fingerprint,
      yes: this.yes,
      allowLeaf: this.allowLeaf,
      registry: this.registry,
      name: this.name,
      nodes: this.nodes ?? [],
      role: this.role,
      via: this.via,
      restart: this.restart,
      dryRun: this.dryRun,
    });
  }
}
