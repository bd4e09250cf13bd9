// What the CLI prints for the overview, stored at build time (scripts/starter.mjs bundles and
// runs this module) and printed by the start-up path without building the CLI
// (src/output/stored-help.ts). The text comes from the CLI itself, run in-process with
// colours off and on; every form must print the same bytes, or the build fails.
import { PassThrough } from 'node:stream';
import { runCli } from '../src/cli.js';
import type { StoredHelp } from '../src/output/stored-help.js';

/** The command lines that print the overview (src/commands/root.ts: the root, `-h`, `--help`, `help`). */
export const OVERVIEW_FORMS: string[][] = [[], ['--help'], ['-h'], ['help']];

/** One in-process run: what it printed on stdout, stderr and its exit code. */
export async function runHelp(argv: string[], tty: boolean, env: NodeJS.ProcessEnv = {}) {
  const stdout = Object.assign(new PassThrough(), tty ? { isTTY: true } : {});
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(argv, { stdin: new PassThrough(), stdout, stderr, env, colorDepth: 1, homedir: '/' });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export async function storedHelp(): Promise<StoredHelp> {
  const texts: Record<'plain' | 'color', string | undefined> = { plain: undefined, color: undefined };
  for (const argv of OVERVIEW_FORMS)
    for (const [mode, tty] of [
      ['plain', false],
      ['color', true],
    ] as const) {
      const r = await runHelp(argv, tty);
      if (r.code !== 0 || r.stderr !== '') throw new Error(`help ${JSON.stringify(argv)}: exit ${r.code} ${r.stderr}`);
      if (texts[mode] !== undefined && texts[mode] !== r.stdout)
        throw new Error(`help ${JSON.stringify(argv)} (${mode}) differs from ${JSON.stringify(OVERVIEW_FORMS[0])}`);
      texts[mode] = r.stdout;
    }
  const plain = texts.plain!;
  return texts.color === plain
    ? { forms: OVERVIEW_FORMS, plain }
    : { forms: OVERVIEW_FORMS, plain, color: texts.color! };
}
