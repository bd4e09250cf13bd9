// push-ca on a 20-node lab against the manual procedure as people run it (per node, in
// series, three `kubectl exec jumpbox -- ssh …` calls: copy, append, restart), and
// against push-ca on a single node; interleaved rounds, medians, ratios. Asserts nothing.
// Latency: --rtt MS (default 50) on every path from the pod network to a node's sshd,
// half each way (netem where the kernel has it, else the lab's delaying relay).
// Needs root (it boots its own lab, prefix khb, or khbN with LAB_SLOT=N):
//   npm run bench:push-ca [-- --runs 3 --nodes 20 --rtt 50]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labConfig } from '../lab/config.js';
import { down, up } from '../lab/lab.js';
import { nodeExec, setLatency } from '../lab/nodes/nodes.js';
import { FIGURES, isRoot, named, printResults, resultLine, skippedLine } from './result.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '20' },
    rtt: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = path.join(root, 'plugin/kubectl-harbor');
const rtt = Number(values.rtt);
const figures = [FIGURES.pushCaManual, FIGURES.pushCaOne].map((f) => named(f, `${values.nodes}nodes-${rtt}msrtt`));
const cannot = !isRoot()
  ? 'needs root for the lab'
  : !fs.existsSync(plugin)
    ? 'no plugin/kubectl-harbor: run `npm run build` first'
    : undefined;
if (cannot) {
  say(`push-ca: skipped: ${cannot}`);
  printResults(figures.map((f) => skippedLine(f, cannot)));
  process.exit(0);
}
// Its own lab; LAB_SLOT=N (1-9) moves it, so that checkouts side by side do not collide.
const slot = Number(process.env.LAB_SLOT ?? 0);
const s = Number.isInteger(slot) && slot > 0 && slot < 10 ? slot : 0;
const cfg = labConfig({
  LAB_DIR: `/tmp/kubectl-harbor-lab-bench${s || ''}`,
  LAB_PREFIX: `khb${s || ''}`,
  LAB_NET: s ? `10.24${s}.0` : '10.220.0',
  LAB_PORT_OFFSET: String(s ? 2000 + 100 * s : 300),
  LAB_NODES: values.nodes,
});
process.stderr.write(`booting a ${cfg.nodes}-node lab...\n`);
const { info: lab } = await up(cfg);
const home = fs.mkdtempSync('/tmp/bench-pushca-');
const env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: lab.adminKubeconfig };
const fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;
say('lab up');
let latencyNote = `${rtt} ms RTT to every node`;
try {
  const how = new Set<string>();
  for (let i = 1; i <= cfg.nodes; i++) how.add(await setLatency(cfg, i, rtt / 2));
  latencyNote += ` (${[...how].join(', ')})`;
} catch (e) {
  latencyNote = `no latency injected (${(e as Error).message})`;
}

const run = (file: string, args: string[], input = ''): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
        : reject(new Error(`${file} ${args.slice(0, 4).join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(input);
  });
const kubectl = (args: string[], input = '') =>
  run('kubectl', ['--cache-dir', path.join(home, 'cache'), '--context', lab.cluster.namespace, ...args], input);

async function reset(): Promise<void> {
  const script =
    'find /etc/ssl/certs -maxdepth 1 -type f -name "*.pem" -delete; rm -rf /etc/containerd/certs.d/* /usr/local/share/ca-certificates/*.crt; if [ -f /etc/pki/tls/certs/.distribution-bundle.crt ]; then cp /etc/pki/tls/certs/.distribution-bundle.crt /etc/pki/tls/certs/ca-bundle.crt; else update-ca-certificates --fresh >/dev/null 2>&1; fi; systemctl restart containerd';
  await Promise.all(lab.nodes.map((_, i) => nodeExec(cfg, i + 1, ['sh', '-c', script])));
}

async function manual(): Promise<number> {
  const ssh = (ip: string, cmd: string) => [
    'exec',
    '-i',
    'manual-jumpbox',
    '--',
    'ssh',
    '-i',
    lab.sshKey,
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    `vmware-system-user@${ip}`,
    cmd,
  ];
  const ca = fs.readFileSync(lab.ca, 'utf8');
  let total = 0;
  for (const n of lab.nodes) {
    total += await kubectl(ssh(n.ip, 'cat > /tmp/harbor-ca.crt'), ca);
    total += await kubectl(ssh(n.ip, 'sudo sh -c "cat /tmp/harbor-ca.crt >> /etc/ssl/certs/ca-certificates.crt"'));
    total += await kubectl(ssh(n.ip, 'sudo systemctl restart containerd'));
  }
  return total;
}

const times = { manual: [] as number[], all: [] as number[], one: [] as number[] };
try {
  say('creating the manual jumpbox');
  await kubectl(['delete', 'pod', 'manual-jumpbox', '--ignore-not-found']);
  await kubectl(['run', 'manual-jumpbox', '--image=photon:3.0', '--restart=Never', '--', 'sleep', '86400']);
  await kubectl(['wait', '--for=condition=Ready', 'pod/manual-jumpbox', '--timeout=60s']);
  say('creating the harbor jumpbox');
  await run(plugin, ['--context', 'dev', 'jumpbox', 'create', lab.cluster.name]);
  const push = (extra: string[]) =>
    run(plugin, [
      '--context',
      'dev',
      'push-ca',
      lab.cluster.name,
      '--from-registry',
      lab.harbor,
      '--fingerprint',
      fp,
      '--accept-new-host-key',
      '--parallel',
      '20',
      ...extra,
    ]);
  say('warming up');
  await push(['--nodes', lab.nodes[0]!.ip]); // pin host keys, warm caches
  for (let r = 0; r < Number(values.runs); r++) {
    say(`round ${r + 1}`);
    await reset();
    times.manual.push(await manual());
    await reset();
    times.all.push(await push([]));
    await reset();
    times.one.push(await push(['--nodes', lab.nodes[0]!.ip]));
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
  if (!values.keep) await down(cfg);
}
const [m, a, o] = [median(times.manual), median(times.all), median(times.one)];
console.log(
  `push-ca on ${cfg.nodes} lab nodes (real sshd + containerd), ${latencyNote}, ${values.runs} interleaved rounds (median)`,
);
console.log(`  manual: per node in series, 3 kubectl exec jumpbox -- ssh   ${m.toFixed(0).padStart(8)} ms`);
console.log(
  `  push-ca, all ${cfg.nodes} nodes                              ${a.toFixed(0).padStart(8)} ms   ${(m / a).toFixed(1)}x faster than manual (target >= 10x)`,
);
console.log(
  `  push-ca, one node                                  ${o.toFixed(0).padStart(8)} ms   ${cfg.nodes} nodes take ${(a / o).toFixed(2)}x one node (target <= 2x)`,
);
printResults([resultLine(figures[0]!, m / a), resultLine(figures[1]!, a / o)]);
