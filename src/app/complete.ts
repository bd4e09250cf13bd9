// Shell completion for `kubectl harbor`, answering Cobra's `__complete` protocol,
// which kubectl (>= 1.26) speaks with a `kubectl_complete-harbor` executable on PATH:
// it runs that executable with the words after `kubectl harbor`, the last one being
// the word under the cursor, and reads one candidate per line (`value\tdescription`)
// followed by `:<directive>`.

/** Cobra's ShellCompDirective values. */
export const Directive = { Default: 0, NoSpace: 2, NoFileComp: 4 } as const;

export interface OptionDef {
  names: string[];
  takesValue: boolean;
  description: string;
}

export interface CommandDef {
  /** The words after the binary name, e.g. ['jumpbox', 'create']. */
  path: string[];
  description: string;
  options: OptionDef[];
}

export interface CompletionSources {
  contexts(): Promise<string[]>;
  namespaces(): Promise<string[]>;
  /** The clusters (TanzuKubernetesClusters and Clusters) of the namespace the words name. */
  clusters?(): Promise<string[]>;
  /** The values of enumerated flags (`--output`, `--via`, ...). */
  enums: Record<string, readonly string[]>;
}

/** Turn clipanion's definitions into the shape completion needs. */
export function commandDefs(
  definitions: Array<{
    path: string;
    description?: string | undefined;
    options: Array<{ definition: string; description?: string | undefined }>;
  }>,
  binaryName: string,
): CommandDef[] {
  return definitions.map((d) => ({
    path: d.path
      .slice(binaryName.length)
      .trim()
      .split(/\s+/)
      .filter((w) => w && !w.startsWith('<') && !w.startsWith('[') && !w.startsWith('-')),
    description: (d.description ?? '').trim(),
    options: d.options.map((o) => ({
      names: (o.definition.split(/[\s=]/)[0] ?? '').split(',').filter(Boolean),
      takesValue: /[\s=]#0/.test(o.definition),
      description: o.description ?? '',
    })),
  }));
}

function canonical(opt: OptionDef): string {
  return opt.names.find((n) => n.startsWith('--')) ?? opt.names[0] ?? '';
}

/** Returns the lines to print: candidates, then `:directive`. */
export async function complete(words: string[], defs: CommandDef[], sources: CompletionSources): Promise<string[]> {
  const current = words.length ? words[words.length - 1]! : '';
  const before = words.slice(0, -1);
  const positional = before.filter((w, i) => !w.startsWith('-') && !takesValue(before[i - 1], defs));
  // The longest command path that the typed words start with.
  let cmd: CommandDef | undefined;
  for (const d of defs)
    if (d.path.length && d.path.every((w, i) => positional[i] === w) && (!cmd || d.path.length > cmd.path.length))
      cmd = d;
  const depth = cmd?.path.length ?? 0;
  const options = cmd ? cmd.options : (defs.find((d) => d.path[0] === 'version')?.options ?? []);

  const prev = before[before.length - 1];
  const prevOpt =
    prev?.startsWith('-') && !prev.includes('=') ? options.find((o) => o.names.includes(prev)) : undefined;
  const inline = current.startsWith('-') && current.includes('=') ? current.slice(0, current.indexOf('=')) : undefined;
  const valueFor = prevOpt?.takesValue
    ? canonical(prevOpt)
    : inline
      ? canonical(
          options.find((o) => o.names.includes(inline)) ?? { names: [inline], takesValue: true, description: '' },
        )
      : undefined;
  if (valueFor) {
    const prefix = inline ? `${inline}=` : '';
    const partial = inline ? current.slice(prefix.length) : current;
    const values = await valuesFor(valueFor, sources);
    if (values === undefined) return [`:${Directive.Default}`];
    return [...values.filter((v) => v.startsWith(partial)).map((v) => prefix + v), `:${Directive.NoFileComp}`];
  }
  if (current.startsWith('-')) {
    const out: string[] = [];
    for (const o of options) for (const n of o.names) if (n.startsWith(current)) out.push(`${n}\t${o.description}`);
    return [...out, `:${Directive.NoFileComp}`];
  }
  const clusterArgs = cmd && !before.includes('--') ? CLUSTER_ARGS[cmd.path.join(' ')] : undefined;
  if (clusterArgs !== undefined && sources.clusters && positional.length - depth < clusterArgs)
    return clusterWords(current, positional.slice(depth), sources.clusters);
  // Next command word: children of the path typed so far.
  const typed = positional.slice(0, depth);
  const children = new Map<string, string>();
  for (const d of defs) {
    if (d.path.length <= typed.length || !typed.every((w, i) => d.path[i] === w)) continue;
    if (
      positional.length > typed.length &&
      positional.slice(typed.length).some((w, i) => d.path[typed.length + i] !== w)
    )
      continue;
    const word = d.path[positional.length];
    if (word?.startsWith(current) && !children.has(word))
      children.set(word, d.path.length === positional.length + 1 ? d.description : '');
  }
  return [...[...children].map(([w, desc]) => (desc ? `${w}\t${desc}` : w)), `:${Directive.NoFileComp}`];
}

/** How many CLUSTER arguments a command takes (each may be a comma-separated list). */
const CLUSTER_ARGS: Record<string, number> = {
  'push-ca': Number.POSITIVE_INFINITY,
  'jumpbox exec': 1,
  'jumpbox ssh': 1,
  'jumpbox status': 1,
  'jumpbox create': 1,
  'jumpbox delete': 1,
};

/** CLUSTER, or the next name of a list (`tkc-1,tk`): the clusters not named yet. */
async function clusterWords(current: string, given: string[], clusters: () => Promise<string[]>): Promise<string[]> {
  const head = current.slice(0, current.lastIndexOf(',') + 1);
  const named = new Set([...given, head].flatMap((w) => w.split(',')));
  const names = await clusters().catch(() => []);
  const out = names.filter((n) => !named.has(n) && n.startsWith(current.slice(head.length))).map((n) => head + n);
  return [...out, `:${Directive.NoFileComp}`];
}

function takesValue(word: string | undefined, defs: CommandDef[]): boolean {
  if (!word?.startsWith('-') || word.includes('=')) return false;
  return defs.some((d) => d.options.some((o) => o.takesValue && o.names.includes(word)));
}

async function valuesFor(option: string, sources: CompletionSources): Promise<string[] | undefined> {
  if (option === '--context' || option === '--supervisor-context') return sources.contexts().catch(() => []);
  if (option === '--namespace' || option === '--namespaces') return sources.namespaces().catch(() => []);
  if (option === '--cluster') return (sources.clusters?.() ?? Promise.resolve([])).catch(() => []);
  if (option === '--kubeconfig' || option.endsWith('-file')) return undefined; // let the shell complete file names
  return [...(sources.enums[option] ?? [])];
}

export function completionScript(): string {
  return [
    '#!/usr/bin/env sh',
    '# Shell completion for `kubectl harbor` (kubectl >= 1.26 runs kubectl_complete-<plugin> from PATH).',
    '# Written by `kubectl harbor completion --install`.',
    'exec kubectl-harbor __complete "$@"',
    '',
  ].join('\n');
}
