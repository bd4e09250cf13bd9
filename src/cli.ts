// The CLI: which commands exist, and how one run is carried out. getCli() is
// separate from runCli() so tests can build and drive it in-process.
// Command classes are small and loaded eagerly (clipanion needs their options to
// parse); everything heavy they use is imported inside execute().
import { Cli } from 'clipanion';
import type { HarborContext } from './commands/base.js';
import { COMMANDS } from './commands/index.js';
import { colorEnabled, makeStyle } from './output/style.js';
import { VERSION } from './version.js';

export const BINARY_NAME = 'kubectl harbor';

export function getCli(
  opts: { colors?: boolean } = {},
  commands: readonly CommandClass[] = COMMANDS,
): Cli<HarborContext> {
  const cli = new Cli<HarborContext>({
    binaryLabel: 'kubectl-harbor: Harbor pull secrets and CA trust for vSphere with Tanzu',
    binaryName: BINARY_NAME,
    binaryVersion: `v${VERSION}`,
    enableColors: opts.colors ?? false,
    enableCapture: false,
  });
  for (const c of commands) cli.register(c);
  return cli;
}

type CommandClass = (typeof COMMANDS)[number];

/**
 * The commands that can match argv. Clipanion compiles one state machine over every
 * registered command on each run (~30 ms for all of them), and a command's path always
 * comes first, so when argv starts with a word that begins some command's path only
 * those commands can match (plus the root and `help`, kept so errors read the same);
 * with no word, the root. Anything else (an unknown word or flag) gets every command.
 */
export function commandsFor(argv: string[]): readonly CommandClass[] {
  const first = argv[0];
  const starts = (c: CommandClass, word?: string): boolean =>
    (c.paths ?? []).some((p) => (word === undefined ? p.length === 0 : p[0] === word));
  if (first !== undefined && !COMMANDS.some((c) => starts(c, first))) return COMMANDS;
  return COMMANDS.filter((c) => starts(c, first) || starts(c) || starts(c, 'help'));
}

/**
 * One run. Parse errors go to stderr with exit code 2 (clipanion's own `run`
 * prints them to stdout: clipanion#176); the command's own failures are printed
 * by BaseCommand; anything that still escapes is a bug.
 */
/** The short flags that take a value; kubectl (pflag) accepts them attached: `-nprod`, `-oyaml`. */
export const SHORT_VALUE_FLAGS = new Set(['n', 'o', 'u', 'p']);

/** `-nprod` -> `-n prod`, as kubectl reads it; nothing after `--` is touched. */
export function splitAttachedShortFlags(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const out = head.flatMap((a) => {
    const m = /^-([A-Za-z])([^=].*)$/.exec(a);
    return m && SHORT_VALUE_FLAGS.has(m[1]!) ? [`-${m[1]}`, m[2]!] : [a];
  });
  return end < 0 ? out : [...out, ...argv.slice(end)];
}

export async function runCli(rawArgv: string[], context: HarborContext): Promise<number> {
  const argv = splitAttachedShortFlags(rawArgv);
  const colors = colorEnabled(context.stdout as { isTTY?: boolean }, context.env);
  const errColors = colorEnabled(context.stderr as { isTTY?: boolean }, context.env);
  const cli = getCli({ colors }, commandsFor(argv));
  // Every command, for what lists them (the overview, completion); built only when asked.
  let all: Cli<HarborContext> | undefined;
  const full = (): Cli<HarborContext> => {
    all ??= getCli({ colors });
    return all;
  };
  let command: ReturnType<typeof cli.process>;
  try {
    command = cli.process(argv, context);
  } catch (e) {
    context.stderr.write(parseErrorText(e, argv, undefined, errColors));
    return 2;
  }
  if (command.help) {
    context.stdout.write(readableUsage(cli.usage(command, { colored: colors, detailed: true })));
    return 0;
  }
  command.context = context;
  command.cli = {
    binaryLabel: cli.binaryLabel,
    binaryName: cli.binaryName,
    binaryVersion: cli.binaryVersion,
    enableCapture: false,
    enableColors: colors,
    definitions: () => full().definitions(),
    error: (error, o) => cli.error(error, o),
    format: (c) => cli.format(c),
    process: (input, sub) => full().process(input, { ...context, ...sub }),
    run: (input, sub) => runCli(Array.isArray(input) ? input : [], { ...context, ...sub }),
    usage: (cmd, o) => readableUsage(cli.usage(cmd, o)),
  };
  try {
    return await command.validateAndExecute();
  } catch (e) {
    // Schema validation, and anything a command outside BaseCommand throws.
    context.stderr.write(parseErrorText(e, argv, command.path, errColors));
    return 2;
  }
}

/** `#0` is clipanion's placeholder for an option's value; name it after the option instead. */
export function readableUsage(text: string): string {
  const named = text.replace(/(-{1,2}([\w-]+)) #0/g, (_m, flag: string, name: string) => `${flag} <${name}>`);
  // Re-align the option table: the names above changed the widths clipanion padded for.
  const rows = /^ {2}(-\S.*?)\s{2,}(\S.*)$/;
  const lines = named.split('\n');
  const width = Math.max(0, ...lines.map((l) => rows.exec(l)?.[1]?.length ?? 0)) + 2;
  return lines
    .map((l) => {
      const m = rows.exec(l);
      return m ? `  ${m[1]!.padEnd(width)}${m[2]}` : l;
    })
    .join('\n');
}

/** One line for what was wrong with the command line, and where to read more. */
function parseErrorText(e: unknown, argv: string[], path: string[] | undefined, colors: boolean): string {
  const raw = e instanceof Error ? e.message : String(e);
  let first = (raw.split('\n')[0] ?? '').trim();
  const extraneous = /^Extraneous positional argument \("(.*)"\)/.exec(first);
  const unsupported = /^Unsupported option name \("(.*)"\)/.exec(first);
  const known = path ?? knownPath(argv);
  if (extraneous && known.length === 0) first = `unknown command "${extraneous[1]}" for "${BINARY_NAME}"`;
  else if (extraneous) first = `unexpected argument "${extraneous[1]}"`;
  else if (unsupported) first = `unknown flag: ${unsupported[1]}`;
  else if (/^Command not found/.test(first)) first = `unknown command "${argv.join(' ')}" for "${BINARY_NAME}"`;
  const where = known.length ? `${BINARY_NAME} ${known.join(' ')}` : BINARY_NAME;
  return `${makeStyle(colors).red('error:')} ${first.replace(/\.$/, '')}\nSee '${where} --help' for usage.\n`;
}

/** The leading words of argv that name a command, for the help hint. */
function knownPath(argv: string[]): string[] {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
  }
  const paths = COMMANDS.flatMap((c) => c.paths ?? []);
  let best: string[] = [];
  for (const p of paths) if (p.length > best.length && p.every((w, i) => words[i] === w)) best = p;
  return best;
}
