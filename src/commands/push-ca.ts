import { Command, Option } from 'clipanion';
import type { ClusterChoice } from '../app/clusters.js';
import type { PushCaRequest } from '../app/push-ca.js';
import type { PushCaDaemonSetRequest } from '../app/push-ca-daemonset.js';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import { caNameFor, checkCaName, checkObjectName } from '../names.js';
import type { OutputFormat } from '../output/printer.js';
import { parseRegistry } from '../registry/endpoint.js';
import {
  CaOptions,
  ClusterOptions,
  NodeAccessCommand,
  nonEmpty,
  parseCaSource,
  parseClusterChoice,
  parseNodePick,
  parseSeconds,
  RESTART,
  roleOption,
  VIA,
} from './options.js';
import * as t from 'typanion';

export class PushCaCommand extends NodeAccessCommand<PushCaRequest | PushCaDaemonSetRequest> {
  static override paths = [['push-ca']];

  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Make every node of an existing cluster trust the registry CA, now, without a roll',
    details: `
      TkgServiceConfiguration trust reaches only new clusters and the per-cluster field rolls every node. push-ca fixes a running cluster in place: through the jumpbox tunnel (or \`--via direct\`), it runs one script under sudo on each node, with its inputs on stdin, that installs the CA only where it is missing: Photon (\`/etc/ssl/certs/<name>.pem\` + \`rehash_ca_certificates.sh\`, else the bundle), Ubuntu (\`/usr/local/share/ca-certificates\`, then what \`update-ca-certificates\` does for one certificate: the link, the bundle, \`openssl rehash\`; the tool itself where the node has hooks), containerd \`certs.d/<host>/ca.crt\` + \`hosts.toml\` (no restart needed) and Docker \`certs.d\`. Bundles are backed up and written atomically. containerd is restarted only when the system bundle changed (\`--restart auto\`), one control-plane node at a time. Each node then checks a TLS handshake to the registry against its own trust store.

      The CA comes from \`--ca-file\` or \`--from-registry\` with the same inspection and pinning as \`trust\`. A re-run changes nothing and restarts nothing.

      Several clusters: name them (\`push-ca tkc-1 tkc-2\`, in the namespace of \`-n\`), or \`--all-clusters\` for every TanzuKubernetesCluster and Cluster in \`-n\`, \`--namespaces a,b\` or \`-A\`. \`--parallel-clusters\` are worked on at once; a failing cluster fails alone. The node rows gain a CLUSTER column and a summary per cluster follows (CLUSTER NAMESPACE RESULT DETAIL); \`-o json\` nests the nodes under \`clusters[]\`.

      \`--via daemonset\` goes through the cluster's own API instead of SSH (its context in the kubeconfig, else the Cluster API secret \`<cluster>-kubeconfig\` in the vSphere Namespace): a DaemonSet in kube-system writes containerd's \`certs.d/<host>/ca.crt\` and \`hosts.toml\` on every node (no restart), with an image every node already holds (\`imagePullPolicy: Never\`) or \`--image\`. Each node reports in its pod's log; the DaemonSet is removed once all did (\`--keep\` leaves it, so nodes added later get the CA). Nodes whose containerd has no \`config_path\` are \`needs-restart\`; \`--allow-restart\` updates their OS trust store and restarts containerd, one node at a time, from a privileged pod. \`--remove\` puts back what it replaced on every node. Several clusters and \`--all-clusters\` work as over SSH: each cluster is reached on its own (its secret read in the vSphere Namespace it was found in), its status lines are tagged \`push-ca [CLUSTER]\`, and \`--dry-run\` takes one CLUSTER.
    `,
    examples: [
      [
        'Through a DaemonSet, kept for new nodes',
        '$0 push-ca tkc-1 --via daemonset --ca-file ca.crt --registry harbor.example.com --keep',
      ],
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
  via = Option.String('--via', 'jumpbox', {
    validator: t.isEnum([...VIA]),
    description: 'jumpbox, direct (SSH) or daemonset (the cluster API)',
  });
  restart = Option.String('--restart', 'auto', {
    validator: t.isEnum([...RESTART]),
    description: 'Restart containerd: auto (when the system bundle changed), always or never',
  });
  evenIfDistributed = Option.Boolean('--even-if-distributed', false, {
    description: 'Install the CA even when VKS already does (the Harbor Supervisor Service CA)',
  });
  dryRun = Option.Boolean('--dry-run', false, {
    description:
      'Connect and report what each node would change; change nothing (--via daemonset: print the DaemonSet)',
  });
  remove = Option.Boolean('--remove', false, {
    description: '--via daemonset: take the CA files it wrote away again on every node, and the DaemonSet',
  });
  allowRestart = Option.Boolean('--allow-restart', false, {
    description:
      '--via daemonset: on nodes whose containerd has no config_path, update the OS trust store and restart containerd',
  });
  timeout = Option.String('--timeout', {
    description: '--via daemonset: how long to wait for every node to report (default 2m)',
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml', 'wide'];
  }

  protected request(): PushCaRequest | PushCaDaemonSetRequest {
    if (this.via === 'daemonset') return this.daemonSetRequest();
    if (this.remove || this.allowRestart || this.timeout !== undefined)
      throw new UsageError('--remove, --allow-restart and --timeout go with --via daemonset');
    const clusters = this.clusterChoice();
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

  private clusterChoice(): ClusterChoice {
    return parseClusterChoice({
      names: this.clusters,
      what: 'CLUSTER',
      allClusters: this.allClusters,
      namespace: this.namespace,
      namespaces: this.namespaces,
      allNamespaces: this.allNamespaces,
      parallelClusters: this.parallelClusters,
    });
  }

  private daemonSetRequest(): PushCaDaemonSetRequest {
    if (this.direct || (this.nodes ?? []).length > 0 || this.role !== undefined || this.restart !== 'auto')
      throw new UsageError(
        '--via daemonset runs on every node through the cluster API: --direct, --nodes, --role and --restart are for --via jumpbox|direct (use --allow-restart)',
      );
    const clusters = this.clusterChoice();
    const one = clusters.selection.kind === 'named' && clusters.selection.names.length === 1;
    if (this.dryRun && !one)
      throw new UsageError(
        '--dry-run with --via daemonset prints one DaemonSet: name one CLUSTER (not several, nor --all-clusters)',
      );
    if (this.remove && (this.allowRestart || this.keep))
      throw new UsageError('--remove takes neither --allow-restart nor --keep');
    const source = parseCaSource(this);
    const from = this.registry ?? source.fromRegistry;
    if (!from)
      throw new UsageError('name the registry the nodes pull from: --registry HOST[:PORT] (or --from-registry)');
    const host = parseRegistry(from).host;
    if (!this.remove && !source.caFile && !source.fromRegistry)
      throw new UsageError('say where the CA comes from: --ca-file FILE, or --from-registry HOST[:PORT]');
    return {
      via: 'daemonset',
      clusters,
      source: this.remove ? undefined : source,
      host,
      name: checkCaName(this.name ?? caNameFor(host)),
      image: nonEmpty('--image', this.image),
      pullSecrets: (this.pullSecret ?? []).map((s) => checkObjectName(s, '--pull-secret')),
      keep: this.keep,
      remove: this.remove,
      allowRestart: this.allowRestart,
      timeoutMs: parseSeconds('--timeout', this.timeout ?? '2m', 10, '2m or 5m') * 1000,
      evenIfDistributed: this.evenIfDistributed,
      dryRun: this.dryRun,
    };
  }

  protected async run(session: Session, request: PushCaRequest | PushCaDaemonSetRequest): Promise<number> {
    if ('via' in request) return (await import('../app/push-ca-daemonset.js')).pushCaDaemonSet(session, request);
    return (await import('../app/push-ca.js')).pushCa(session, request);
  }
}
