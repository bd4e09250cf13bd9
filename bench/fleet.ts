// Fleets (issue 19): push-ca through a DaemonSet beside push-ca over SSH (the jumpbox tunnel)
// and the manual procedure, on one cluster; and --all-clusters over the lab's clusters
// (tkc-1, vks-1 on tkc-1's nodes, tkc-2 on its own) against the same clusters run one after
// the other. Interleaved rounds, medians, ratios. Asserts nothing.
// Latency: --rtt MS (default 50) on every path to a node (netem, else the lab's relay).
// Needs root (it boots its own lab, prefix khf, or khfN with LAB_SLOT=N):
//   npm run bench:fleet [-- --runs 3 --nodes 5 --rtt 50]
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bootNodes, labConfig, VKS_CLUSTER } from '../lab/config.js';
import { down, up } from '../lab/lab.js';
import { nodeExec, setLatency } from '../lab/nodes/nodes.js';
import { FIGURES, isRoot, named, printResults, resultLine, skippedLine } from './result.js';
import { median } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '5' },
    rtt: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
  },
});
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = path.join(root, 'plugin/kubectl-harbor');
const rtt = Number(values.rtt);
const tag = `${values.nodes}nodes-${rtt}msrtt`;
const figures = [
  named(FIGURES.daemonsetManual, tag),
  named(FIGURES.daemonsetSsh, tag),
  named(FIGURES.allClusters, tag),
];
const cannot = !isRoot()
  ? 'needs root for the lab'
  : !fs.existsSync(plugin)
    ? 'no plugin/kubectl-harbor: run `npm run build` first'
    : undefined;
if (cannot) {
  say(`fleet: skipped: ${cannot}`);
  printResults(figures.map((f) => skippedLine(f, cannot)));
  process.exit(0);
}
const slot = Number(process.env.LAB_SLOT ?? 0);
const s = Number.isInteger(slot) && slot > 0 && slot < 10 ? slot : 0;
const cfg = labConfig({
  LAB_DIR: `/tmp/kubectl-harbor-lab-fleet${s || ''}`,
  LAB_PREFIX: `khf${s || ''}`,
  LAB_NET: s ? `10.25${s}.0` : '10.250.0',
  LAB_PORT_OFFSET: String(s ? 3000 + 100 * s : 3000),
  LAB_NODES: values.nodes,
  LAB_TKC2_NODES: values.nodes,
});
say(`booting a lab with ${cfg.nodes} + ${cfg.tkc2Nodes} nodes...`);
const { info: lab } = await up(cfg);
const home = fs.mkdtempSync('/tmp/bench-fleet-');
const env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: lab.adminKubeconfig };
const fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;
let latencyNote = `${rtt} ms RTT to every node`;
try {
  const how = new Set<string>();
  for (const i of bootNodes(cfg)) how.add(await setLatency(cfg, i, rtt / 2));
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
        : reject(new Error(`${file} ${args.slice(0, 6).join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(input);
  });
const kubectl = (args: string[], input = '') =>
  run('kubectl', ['--cache-dir', path.join(home, 'cache'), '--context', lab.cluster.namespace, ...args], input);

/** Every node back to untrusted: no CA in the system stores, containerd's certs.d, or the backups. */
async function reset(): Promise<void> {
  const script =
    'find /etc/ssl/certs -maxdepth 1 -type f -name "*.pem" -delete; rm -rf /etc/containerd/certs.d/* /usr/local/share/ca-certificates/*.crt /var/backups/kubectl-harbor; if [ -f /etc/pki/tls/certs/.distribution-bundle.crt ]; then cp /etc/pki/tls/certs/.distribution-bundle.crt /etc/pki/tls/certs/ca-bundle.crt; else update-ca-certificates --fresh >/dev/null 2>&1; fi; systemctl restart containerd';
  await Promise.all(bootNodes(cfg).map((i) => nodeExec(cfg, i, ['sh', '-c', script])));
}

/** The manual procedure on tkc-1's nodes: per node, in series, copy, append, restart. */
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

const clusters = [lab.cluster.name, VKS_CLUSTER.name, lab.tkc2?.name ?? 'tkc-2'];
const push = (targets: string[], extra: string[]) =>
  run(plugin, [
    '--context',
    lab.cluster.namespace,
    'push-ca',
    ...targets,
    '--from-registry',
    lab.harbor,
    '--fingerprint',
    fp,
    '--accept-new-host-key',
    ...extra,
  ]);
const times = {
  manual: [] as number[],
  ssh: [] as number[],
  ds: [] as number[],
  all: [] as number[],
  seq: [] as number[],
};
try {
  say('creating the manual jumpbox and the harbor jumpboxes');
  await kubectl(['delete', 'pod', 'manual-jumpbox', '--ignore-not-found']);
  await kubectl(['run', 'manual-jumpbox', '--image=photon:3.0', '--restart=Never', '--', 'sleep', '86400']);
  await kubectl(['wait', '--for=condition=Ready', 'pod/manual-jumpbox', '--timeout=60s']);
  for (const c of clusters) await run(plugin, ['--context', lab.cluster.namespace, 'jumpbox', 'create', c]);
  say('warming up');
  await push(clusters, ['--parallel-clusters', '1']); // pin host keys, warm caches
  for (let r = 0; r < Number(values.runs); r++) {
    say(`round ${r + 1}`);
    await reset();
    times.manual.push(await manual());
    await reset();
    times.ssh.push(await push([lab.cluster.name], []));
    await reset();
    times.ds.push(await push([lab.cluster.name], ['--via', 'daemonset']));
    await reset();
    times.all.push(await push([], ['--all-clusters']));
    await reset();
    let seq = 0;
    for (const c of clusters) seq += await push([c], []);
    times.seq.push(seq);
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
  if (!values.keep) await down(cfg);
}
const [m, sh, ds, all, seq] = [times.manual, times.ssh, times.ds, times.all, times.seq].map(median) as number[];
const ms = (v: number): string => `${v.toFixed(0).padStart(8)} ms`;
console.log(`push-ca on the lab's clusters, ${latencyNote}, ${values.runs} interleaved rounds (median)`);
console.log(`  tkc-1 (${cfg.nodes} nodes), manual: per node in series     ${ms(m!)}`);
console.log(
  `  tkc-1, push-ca over SSH (jumpbox)                ${ms(sh!)}   ${(m! / sh!).toFixed(1)}x faster than manual`,
);
console.log(
  `  tkc-1, push-ca --via daemonset                   ${ms(ds!)}   ${(m! / ds!).toFixed(1)}x faster than manual, ${(ds! / sh!).toFixed(2)}x SSH`,
);
console.log(`  ${clusters.join(', ')} one after the other        ${ms(seq!)}`);
console.log(
  `  --all-clusters (same clusters, pool of 4)        ${ms(all!)}   ${(all! / seq!).toFixed(2)}x one after the other`,
);
printResults([
  resultLine(figures[0]!, m! / ds!),
  resultLine(figures[1]!, ds! / sh!),
  resultLine(figures[2]!, all! / seq!),
]);
