// Start-up time of `kubectl harbor --help`: the bundle under node, the SEA binary,
// against bare `node -e 0` and `kubectl --help`, run interleaved in one process so
// machine load hits every candidate alike. Prints medians and ratios; asserts nothing.
//   npm run bench:startup [-- --runs 20]
// Needs `npm run package` first for the SEA binary (dist/sea/kubectl-harbor).
// HOME is a new empty directory, so the V8 caches in ~/.cache/kubectl-harbor are this build's
// own (the first, warming run writes them): another checkout's build shares no cache with it.
// `login --bogus` (a parse error, exit 2) is shown too: the start-up of a command.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIGURES, printResults, resultLine, skippedLine } from './result.js';
import { median } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const sea = path.join(root, 'dist/sea/kubectl-harbor');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'harbor-bench-startup-'));
const env = { PATH: process.env.PATH, HOME: home };

const bundle = path.join(root, 'plugin/kubectl-harbor');
const candidates: Array<[string, string, string[], number?]> = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['kubectl --help', 'kubectl', ['--help']],
];
if (fs.existsSync(bundle)) {
  candidates.push(['bundle --help', process.execPath, [bundle, '--help']]);
  candidates.push(['bundle login --bogus', process.execPath, [bundle, 'login', '--bogus'], 2]);
} else process.stderr.write('no plugin/kubectl-harbor: run `npm run build` to include the bundle\n');
if (fs.existsSync(sea)) {
  candidates.push(['SEA --help', sea, ['--help']]);
  candidates.push(['SEA login --bogus', sea, ['login', '--bogus'], 2]);
} else process.stderr.write('no dist/sea/kubectl-harbor: run `npm run package` to include the SEA binary\n');

const times = new Map<string, number[]>(candidates.map(([n]) => [n, []]));
for (const [, file, args] of candidates) spawnSync(file, args, { env, stdio: 'ignore' }); // warm the page cache
for (let i = 0; i < runs; i++) {
  for (const [name, file, args, status = 0] of candidates) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(file, args, { env, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== status) throw new Error(`${name} exited ${r.status}`);
    times.get(name)!.push(ms);
  }
}
const base = median(times.get('node -e 0')!);
console.log(`startup, ${runs} interleaved runs each (median ms, ratio to node -e 0)`);
for (const [name] of candidates) {
  const m = median(times.get(name)!);
  console.log(`  ${name.padEnd(22)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x`);
}
const ratio = (name: string): number | undefined => (times.has(name) ? median(times.get(name)!) / base : undefined);
const sr = ratio('SEA --help');
const br = ratio('bundle --help');
if (sr !== undefined) console.log(`SEA --help / node -e 0 = ${sr.toFixed(2)}x (target <= 1.15x)`);
fs.rmSync(home, { recursive: true, force: true });
printResults([
  sr === undefined
    ? skippedLine(FIGURES.seaHelp, 'no dist/sea/kubectl-harbor: run `npm run package` first')
    : resultLine(FIGURES.seaHelp, sr),
  br === undefined
    ? skippedLine(FIGURES.bundleHelp, 'no plugin/kubectl-harbor: run `npm run build` first')
    : resultLine(FIGURES.bundleHelp, br),
]);
