// `kubectl harbor bind-sa SECRET -A` against a shell loop of `kubectl patch
// serviceaccount` over the same namespaces, on the API emulator with latency injected per
// request. Interleaved runs in one process, medians, the ratio, and the floor
// (namespaces x 2 requests x latency / parallelism). Asserts nothing.
//   npm run bench:bind-sa [-- --runs 3 --namespaces 500 --latency 5 --parallel 16]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSupervisor, writeKubeconfig } from '../lab/apiserver/supervisor.js';
import { FIGURES, named, printResults, resultLine, skippedLine } from './result.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    namespaces: { type: 'string', default: '500' },
    latency: { type: 'string', default: '5' },
    parallel: { type: 'string', default: '16' },
    'skip-loop': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const count = Number(values.namespaces);
const latency = Number(values.latency);
const parallel = Number(values.parallel);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = path.join(root, 'plugin/kubectl-harbor');
const figure = named(FIGURES.bindSa, `${count}ns-${latency}ms`);
if (!fs.existsSync(plugin)) {
  process.stderr.write('bind-sa: skipped: no plugin/kubectl-harbor: run `npm run build` first\n');
  printResults([skippedLine(figure, 'no plugin/kubectl-harbor: run `npm run build` first')]);
  process.exit(0);
}

const namespaces = Array.from({ length: count }, (_, i) => `ns-${String(i).padStart(3, '0')}`);
const sup = await startSupervisor({ namespaces, clusters: [] });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bindsa-'));
const kubeconfig = writeKubeconfig(dir, sup.kubeconfig('admin'));
const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
const cache = path.join(dir, 'cache');
fs.writeFileSync(path.join(dir, 'namespaces'), namespaces.join('\n') + '\n');

const run = (file: string, args: string[]): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
        : reject(new Error(`${file} exited ${code}: ${err}`)),
    );
  });

const loop = (secret: string): Promise<number> =>
  run('bash', [
    '-c',
    `while read -r ns; do kubectl --cache-dir ${cache} patch serviceaccount default -n "$ns" --type json -p '[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"${secret}"}}]' >/dev/null || exit 1; done < ${path.join(dir, 'namespaces')}`,
  ]);
const plug = (secret: string): Promise<number> =>
  run(plugin, ['bind-sa', secret, '-A', '--allow-missing-secret', '--parallel', String(parallel)]);

const times = { loop: [] as number[], plugin: [] as number[] };
try {
  await run('kubectl', ['--cache-dir', cache, 'get', 'ns', '-o', 'name']); // warm kubectl's discovery cache
  sup.supervisor.faults.latency(latency);
  for (let i = 0; i < runs; i++) {
    times.plugin.push(await plug(`bench-plugin-${i}`));
    if (!values['skip-loop']) times.loop.push(await loop(`bench-loop-${i}`));
  }
} finally {
  await sup.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
const floor = (count * 2 * latency) / parallel;
const mp = median(times.plugin);
const ml = times.loop.length ? median(times.loop) : NaN;
console.log(`bind-sa over ${count} namespaces, ${latency} ms injected per request, ${runs} interleaved runs (median)`);
console.log(`  shell loop of kubectl patch      ${ml.toFixed(0).padStart(8)} ms`);
console.log(
  `  kubectl harbor bind-sa -A        ${mp.toFixed(0).padStart(8)} ms   ${(ml / mp).toFixed(1)}x faster than the loop (target >= 20x)`,
);
console.log(
  `  floor (${count} x 2 x ${latency} ms / ${parallel})   ${floor.toFixed(0).padStart(8)} ms   bind-sa is ${(mp / floor).toFixed(2)}x the floor (target <= 2x)`,
);
printResults([resultLine(figure, mp / floor)]);
