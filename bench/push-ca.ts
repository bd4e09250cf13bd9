// push-ca on a 20-node lab against the manual procedure as people run it (per node, in
// series, three `kubectl exec jumpbox -- ssh …` calls: copy, append, restart), and
// against push-ca on a single node; interleaved rounds, medians, ratios. Asserts nothing.
// Also: the same on a re-run with nothing left to install (transport and plugin scaling
// alone), and the CPU-bound part of the installing run reported apart: the plugin's own CPU
// (user+sys, from bash's `times`), the lab nodes' own (every process in the nodes' network
// namespaces: sshd with the sessions it reaped, so update-ca-certificates and the rest, and
// containerd) and the machine's busy CPU seconds from /proc/stat (everything, other users too).
// Latency: --rtt MS (default 50) on every path from the pod network to a node's sshd,
// half each way (netem where the kernel has it, else the lab's delaying relay).
// Needs root (it boots its own lab, prefix khb, or khbN with LAB_SLOT=N):
//   npm run bench:push-ca [-- --runs 3 --nodes 20 --rtt 50]
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labConfig, netnsName } from '../lab/config.js';
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
const figures = [FIGURES.pushCaManual, FIGURES.pushCaOne, FIGURES.pushCaRerunOne, FIGURES.pushCaCpuOne].map((f) =>
  named(f, `${values.nodes}nodes-${rtt}msrtt`),
);
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

const run = (file: string, args: string[], input = '', stderr?: (tail: string) => void): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('close', (code) => {
      stderr?.(err);
      return code === 0
        ? resolve(Number(process.hrtime.bigint() - t0) / 1e6)
        : reject(new Error(`${file} ${args.slice(0, 4).join(' ')} exited ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
/** The machine's busy and total CPU seconds since boot (/proc/stat, all cores). */
function machineCpu(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((x, y) => x + y, 0);
  return { busy: (total - f[3]! - f[4]!) / 100, total: total / 100 };
}

/** CPU seconds so far (own and reaped children's) of every process in the lab nodes' network namespaces, by pid. */
function nodesCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (let i = 1; i <= cfg.nodes; i++) {
    const r = spawnSync('ip', ['netns', 'pids', netnsName(cfg, i)], { encoding: 'utf8' });
    for (const pid of r.stdout.split('\n').filter(Boolean).map(Number)) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        byPid.set(pid, (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100);
      } catch {} // gone
    }
  }
  return byPid;
}

/** What the nodes' processes used between two samples (a process that exited in between is not counted: a lower bound). */
const nodesDelta = (a: Map<number, number>, b: Map<number, number>): number =>
  [...b].reduce((sum, [pid, t]) => sum + t - (a.get(pid) ?? 0), 0);

/** Seconds from bash's `times` (`0m1.234s`). */
const secs = (t: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
};

interface Measured {
  ms: number;
  /** The plugin's own CPU seconds (user + sys, its children included). */
  cpu: number;
  /** The machine's busy CPU seconds during the run; the lab nodes' share of them. */
  busy: number;
  nodes: number;
}

/** Run the plugin through bash, which prints its `times` last on stderr; the machine's CPU around it. */
async function measured(args: string[]): Promise<Measured> {
  const n0 = nodesCpu();
  const m0 = machineCpu();
  let err = '';
  const ms = await run('bash', ['-c', '"$0" "$@"; r=$?; times >&2; exit $r', plugin, ...args], '', (e) => (err = e));
  const m1 = machineCpu();
  const nodes = nodesDelta(n0, nodesCpu());
  const [user, sys] = (err.trim().split('\n').at(-1) ?? '').split(/\s+/).map(secs);
  return { ms, cpu: user! + sys!, busy: m1.busy - m0.busy, nodes };
}

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

const times = {
  manual: [] as number[],
  all: [] as Measured[],
  one: [] as Measured[],
  allAgain: [] as number[],
  oneAgain: [] as number[],
};
try {
  say('creating the manual jumpbox');
  await kubectl(['delete', 'pod', 'manual-jumpbox', '--ignore-not-found']);
  await kubectl(['run', 'manual-jumpbox', '--image=photon:3.0', '--restart=Never', '--', 'sleep', '86400']);
  await kubectl(['wait', '--for=condition=Ready', 'pod/manual-jumpbox', '--timeout=60s']);
  say('creating the harbor jumpbox');
  await run(plugin, ['--context', 'dev', 'jumpbox', 'create', lab.cluster.name]);
  const pushArgs = (extra: string[]) => [
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
  ];
  const push = (extra: string[]) => run(plugin, pushArgs(extra));
  const oneNode = ['--nodes', lab.nodes[0]!.ip];
  say('warming up');
  await push(oneNode); // pin host keys, warm caches
  for (let r = 0; r < Number(values.runs); r++) {
    say(`round ${r + 1}`);
    await reset();
    times.manual.push(await manual());
    await reset();
    times.all.push(await measured(pushArgs([])));
    times.allAgain.push(await push([])); // nothing left to install
    await reset();
    times.one.push(await measured(pushArgs(oneNode)));
    times.oneAgain.push(await push(oneNode));
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
  if (!values.keep) await down(cfg);
}
const m = median(times.manual);
const [a, o] = [median(times.all.map((x) => x.ms)), median(times.one.map((x) => x.ms))];
const [a2, o2] = [median(times.allAgain), median(times.oneAgain)];
const cpu = (xs: Measured[], k: keyof Measured): number => median(xs.map((x) => x[k]));
const [ac, oc] = [cpu(times.all, 'cpu'), cpu(times.one, 'cpu')];
const [busy, nodesWork] = [cpu(times.all, 'busy'), cpu(times.all, 'nodes')];
const row = (what: string, ms: number, note: string): void =>
  console.log(`  ${what.padEnd(51)}${ms.toFixed(0).padStart(8)} ms   ${note}`);
console.log(
  `push-ca on ${cfg.nodes} lab nodes (real sshd + containerd), ${latencyNote}, ${values.runs} interleaved rounds (median)`,
);
row('manual: per node in series, 3 kubectl exec jumpbox -- ssh', m, '');
row(`push-ca, all ${cfg.nodes} nodes`, a, `${(m / a).toFixed(1)}x faster than manual (target >= 10x)`);
row('push-ca, one node', o, `${cfg.nodes} nodes take ${(a / o).toFixed(2)}x one node (target <= 2x)`);
row(`re-run, nothing left to install, all ${cfg.nodes} nodes`, a2, `${(a2 / o2).toFixed(2)}x the one-node re-run`);
row('re-run, nothing left to install, one node', o2, '');
console.log(
  `  CPU, installing run on all ${cfg.nodes} nodes: the plugin ${ac.toFixed(2)} s (one node: ${oc.toFixed(2)} s); the machine busy ${busy.toFixed(1)} CPU-s over ${(a / 1000).toFixed(1)} s on ${os.cpus().length} cores (everything on it, other users too)`,
);
console.log(
  `  so of ${(a / 1000).toFixed(1)} s, at least ${nodesWork.toFixed(1)} CPU-s (${((nodesWork / (a / 1000)) * 100).toFixed(0)}% of one core's time) is the ${cfg.nodes} nodes' own work (sshd, update-ca-certificates, containerd restarts) competing for ${os.cpus().length} cores`,
);
printResults([
  resultLine(figures[0]!, m / a),
  resultLine(figures[1]!, a / o),
  resultLine(figures[2]!, a2 / o2),
  resultLine(figures[3]!, ac / oc),
]);
