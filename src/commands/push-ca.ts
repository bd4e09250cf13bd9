import { Command, Option } from 'clipanion';
import type { PushCaRequest } from '../app/push-ca.js';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import { caNameFor, checkCaName } from '../names.js';
import type { OutputFormat } from '../output/printer.js';
import { parseRegistry } from '../registry/endpoint.js';
import {
  CaOptions,
  ClusterOptions,
  NodeAccessCommand,
  parseCaSource,
  parseClusterChoice,
  parseNodePick,
  RESTART,
  roleOption,
  VIA,
} from './options.js';
import * as t from 'typanion';

export class PushCaCommand extends NodeAccessCommand<PushCaRequest> {
  static override paths = [['push-ca']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Make every node of an existing cluster trust the registry CA, now, without a roll',
    details: `
      TkgServiceConfiguration trust reaches only new clusters and the per-cluster field rolls every node. push-ca fixes a running cluster in place: through the jumpbox tunnel (or \`--via direct\`), it runs one script under sudo on each node, with its inputs on stdin, that installs the CA only where it is missing: Photon (\`/etc/ssl/certs/<name>.pem\` + \`rehash_ca_certificates.sh\`, else the bundle), Ubuntu (\`/usr/local/share/ca-certificates\` + \`update-ca-certificates\`), containerd \`certs.d/<host>/ca.crt\` + \`hosts.toml\` (no restart needed) and Docker \`certs.d\`. Bundles are backed up and written atomically. containerd is restarted only when the system bundle changed (\`--restart auto\`), one control-plane node at a time. Each node then checks a TLS handshake to the registry against its own trust store.

      The CA comes from \`--ca-file\` or \`--from-registry\` with the same inspection and pinning as \`trust\`. A re-run changes nothing and restarts nothing.

      Several clusters: name them (\`push-ca tkc-1 tkc-2\`, in the namespace of \`-n\`), or \`--all-clusters\` for every TanzuKubernetesCluster and Cluster in \`-n\`, \`--namespaces a,b\` or \`-A\`. \`--parallel-clusters\` are worked on at once; a failing cluster fails alone. The node rows gain a CLUSTER column and a summary per cluster follows (CLUSTER NAMESPACE RESULT DETAIL); \`-o json\` nests the nodes under \`clusters[]\`.
    `,
    examples: [
      ['Every node, CA pinned', '$0 push-ca tkc-1 --from-registry harbor.example.com --fingerprint sha256:…'],
      [
        'Every cluster of two vSphere Namespaces, four at a time',
        '$0 push-ca --all-clusters --namespaces dev,prod --from-registry harbor.example.com --fingerprint sha256:…',
      ],
      [
        'From a file, workers only, preview',
        '$0 push-ca tkc-1 --ca-file ca.crt --registry harbor.example.com --role node --dry-run',
      ],
    ],
  });

  clusters = Option.Rest({ name: 'CLUSTER' });
  allClusters = ClusterOptions.allClusters();
  namespaces = ClusterOptions.namespaces();
  allNamespaces = ClusterOptions.allNamespaces();
  parallelClusters = ClusterOptions.parallelClusters();
  caFile = CaOptions.caFile();
  fromRegistry = CaOptions.fromRegistry();
  fingerprint = CaOptions.fingerprint();
  yes = Option.Boolean('-y,--yes', false, { description: 'Trust a fetched CA without pinning' });
  allowLeaf = CaOptions.allowLeaf();
  registry = Option.String('--registry', {
    description: 'HOST[:PORT] the nodes pull from (default: where the CA came from)',
  });
  name = Option.String('--name', { description: 'File name of the CA on the nodes (default from the registry)' });
  nodes = Option.Array('--nodes', { description: 'Only these nodes (VM name, prefix or IP; repeatable)' });
  role = roleOption();
  via = Option.String('--via', 'jumpbox', { validator: t.isEnum([...VIA]), description: 'jumpbox or direct' });
  restart = Option.String('--restart', 'auto', {
    validator: t.isEnum([...RESTART]),
    description: 'Restart containerd: auto (when the system bundle changed), always or never',
  });
  evenIfDistributed = Option.Boolean('--even-if-distributed', false, {
    description: 'Install the CA even when VKS already does (the Harbor Supervisor Service CA)',
  });
  dryRun = Option.Boolean('--dry-run', false, {
    description: 'Connect and report what each node would change; change nothing',
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml', 'wide'];
  }

  protected request(): PushCaRequest {
    const clusters = parseClusterChoice({
      names: this.clusters,
      what: 'CLUSTER',
      allClusters: this.allClusters,
      namespace: this.namespace,
      namespaces: this.namespaces,
      allNamespaces: this.allNamespaces,
      parallelClusters: this.parallelClusters,
    });
    const source = parseCaSource(this);
    const host =
      this.registry !== undefined
        ? parseRegistry(this.registry).host
        : source.fromRegistry
          ? parseRegistry(source.fromRegistry).host
          : undefined;
    if (!host)
      throw new UsageError('name the registry the nodes pull from: --registry HOST[:PORT] (or --from-registry)');
    if (!source.caFile && !source.fromRegistry)
      throw new UsageError('say where the CA comes from: --ca-file FILE, or --from-registry HOST[:PORT]');
    return {
      clusters,
      access: this.nodeAccess(this.via === 'direct' || this.direct),
      source,
      host,
      name: checkCaName(this.name ?? caNameFor(host)),
      pick: parseNodePick({
        nodes: this.nodes ?? [],
        role: this.role,
        all: (this.nodes ?? []).length === 0 && this.role === undefined,
      }),
      restart: this.restart,
      evenIfDistributed: this.evenIfDistributed,
      dryRun: this.dryRun,
    };
  }

  protected async run(session: Session, request: PushCaRequest): Promise<number> {
    return (await import('../app/push-ca.js')).pushCa(session, request);
  }
}
