#!/usr/bin/env node
// Entry point of the bundled plugin/kubectl-harbor.
import os from 'node:os';
import v8 from 'node:v8';
import { commandsFor, getCli, runCli } from './cli.js';
import { installInterruption } from './interrupt.js';
import { printStoredHelp, quietOnEpipe, type StoredHelp } from './output/stored-help.js';
import { SESSION_PASSWORD_VARS } from './secrets.js';

// The overview as the CLI prints it, stored by the SEA build (scripts/starter.mjs); the plugin
// file's loader prints it before this module is even compiled (scripts/start-loader.cjs).
declare const __HARBOR_STORED_HELP__: StoredHelp | undefined;
const STORED_HELP = typeof __HARBOR_STORED_HELP__ === 'object' ? __HARBOR_STORED_HELP__ : undefined;

/** One run of the plugin. */
function main(): void {
  if (printStoredHelp(process.argv.slice(2), STORED_HELP, process, 1)) return;
  // `kubectl harbor ... | head` closes stdout early: that is not an error.
  quietOnEpipe(process.stdout, process);

  // The session passwords stay in this copy; children (exec credential plugins started by
  // the Kubernetes client, credential helpers) inherit a process environment without them.
  const env = { ...process.env };
  for (const k of SESSION_PASSWORD_VARS) delete process.env[k];

  // Ctrl-C and SIGTERM: work that holds the interruption stops cleanly, then exits 130/143.
  const interrupt = installInterruption(process, (line) =>
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error: ${line}\n`),
  );

  // A run whose promise never settled (a stream that ended without a word) must not pass for a
  // success: Node would drain its event loop and exit 0 with nothing printed. That is a bug.
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    process.stderr.write('error: internal error: the command ended without finishing its work\n');
    process.exit(1);
  });

  runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    colorDepth: 1,
    homedir: env.HOME || os.homedir(),
    interrupt,
  }).then((code) => {
    finished = true;
    interrupt.dispose();
    process.exitCode = interrupt.exitCode ?? code;
  });
}

// A SEA built with a V8 start-up snapshot (useSnapshot) runs this module when the snapshot is
// made, with the CLI frame loaded; the run itself starts from the snapshot.
// Parsing a command line once here leaves clipanion's code compiled in the snapshot.
if (v8.startupSnapshot?.isBuildingSnapshot()) {
  for (const argv of [['--help'], ['login', '--help'], ['bind-sa', 'x', '-A']]) {
    const cli = getCli({}, commandsFor(argv));
    cli.process(argv, {
      env: {},
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      colorDepth: 1,
      homedir: '/',
    });
    cli.definitions();
  }
  v8.startupSnapshot.setDeserializeMainFunction(main);
} else main();
