// The overview the start-up path prints without building the CLI (src/output/stored-help.ts,
// stored by scripts/help-texts.ts): for every stored command line, colours off and on and
// whatever NO_COLOR and TERM say, the same bytes as the live CLI; any other command line falls
// through to the CLI. test/build/stored-help.test.ts checks the built plugin the same way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { OVERVIEW_FORMS, runHelp, storedHelp } from '../../scripts/help-texts.js';
import { printStoredHelp, type StoredHelp } from '../../src/output/stored-help.js';
import { tempDir } from '../helpers/kubeconfig.js';

let help: StoredHelp;

before(async () => {
  help = await storedHelp();
});

/** What the stored path prints for argv on a stream that is a TTY or not, and whether it answered. */
function stored(argv: string[], tty: boolean, env: NodeJS.ProcessEnv, fd?: number) {
  let text = '';
  const stdout = {
    isTTY: tty,
    write: (s: string) => (text += s),
    on: () => stdout,
  };
  const exit = (): never => {
    throw new Error('exit');
  };
  const answered = printStoredHelp(argv, help, { stdout, env, exit }, fd);
  return { answered, text };
}

const ENVS: NodeJS.ProcessEnv[] = [
  {},
  { NO_COLOR: '1' },
  { NO_COLOR: '' },
  { TERM: 'dumb' },
  { TERM: 'xterm-256color', FORCE_COLOR: '1', HOME: '/root', KUBECONFIG: '/x' },
];

test('every stored form prints what the CLI prints, colours off and on, in every environment', async () => {
  assert.deepEqual(help.forms, OVERVIEW_FORMS);
  for (const argv of OVERVIEW_FORMS)
    for (const tty of [false, true])
      for (const env of ENVS) {
        const live = await runHelp(argv, tty, env);
        const what = `${JSON.stringify(argv)} tty=${tty} env=${JSON.stringify(env)}`;
        assert.equal(live.code, 0, what);
        assert.equal(live.stderr, '', what);
        const s = stored(argv, tty, env);
        assert.ok(s.answered, what);
        assert.equal(s.text, live.stdout, what);
      }
});

test('the overview is the one kubectl harbor prints: grouped commands and the common flags', () => {
  assert.match(help.plain, /^kubectl-harbor makes pods pull from Harbor/);
  assert.match(help.plain, /Other Commands:\n\s+completion\s+.+\n\s+context\s+.+\n\s+version/);
  assert.match(help.plain, /--request-timeout <request-timeout>/);
});

test('any other command line falls through to the CLI, printing nothing', () => {
  const others = [
    ['login', '--help'],
    ['login', '-h'],
    ['help', 'login'],
    ['--help', 'login'],
    ['-h', '-h'],
    ['--help', '--help'],
    ['help', '--help'],
    ['--help='],
    ['-help'],
    ['HELP'],
    ['version'],
    ['nope'],
    [''],
    ['-v'],
  ];
  for (const argv of others)
    for (const tty of [false, true]) {
      const s = stored(argv, tty, {});
      assert.equal(s.answered, false, JSON.stringify(argv));
      assert.equal(s.text, '', JSON.stringify(argv));
    }
  assert.equal(
    printStoredHelp(['--help'], undefined, {
      stdout: { write: () => 0, on: () => 0 },
      env: {},
      exit: () => process.exit(),
    }),
    false,
  );
});

test('straight to the descriptor when colours change nothing; what it cannot take goes through the stream', () => {
  assert.equal(help.color, undefined, 'the overview has no colours');
  const file = path.join(tempDir(), 'out');
  const fd = fs.openSync(file, 'w');
  const s = stored(['--help'], true, {}, fd);
  fs.closeSync(fd);
  assert.ok(s.answered);
  assert.equal(s.text, '', 'nothing went through the stream');
  assert.equal(fs.readFileSync(file, 'utf8'), help.plain);
  // A closed descriptor (EBADF): the stream gets the whole text, as on the normal path.
  const closed = stored(['-h'], false, {}, fd);
  assert.ok(closed.answered);
  assert.equal(closed.text, help.plain);
});
