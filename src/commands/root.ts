import { Command, Option } from 'clipanion';
import type { HarborContext } from './base.js';

const CATEGORY_ORDER = ['Registry', 'Trust', 'Nodes', 'Other'];

/** `kubectl harbor`, `-h`, `--help`, `help`: the overview, grouped by category, as kubectl prints its own. */
export class RootCommand extends Command<HarborContext> {
  static override paths = [Command.Default, ['-h'], ['--help']];

  async execute(): Promise<number> {
    const defs = this.cli.definitions();
    const name = this.cli.binaryName;
    const groups = new Map<string, Array<[string, string]>>();
    for (const d of defs) {
      const cat = (d.category ?? 'Other').trim();
      const list = groups.get(cat) ?? [];
      list.push([d.path.slice(name.length).trim(), (d.description ?? '').trim()]);
      groups.set(cat, list);
    }
    const cats = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || byCodeUnit(a, b));
    const width = Math.max(...defs.map((d) => d.path.length - name.length)) + 2;
    const out: string[] = [
      'kubectl-harbor makes pods pull from Harbor on vSphere with Tanzu: verified pull secrets,',
      'ServiceAccount bindings, and trust for the registry CA on the Supervisor, TKCs and nodes.',
      '',
    ];
    for (const cat of cats) {
      out.push(`${cat} Commands:`);
      for (const [cmd, desc] of groups.get(cat)!.sort((a, b) => byCodeUnit(a[0], b[0])))
        out.push(`  ${cmd.padEnd(width)}${desc}`);
      out.push('');
    }
    const common = defs.find((d) => d.path === `${name} version`)?.options ?? [];
    out.push('Flags every command takes (`--flag value` or `--flag=value`):');
    const flags = common.map(
      (o) => [o.definition.replace(/--([\w-]+) #0$/, '--$1 <$1>'), o.description ?? ''] as const,
    );
    const flagWidth = Math.max(...flags.map(([f]) => f.length)) + 2;
    for (const [flag, desc] of flags) out.push(`  ${flag.padEnd(flagWidth)}${desc}`);
    out.push('');
    out.push(`Usage:\n  ${name} <command> [flags]\n`);
    out.push(`Use "${name} <command> --help" for more information about a command.`);
    this.context.stdout.write(`${out.join('\n')}\n`);
    return 0;
  }
}

/** Plain order: command paths are lowercase ASCII, and localeCompare's collator costs ~10 ms to start. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function rank(cat: string): number {
  const i = CATEGORY_ORDER.indexOf(cat);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

/** `kubectl harbor help [COMMAND...]`: the overview, or one command's help. */
export class HelpCommand extends Command<HarborContext> {
  static override paths = [['help']];

  words = Option.Rest();

  async execute(): Promise<number> {
    return this.cli.run(this.words.length ? [...this.words, '--help'] : ['--help']);
  }
}
