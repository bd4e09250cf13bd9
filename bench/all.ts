// npm run bench: build the plugin, then every benchmark one after the other (minutes; not
// part of npm test), their output as it comes, and at the end every RESULT line together.
// A benchmark that needs root or `npm run package` says so and prints skipped RESULT
// lines; one that fails gets skipped lines for its figures, and the exit code is 1.
//   npm run bench [-- --no-build] [-- --quick]   (--quick: one run each, push-ca on 3 nodes; a smoke test)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIGURES, type Figure, skippedLine } from './result.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick') ? ['--runs', '1'] : [];
const BENCHES: Array<[file: string, args: string[], figures: Figure[]]> = [
  ['bench/startup.ts', quick, [FIGURES.seaHelp, FIGURES.bundleHelp]],
  ['bench/login.ts', quick, [FIGURES.login, FIGURES.loginFirst]],
  ['bench/bind-sa.ts', quick, [FIGURES.bindSa]],
  [
    'bench/push-ca.ts',
    quick.length ? [...quick, '--nodes', '3'] : [],
    [FIGURES.pushCaManual, FIGURES.pushCaOne, FIGURES.pushCaRerunOne, FIGURES.pushCaCpuOne],
  ],
  [
    'bench/fleet.ts',
    quick.length ? [...quick, '--nodes', '2'] : [],
    [FIGURES.daemonsetManual, FIGURES.daemonsetSsh, FIGURES.allClusters],
  ],
];

/** Run a command with its output passed through; resolves with its exit code and stdout's RESULT lines. */
function run(file: string, args: string[]): Promise<{ code: number; results: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
    });
    child.on('error', () => resolve({ code: 127, results: [] }));
    child.on('close', (code) =>
      resolve({ code: code ?? 1, results: out.split('\n').filter((l) => l.startsWith('RESULT ')) }),
    );
  });
}

const results: string[] = [];
let failed = false;
if (!process.argv.includes('--no-build')) {
  process.stderr.write('\n== build\n');
  const b = await run(process.execPath, [path.join(root, 'scripts/build.mjs')]);
  if (b.code !== 0) {
    process.stderr.write('== build failed; the benchmarks run against what is there\n');
    failed = true;
  }
}
for (const [file, args, figures] of BENCHES) {
  process.stderr.write(`\n== ${file}\n`);
  const t0 = Date.now();
  const r = await run(process.execPath, ['--import', 'tsx', path.join(root, file), ...args]);
  process.stderr.write(`== ${file}: exit ${r.code} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (r.code !== 0) {
    failed = true;
    const got = new Set(r.results.map((l) => l.split(' ')[1]));
    results.push(...r.results);
    for (const f of figures)
      if (![...got].some((n) => n?.endsWith(f.name.split('/')[1]!)))
        results.push(skippedLine(f, `${path.basename(file)} failed, exit ${r.code}`));
  } else results.push(...r.results);
}
process.stdout.write(`\n== results\n${results.join('\n')}\n`);
process.exitCode = failed ? 1 : 0;
