import path from 'node:path';
import { Command, Option } from 'clipanion';
import type { ClusterChoice } from '../../app/clusters.js';
import type { Session } from '../../app/session.js';
import type { TrustRequest } from '../../app/trust.js';
import { UsageError } from '../../errors.js';
import { caNameFor, checkCaName } from '../../names.js';
import { parseRegistry } from '../../registry/endpoint.js';
import { BaseCommand } from '../base.js';
import {
  CaOptions,
  ClusterOptions,
  dryRunOption,
  nonEmpty,
  parseCaSource,
  parseClusterChoice,
  parseDryRun,
  supervisorContextOption,
} from '../options.js';

export class TrustCommand extends BaseCommand<TrustRequest> {
  static override paths = [['trust']];

  static override usage = Command.Usage({
    category: 'Trust',
    description: "Make the Supervisor, TKGS, a cluster or this machine trust the registry's CA",
    details: `
      Finds the CA once, shows it (subject, issuer, validity, SHA-256 fingerprint, whether it is a CA and self-signed), and installs it where you point, keeping everything already there.

      The CA comes from \`--ca-file\` (PEM, a chain, a bundle, or DER) or from the registry (\`--from-registry\`, the default when a registry is named): Harbor's \`/api/v2.0/systeminfo/getcert\`, the Harbor 1.x \`/api/systeminfo/getcert\`, or the root of the chain the server presents. A CA from the network must be pinned with \`--fingerprint sha256:…\`, or confirmed with \`--yes\` or on a terminal. Expired certificates, certificates that are not CAs (unless \`--allow-leaf\` for a self-signed server certificate) and anything that is not a certificate are refused.

      Targets: \`--supervisor\` appends to kube-system/image-fetcher-ca-bundle (vSphere Pods); \`--tkgs\` upserts into TkgServiceConfiguration (new clusters only: existing ones get it after a rolling update, or now with \`kubectl harbor push-ca\`); \`--cluster NAME\` sets the cluster's own trust (this rolls its nodes, so it asks first; several: \`--cluster a,b\` or repeated, or \`--all-clusters\` for every TanzuKubernetesCluster and Cluster in \`-n\`, \`--namespaces a,b\` or \`-A\`, \`--parallel-clusters\` at once, then a summary per cluster, and \`-o json\` nests the objects under \`clusters[]\`); \`--local\` writes certs.d for docker (and containerd with \`--containerd-dir\`, podman and skopeo as root). With no target, the CA is printed as PEM.

      \`--remove\` takes the CA (by \`--name\`, or by its fingerprint) out of the chosen targets and nothing else. A new CA under an existing name replaces the old one in TKGS and a TanzuKubernetesCluster, and says so; on a Cluster (ClusterClass) it goes under a new key beside the old one, because VKS does not watch the secret: the nodes roll, and the old one stays until you remove it.

      On VKS (\`builtin-generic-v3.x\` classes) the CA goes into the \`osConfiguration\` variable (\`caCert.secretRef\`, else \`content\`); on the older \`tanzukubernetescluster\` class into the \`trust\` variable; both through secret \`<cluster>-user-trusted-ca-secret\`. The CA of a Harbor Supervisor Service is installed on the clusters by VKS itself: \`--cluster\` and \`--tkgs\` then add nothing unless \`--even-if-distributed\`.
    `,
    examples: [
      ['Show the CA a registry uses', '$0 trust harbor.example.com'],
      [
        'Trust it on the Supervisor and for new TKCs, pinned',
        '$0 trust harbor.example.com --supervisor --tkgs --fingerprint sha256:…',
      ],
      ['From a file, for docker and skopeo on this machine', '$0 trust harbor.example.com --ca-file ca.crt --local'],
      ['Rotate or remove by name', '$0 trust --tkgs --name harbor-ca --remove'],
      [
        'Every cluster of a vSphere Namespace',
        '$0 trust harbor.example.com --all-clusters -n dev --fingerprint sha256:… --yes',
      ],
    ],
  });

  registry = Option.String({ required: false, name: 'REGISTRY' });
  caFile = CaOptions.caFile();
  fromRegistry = CaOptions.fromRegistry();
  fingerprint = CaOptions.fingerprint();
  yes = Option.Boolean('-y,--yes', false, {
    description: 'Trust a fetched CA without pinning, and allow cluster rolls, without asking',
  });
  allowLeaf = CaOptions.allowLeaf();
  name = Option.String('--name', {
    description: 'Name of the entry (letters, digits, - _ .; default from the registry)',
  });
  supervisor = Option.Boolean('--supervisor', false, {
    description: 'kube-system/image-fetcher-ca-bundle on the Supervisor',
  });
  tkgs = Option.Boolean('--tkgs', false, {
    description: 'TkgServiceConfiguration: trusted by clusters created from now on',
  });
  cluster = Option.Array('--cluster', {
    description: "This cluster's own trust (rolls its nodes); repeatable, or a,b",
  });
  allClusters = ClusterOptions.allClusters();
  namespaces = ClusterOptions.namespaces();
  allNamespaces = ClusterOptions.allNamespaces();
  parallelClusters = ClusterOptions.parallelClusters();
  local = Option.Boolean('--local', false, {
    description: 'certs.d on this machine for docker (and containerd, podman, skopeo)',
  });
  containerdDir = Option.String('--containerd-dir', {
    description: 'With --local: a containerd certs.d directory to write too',
  });
  remove = Option.Boolean('--remove', false, { description: 'Remove the CA from the chosen targets instead' });
  evenIfDistributed = Option.Boolean('--even-if-distributed', false, {
    description:
      'With --cluster or --tkgs: add the CA even when VKS already installs it (the Harbor Supervisor Service CA)',
  });
  dryRun = dryRunOption('client or server: show what would change, change nothing');
  supervisorContext = supervisorContextOption();

  protected override dryRunFlag(): string | boolean | undefined {
    return this.dryRun;
  }

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected request(): TrustRequest {
    const source = parseCaSource(this);
    const registry = this.registry === undefined ? undefined : parseRegistry(this.registry);
    const host = registry?.host ?? (source.fromRegistry ? parseRegistry(source.fromRegistry).host : undefined);
    const fromRegistry = source.fromRegistry ?? (registry && !source.caFile ? host : undefined);
    const clusters = this.clusterChoice();
    const containerdDir = nonEmpty('--containerd-dir', this.containerdDir);
    const targets = [this.supervisor, this.tkgs, clusters !== undefined, this.local].filter(Boolean).length;
    if (containerdDir && !this.local) throw new UsageError('--containerd-dir goes with --local');
    if (this.local && !host)
      throw new UsageError('--local needs the registry: name it (host[:port]), the certs.d directory is per host');
    if (this.remove && targets === 0)
      throw new UsageError('--remove needs a target: --supervisor, --tkgs, --cluster NAME or --local');
    if (!source.caFile && !fromRegistry) {
      if (!this.remove)
        throw new UsageError(
          'say where the CA comes from: name the registry, or --ca-file FILE, or --from-registry HOST[:PORT]',
        );
      if (this.name === undefined && !source.fingerprint)
        throw new UsageError('--remove needs the CA: --name NAME, --fingerprint sha256:…, --ca-file or the registry');
      if (this.supervisor && !source.fingerprint)
        throw new UsageError(
          '--supervisor --remove needs the fingerprint (the bundle has no names): --fingerprint sha256:… or the CA itself',
        );
    }
    const name = checkCaName(
      this.name ??
        (host
          ? caNameFor(host)
          : source.caFile
            ? path.basename(source.caFile).replace(/\.(pem|crt|cer|der)$/i, '')
            : 'harbor-ca'),
    );
    return {
      host,
      source: { ...source, fromRegistry },
      name,
      supervisor: this.supervisor,
      tkgs: this.tkgs,
      clusters,
      local: this.local,
      containerdDir,
      remove: this.remove,
      yes: this.yes,
      evenIfDistributed: this.evenIfDistributed,
      dryRun: parseDryRun(this.dryRun),
    };
  }

  /** --cluster NAME..., --all-clusters, or no cluster target (then --namespaces and -A have nothing to choose). */
  private clusterChoice(): ClusterChoice | undefined {
    if (this.cluster === undefined && !this.allClusters) {
      if (this.namespaces !== undefined || this.allNamespaces)
        throw new UsageError('--namespaces and -A say where --all-clusters looks');
      return undefined;
    }
    return parseClusterChoice({
      names: this.cluster ?? [],
      what: '--cluster',
      allClusters: this.allClusters,
      namespace: this.namespace,
      namespaces: this.namespaces,
      allNamespaces: this.allNamespaces,
      parallelClusters: this.parallelClusters,
    });
  }

  protected async run(session: Session, request: TrustRequest): Promise<number> {
    return (await import('../../app/trust.js')).trust(session, request);
  }
}
