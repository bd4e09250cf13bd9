// The machine-readable last lines of every benchmark, one per figure, so figures can be
// tracked run over run (`npm run bench` gathers them):
//   RESULT <figure> <value>x target <=|>= <target>x met|not-met
//   RESULT <figure> skipped (<why>)
// Figures and targets are issue 20's table, and the fleet figures below.
export interface Figure {
  name: string;
  op: '<=' | '>=';
  target: number;
}

export const FIGURES = {
  seaHelp: { name: 'sea-help/node-e-0', op: '<=', target: 1.15 },
  bundleHelp: { name: 'bundle-help/node-e-0', op: '<=', target: 1.5 },
  login: { name: 'login-verified/kubectl-create-secret', op: '<=', target: 2.0 },
  loginFirst: { name: 'login-first-run/kubectl-create-secret', op: '<=', target: 3.0 },
  bindSa: { name: 'bind-sa-A/floor', op: '<=', target: 2.0 },
  pushCaManual: { name: 'push-ca-all/manual-speedup', op: '>=', target: 10 },
  pushCaOne: { name: 'push-ca-all/one-node', op: '<=', target: 2.0 },
  // The same with nothing left to install (transport and plugin scaling alone), and the plugin's
  // own CPU for all nodes against one node (the CPU-bound part, reported apart).
  pushCaRerunOne: { name: 'push-ca-rerun-all/one-node', op: '<=', target: 2.0 },
  pushCaCpuOne: { name: 'push-ca-all/one-node-plugin-cpu', op: '<=', target: 2.0 },
  // Issue 19 gives no targets for fleets; these are ours: the DaemonSet as fast as SSH against
  // the manual procedure, no slower than SSH, and a pool of clusters well under their sum.
  daemonsetManual: { name: 'push-ca-daemonset/manual-speedup', op: '>=', target: 10 },
  daemonsetSsh: { name: 'push-ca-daemonset/ssh', op: '<=', target: 1.0 },
  allClusters: { name: 'push-ca-all-clusters/one-after-the-other', op: '<=', target: 0.75 },
} as const satisfies Record<string, Figure>;

/** The same figure measured under other conditions gets its own name. */
export const named = (f: Figure, suffix: string): Figure => ({ ...f, name: f.name.replace('/', `-${suffix}/`) });

export function resultLine(f: Figure, value: number): string {
  const met = f.op === '<=' ? value <= f.target : value >= f.target;
  return `RESULT ${f.name} ${value.toFixed(2)}x target ${f.op} ${f.target}x ${met ? 'met' : 'not-met'}`;
}

export const skippedLine = (f: Figure, why: string): string => `RESULT ${f.name} skipped (${why})`;

/** Print the RESULT lines last, on stdout. */
export function printResults(lines: string[]): void {
  for (const l of lines) process.stdout.write(`${l}\n`);
}

/** Whether this process can run the lab (root). */
export const isRoot = (): boolean => process.getuid?.() === 0;
