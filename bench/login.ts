// `kubectl harbor login` against `kubectl create secret docker-registry`, one secret each,
// run interleaved in one process against the same Supervisor emulator and the lab's
// Harbor, so machine load hits every candidate alike. Prints medians and ratios; asserts
// nothing. Needs root (the lab) and a built plugin:  npm run bench:login [-- --runs 15]
// [--baseline OLD-PLUGIN]: also runs another build's verified login, interleaved, and prints
// this build's against it (to measure a change against the build before it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedLab } from '../test/helpers/lab.js';
import { startSupervisor, writeKubeconfig } from '../lab/apiserver/supervisor.js';
import { FIGURES, isRoot, printResults, resultLine, skippedLine } from './result.js';
import { median } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const plugin = path.join(root, 'plugin/kubectl-harbor');
const baselineArg = process.argv.indexOf('--baseline');
const baseline = baselineArg > 0 ? path.resolve(process.argv[baselineArg + 1]!) : undefined;
const cannot = !isRoot()
  ? 'needs root for the lab'
  : !fs.existsSync(plugin)
    ? 'no plugin/kubectl-harbor: run `npm run build` first'
    : undefined;
if (cannot) {
  process.stderr.write(`login: skipped: ${cannot}\n`);
  printResults([skippedLine(FIGURES.login, cannot), skippedLine(FIGURES.loginFirst, cannot)]);
  process.exit(0);
}

const { info: lab } = await sharedLab();
const sup = await startSupervisor({ harbor: lab.harbor });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-login-'));
const kubeconfig = writeKubeconfig(dir, sup.kubeconfig('devops'));
const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
const password = lab.users['robot$ci']!;
const cache = path.join(dir, 'cache');
const VERIFIED = 'harbor login (verified)';
const FIRST = 'harbor login (verified), first run';
const BASELINE = 'baseline build: login (verified)';

type Run = { file: string; args: string[]; input?: string; home?: string };
type Candidate = [name: string, run: (i: number) => Run];
const candidates: Candidate[] = [
  [
    'kubectl create secret docker-registry',
    (i) => ({
      file: 'kubectl',
      args: [
        '--cache-dir',
        cache,
        'create',
        'secret',
        'docker-registry',
        `k-${i}`,
        `--docker-server=${lab.harbor}`,
        '--docker-username=robot$ci',
        `--docker-password=${password}`,
      ],
    }),
  ],
  [
    'harbor login --skip-verify',
    (i) => ({
      file: plugin,
      args: ['login', lab.harbor, '-u', 'robot$ci', '--password-stdin', '--skip-verify', '--secret-name', `s-${i}`],
      input: password,
    }),
  ],
  [
    VERIFIED,
    (i) => ({
      file: plugin,
      args: ['login', lab.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.ca, '--secret-name', `v-${i}`],
      input: password,
    }),
  ],
  [
    // A first run: a HOME no earlier run has written to (no V8 or discovery cache yet).
    FIRST,
    (i) => ({
      file: plugin,
      args: ['login', lab.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.ca, '--secret-name', `f-${i}`],
      input: password,
      home: fs.mkdtempSync(path.join(dir, 'home-')),
    }),
  ],
  [
    'harbor login (re-run, unchanged)',
    () => ({
      file: plugin,
      args: ['login', lab.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.ca, '--secret-name', 'v-0'],
      input: password,
    }),
  ],
];
// Its own HOME: each build removes the other's start-up code cache.
const baselineHome = path.join(dir, 'home-baseline');
if (baseline)
  candidates.push([
    BASELINE,
    (i) => ({
      file: baseline,
      args: ['login', lab.harbor, '-u', 'robot$ci', '--password-stdin', '--ca-file', lab.ca, '--secret-name', `b-${i}`],
      input: password,
      home: fs.mkdirSync(baselineHome, { recursive: true }) ?? baselineHome,
    }),
  ]);

const times = new Map<string, number[]>(candidates.map(([n]) => [n, []]));
// Asynchronous on purpose: the emulator answers from this process's event loop.
const once = (name: string, c: Run): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(c.file, c.args, {
      env: { ...env, HOME: c.home ?? env.HOME },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${name} exited ${code}: ${err}`));
      else resolve(ms);
    });
    child.stdin.end(c.input ?? '');
  });
try {
  for (const [name, make] of candidates) await once(name, make(-1)); // warm caches (discovery, page cache)
  for (let i = 0; i < runs; i++)
    for (const [name, make] of candidates) times.get(name)!.push(await once(name, make(i)));
} finally {
  await sup.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
const base = median(times.get(candidates[0]![0])!);
console.log(`login, ${runs} interleaved runs each (median ms, ratio to kubectl create secret docker-registry)`);
for (const [name] of candidates) {
  const m = median(times.get(name)!);
  console.log(`  ${name.padEnd(38)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x`);
}
const ratio = (name: string): number => median(times.get(name)!) / base;
if (baseline)
  console.log(
    `  this build / the baseline build, login (verified): ${(ratio(VERIFIED) / ratio(BASELINE)).toFixed(3)}x`,
  );
printResults([resultLine(FIGURES.login, ratio(VERIFIED)), resultLine(FIGURES.loginFirst, ratio(FIRST))]);
