// Adding and removing nodes while the lab runs (autoscaling, for `--keep` DaemonSets):
//   node --import tsx lab/cli.ts add-node tkc-1      -> {"name":"n6","ip":"...","cluster":"tkc-1",...}
//   node --import tsx lab/cli.ts remove-node n6
// or addNode(cfg, 'tkc-1') / removeNode(cfg, 'n6') from a test. The lab daemon does the
// work behind a control socket (state/control.sock, HTTP): a new node gets the next free
// index (after tkc-1's and tkc-2's and earlier additions), its network namespace on the
// bridge, sshd and containerd booted as at `lab up`, its host key appended to
// client/known_hosts, a VirtualMachine on the Supervisor and a Node in the cluster's TKC
// emulator (so DaemonSets schedule onto it). Removing takes the Node (and its pods) and the
// VirtualMachine away and stops the node. Only added nodes can be removed.
//   node --import tsx lab/cli.ts kubelet n2 down|up      (or setKubelet(cfg, 'n2', false))
// stops or restarts a node's kubelet as the clusters' emulators see it (ApiServer.setKubelet:
// Node conditions Unknown, unreachable taints, pods unready; new pods stay Pending). Added nodes are
// listed in state/extra-nodes.json, which `lab status` reads; `lab down` removes them with
// the rest.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { nodeIp, nodeName, nodeOs, paths, type LabConfig } from './config.js';
import { addClusterNode, removeClusterNode, type SupervisorLab } from './apiserver/supervisor.js';
import { attachNode, hostKey, nodePid, sshdUp, startNode, stopNode } from './nodes/nodes.js';
import { LabError, waitFor } from './sh.js';

export interface ExtraNode {
  index: number;
  name: string;
  ip: string;
  cluster: string;
  vm: string;
  hostKey: string;
}

const socketPath = (c: LabConfig): string => path.join(paths(c).state, 'control.sock');
const extraFile = (c: LabConfig): string => path.join(paths(c).state, 'extra-nodes.json');

/** The nodes added to the running lab. */
export function extraNodes(c: LabConfig): ExtraNode[] {
  try {
    return JSON.parse(fs.readFileSync(extraFile(c), 'utf8')) as ExtraNode[];
  } catch {
    return [];
  }
}

const saveExtra = (c: LabConfig, list: ExtraNode[]): void =>
  fs.writeFileSync(extraFile(c), JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });

/** The daemon side: serve add and remove on the control socket. */
export async function serveControl(
  c: LabConfig,
  lab: SupervisorLab,
  authorizedKey: string,
  booted: number,
): Promise<http.Server> {
  let queue: Promise<unknown> = Promise.resolve();
  const one = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };
  const add = async (cluster: string): Promise<ExtraNode> => {
    if (!lab.tkcs.has(cluster))
      throw new LabError(`no cluster ${cluster}; clusters: ${[...lab.tkcs.keys()].join(', ')}`);
    const list = extraNodes(c);
    const i = Math.max(booted, ...list.map((n) => n.index)) + 1;
    if (i > 200) throw new LabError('no free node address left');
    await attachNode(c, i);
    await startNode(c, i, { authorizedKey });
    await waitFor(`node ${nodeName(i)}`, async () => nodePid(c, i) !== undefined && sshdUp(c, i), 30_000);
    const node = { name: nodeName(i), ip: nodeIp(c, i), controlPlane: false, os: nodeOs(i) };
    const vm = addClusterNode(lab, cluster, node);
    const entry: ExtraNode = { index: i, name: node.name, ip: node.ip, cluster, vm, hostKey: hostKey(c, i) };
    fs.appendFileSync(path.join(paths(c).client, 'known_hosts'), `${entry.ip} ${entry.hostKey}\n`);
    saveExtra(c, [...list, entry]);
    return entry;
  };
  const remove = async (name: string): Promise<ExtraNode> => {
    const list = extraNodes(c);
    const entry = list.find((n) => n.name === name);
    if (!entry)
      throw new LabError(
        `${name} is not a node added with add-node (added: ${list.map((n) => n.name).join(', ') || 'none'})`,
      );
    removeClusterNode(lab, entry.cluster, { name: entry.name, ip: entry.ip });
    await stopNode(c, entry.index);
    saveExtra(
      c,
      list.filter((n) => n.name !== name),
    );
    return entry;
  };
  const kubelet = async (name: string, up: boolean): Promise<{ name: string; up: boolean; clusters: string[] }> => {
    const clusters = [...lab.tkcs].filter(([, t]) => t.get('v1', 'nodes', undefined, name)).map(([n]) => n);
    if (!clusters.length) throw new LabError(`no node ${name} in any cluster`);
    for (const cl of clusters) lab.tkcs.get(cl)!.setKubelet(name, up);
    return { name, up, clusters };
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab');
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/nodes(?:\/([^/]+))?$/.exec(url.pathname);
    const k = /^\/nodes\/([^/]+)\/kubelet$/.exec(url.pathname);
    const work: Promise<unknown> | undefined =
      m && req.method === 'POST' && !m[1]
        ? one(() => add(url.searchParams.get('cluster') ?? ''))
        : m && req.method === 'DELETE' && m[1]
          ? one(() => remove(m[1]!))
          : k && req.method === 'POST'
            ? one(() => kubelet(k[1]!, url.searchParams.get('up') === 'true'))
            : undefined;
    if (!work) return reply(404, { error: `no ${req.method} ${url.pathname}` });
    work.then(
      (entry) => reply(200, entry),
      (e: Error) => reply(e instanceof LabError ? 400 : 500, { error: e.message }),
    );
  });
  fs.rmSync(socketPath(c), { force: true });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(socketPath(c), () => ok());
  });
  fs.chmodSync(socketPath(c), 0o600);
  return server;
}

function request<T = ExtraNode>(c: LabConfig, method: string, url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socketPath(c), method, path: url, timeout: 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (res.statusCode === 200) resolve(body as T);
        else reject(new LabError(body.error ?? `HTTP ${res.statusCode}`));
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new LabError(
          e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
            ? `the lab is not up (no daemon on ${socketPath(c)}); run: npm run lab -- up`
            : `the lab daemon does not answer on ${socketPath(c)}: ${e.message}`,
        ),
      ),
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Boot a new worker node into `cluster` of the running lab (see the header). */
export function addNode(c: LabConfig, cluster: string): Promise<ExtraNode> {
  return request(c, 'POST', `/nodes?cluster=${encodeURIComponent(cluster)}`);
}

/** Remove a node added with addNode. */
export function removeNode(c: LabConfig, name: string): Promise<ExtraNode> {
  return request(c, 'DELETE', `/nodes/${encodeURIComponent(name)}`);
}

/** Stop (false) or restart (true) node `name`'s kubelet in every cluster that has it (see the header). */
export function setKubelet(
  c: LabConfig,
  name: string,
  up: boolean,
): Promise<{ name: string; up: boolean; clusters: string[] }> {
  return request(c, 'POST', `/nodes/${encodeURIComponent(name)}/kubelet?up=${up}`);
}
