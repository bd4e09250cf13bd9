#!/usr/bin/env node
// Entry point of the bundled plugin/kubectl-harbor.
import os from 'node:os';
import { runCli } from './cli.js';
import { SESSION_PASSWORD_VARS } from './secrets.js';

// `kubectl harbor ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

// The session passwords stay in this copy; children (exec credential plugins started by
// the Kubernetes client, credential helpers) inherit a process environment without them.
const env = { ...process.env };
for (const k of SESSION_PASSWORD_VARS) delete process.env[k];

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env,
  colorDepth: 1,
  homedir: env.HOME || os.homedir(),
}).then((code) => {
  process.exitCode = code;
});
