// Option groups, declared once and parsed once. Each group is either a factory for
// clipanion options (a command declares `caFile = CaOptions.caFile()`) or an abstract
// command class that holds the fields and turns them into a typed value. Enumerated
// values are typanion enums, listed in ENUMS so that completion offers them.
import { Option } from 'clipanion';
import * as t from 'typanion';
import type { CaSource } from '../app/ca.js';
import type { ClusterChoice } from '../app/clusters.js';
import type { NodeAccess, NodePick } from '../app/nodes.js';
import { DRY_RUN_VALUES, parseDryRun, type DryRun } from '../dryrun.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { NamespaceSelection } from '../kube/namespaces.js';
import { checkNamespaceName, checkObjectName, normalizeFingerprint } from '../names.js';
import { OUTPUT_FORMATS } from '../output/printer.js';
import { BaseCommand } from './base.js';

export const VIA = ['jumpbox', 'direct', 'daemonset'] as const;
export const RESTART = ['auto', 'always', 'never'] as const;
export const ROLES = ['controlplane', 'node'] as const;
export type Via = (typeof VIA)[number];
export type Restart = (typeof RESTART)[number];

/** The values completion offers for each enumerated flag. */
export const ENUMS: Record<string, readonly string[]> = {
  '--output': OUTPUT_FORMATS,
  '--dry-run': DRY_RUN_VALUES,
  '--via': VIA,
  '--restart': RESTART,
  '--role': ROLES,
};

const oneOf = <T extends string>(values: readonly T[]) => t.isEnum(values as T[]);

/** --dry-run[=client|server|none], as kubectl takes it. */
export const dryRunOption = (description = 'client or server: show what would be written, write nothing') =>
  Option.String('--dry-run', { tolerateBoolean: true, description });

/** --supervisor-context, for commands that reach the Supervisor from a TKC context. */
export const supervisorContextOption = () =>
  Option.String('--supervisor-context', {
    description: 'The Supervisor context to use from a TKC context (default: found from the vSphere user)',
  });

export const roleOption = () =>
  Option.String('--role', { validator: oneOf(ROLES), description: 'Only controlplane or node' });

/** A flag value that must not be empty when given (`--flag=`). */
export function nonEmpty(flag: string, v: string | undefined): string | undefined {
  if (v !== undefined && v.trim() === '') throw new UsageError(`${flag} needs a value`);
  return v;
}

/** The CA source shared by trust and push-ca. */
export const CaOptions = {
  caFile: () => Option.String('--ca-file', { description: 'The CA: PEM (one, a chain, a bundle) or DER' }),
  fromRegistry: () =>
    Option.String('--from-registry', { description: 'Fetch the CA from this registry (HOST[:PORT])' }),
  fingerprint: () => Option.String('--fingerprint', { description: 'Pin the CA: sha256:<64 hex digits>' }),
  allowLeaf: () =>
    Option.Boolean('--allow-leaf', false, { description: 'Accept a self-signed server certificate that is not a CA' }),
};

export function parseCaSource(f: {
  caFile: string | undefined;
  fromRegistry: string | undefined;
  fingerprint: string | undefined;
  yes: boolean;
  allowLeaf: boolean;
}): CaSource {
  const caFile = nonEmpty('--ca-file', f.caFile);
  const fromRegistry = nonEmpty('--from-registry', f.fromRegistry);
  if (caFile && fromRegistry) throw new UsageError('use either --ca-file or --from-registry, not both');
  return {
    caFile,
    fromRegistry,
    fingerprint: f.fingerprint === undefined ? undefined : normalizeFingerprint(f.fingerprint),
    yes: f.yes,
    allowLeaf: f.allowLeaf,
  };
}

/** A duration flag in whole seconds, at least `min`. */
export function parseSeconds(flag: string, v: string, minSeconds: number, example: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < minSeconds * 1000)
    throw new UsageError(
      `${flag} "${v}" must be a duration of at least ${minSeconds >= 60 ? `${minSeconds / 60}m` : `${minSeconds}s`}, such as ${example}`,
    );
  return Math.round(ms / 1000);
}

/** -n, --namespaces a,b or -A (at most one): the namespaces a command works in. */
export function parseNamespaceSelection(f: {
  namespace: string | undefined;
  namespaces: string | undefined;
  all: boolean;
  includeSystem: boolean;
}): NamespaceSelection {
  const chosen = [f.namespace !== undefined, f.namespaces !== undefined, f.all].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('use only one of -n/--namespace, --namespaces and -A/--all-namespaces');
  if (f.namespaces !== undefined) {
    const names = [
      ...new Set(
        f.namespaces
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (names.length === 0)
      throw new UsageError('--namespaces needs at least one namespace, e.g. --namespaces dev,prod');
    return { kind: 'list', names: names.map((n) => checkNamespaceName(n)) };
  }
  return f.all ? { kind: 'all', includeSystem: f.includeSystem } : { kind: 'context' };
}

/** login, logout, bind-sa: where (-n, --namespaces, -A, --include-system), how many at once, dry runs. */
export abstract class MultiNamespaceCommand<R> extends BaseCommand<R> {
  namespaces = Option.String('--namespaces', { description: 'Comma-separated namespaces' });
  all = Option.Boolean('-A,--all-namespaces', false, {
    description: 'Every namespace except kube-* and vmware-system-*',
  });
  includeSystem = Option.Boolean('--include-system', false, {
    description: 'With -A, include kube-* and vmware-system-*',
  });
  dryRun = dryRunOption();
  parallel = Option.String('--parallel', '16', {
    validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 128)]),
    description: 'Namespaces worked on at once',
  });

  protected override dryRunFlag(): string | boolean | undefined {
    return this.dryRun;
  }

  protected namespaceSelection(): NamespaceSelection {
    return parseNamespaceSelection(this);
  }

  protected get parallelism(): number {
    return Number(this.parallel);
  }

  protected get dryRunValue(): DryRun {
    return parseDryRun(this.dryRun);
  }
}

/** The jumpbox commands and push-ca: the pod (image, pull secrets, lifetime), the path to the nodes, host keys. */
export abstract class NodeAccessCommand<R> extends BaseCommand<R> {
  image = Option.String('--image', {
    description:
      'Jumpbox image: any image with nc or bash (air-gapped: one in the embedded Harbor); default photon:3.0. push-ca --via daemonset: the DaemonSet image (default: one every node holds)',
  });
  pullSecret = Option.Array('--pull-secret', { description: 'imagePullSecret for the jumpbox image (repeatable)' });
  ttl = Option.String('--ttl', '1h', {
    description: 'The jumpbox ends itself after this long (activeDeadlineSeconds)',
  });
  keep = Option.Boolean('--keep', false, {
    description: 'Keep a jumpbox this command created (push-ca --via daemonset: keep the DaemonSet, for new nodes)',
  });
  direct = Option.Boolean('--direct', false, {
    description: 'Connect to the nodes directly (this machine routes to them), no jumpbox',
  });
  acceptNewHostKey = Option.Boolean('--accept-new-host-key', false, {
    description: "Accept a node's changed host key (a rebuilt node)",
  });
  parallel = Option.String('--parallel', '10', {
    validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 64)]),
    description: 'Nodes worked on at once',
  });
  supervisorContext = supervisorContextOption();

  protected override supervisorContextFlag(): string | undefined {
    return this.supervisorContext;
  }

  protected nodeAccess(direct = this.direct): NodeAccess {
    const image = nonEmpty('--image', this.image) ?? 'photon:3.0';
    return {
      image,
      pullSecrets: (this.pullSecret ?? []).map((s) => checkObjectName(s, '--pull-secret')),
      ttlSeconds: parseSeconds('--ttl', this.ttl, 60, '30m or 2h'),
      keep: this.keep,
      direct,
      acceptNewHostKey: this.acceptNewHostKey,
      parallel: Number(this.parallel),
    };
  }
}

export type { DryRun };
export { parseDryRun };

export function parseNodePick(f: { nodes: string[]; role: string | undefined; all: boolean }): NodePick {
  const chosen = [f.nodes.length > 0, f.role !== undefined, f.all].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError('choose the nodes: --node NAME (repeatable), --role controlplane|node, or --all');
  if (f.all) return { kind: 'all' };
  if (f.role !== undefined) return { kind: 'role', role: f.role as (typeof ROLES)[number] };
  for (const n of f.nodes) if (!n.trim()) throw new UsageError('--node needs a name');
  return { kind: 'names', names: [...new Set(f.nodes)] };
}

/** `--flag` bare (true: the default file), `--flag=PATH`, or absent; `--flag=` is refused. */
export function optionalPath(flag: string, v: string | boolean | undefined): string | true | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return true;
  return nonEmpty(flag, v);
}

/**
 * push-ca, jumpbox exec, trust --cluster: which clusters (CLUSTER arguments, each may be a
 * comma-separated list, or --all-clusters in -n, --namespaces or -A) and how many at once.
 */
export const ClusterOptions = {
  allClusters: () =>
    Option.Boolean('--all-clusters', false, {
      description: 'Every TanzuKubernetesCluster and Cluster in the namespace (-n), --namespaces or -A',
    }),
  namespaces: () =>
    Option.String('--namespaces', { description: 'With --all-clusters: comma-separated vSphere Namespaces' }),
  allNamespaces: () =>
    Option.Boolean('-A,--all-namespaces', false, {
      description: 'With --all-clusters: every vSphere Namespace except kube-* and vmware-system-*',
    }),
  parallelClusters: () =>
    Option.String('--parallel-clusters', '4', {
      validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 64)]),
      description: 'Clusters worked on at once',
    }),
};

export function parseClusterChoice(f: {
  /** CLUSTER arguments as given; `a,b` names two. */
  names: readonly string[];
  /** How the names are given, for messages: `CLUSTER` or `--cluster`. */
  what: string;
  allClusters: boolean;
  namespace: string | undefined;
  namespaces: string | undefined;
  allNamespaces: boolean;
  parallelClusters: number | string;
}): ClusterChoice {
  const names = [...new Set(f.names.flatMap((n) => n.split(',')).map((n) => checkObjectName(n.trim(), f.what)))];
  const parallel = Number(f.parallelClusters);
  if (f.allClusters && names.length > 0)
    throw new UsageError(`name clusters (${f.what}) or use --all-clusters, not both`);
  if (!f.allClusters) {
    if (names.length === 0) throw new UsageError(`name the cluster: ${f.what} (several, or --all-clusters)`);
    if (f.namespaces !== undefined || f.allNamespaces)
      throw new UsageError(
        '--namespaces and -A say where --all-clusters looks; the namespace of a named cluster is -n',
      );
    return { selection: { kind: 'named', names }, parallel };
  }
  const namespaces = parseNamespaceSelection({
    namespace: f.namespace,
    namespaces: f.namespaces,
    all: f.allNamespaces,
    includeSystem: false,
  });
  return { selection: { kind: 'all', namespaces }, parallel };
}
