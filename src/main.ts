#!/usr/bin/env node
// Entry point of the bundled plugin/kubectl-harbor.
import os from 'node:os';
import { runCli } from './cli.js';

// `kubectl harbor ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  colorDepth: 1,
  homedir: process.env.HOME || os.homedir(),
}).then((code) => {
  process.exitCode = code;
});
