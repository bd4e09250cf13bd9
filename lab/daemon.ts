// The lab's long-running Node process, started detached by `lab up`: the Harbor front
// and the Supervisor and TKC API emulators. Exec into a jumpbox pod runs in the lab's pod
// network namespace, so a relay there (`nc IP 22`) really reaches the nodes. Pulls from
// the lab Harbor are real: a TKC pod's through its node's containerd, a vSphere Pod's
// through the image fetcher against image-fetcher-ca-bundle, each with the pod's pull secrets.
import fs from 'node:fs';
import path from 'node:path';
import {
  CLUSTER,
  HARBOR_NAME,
  HARBOR_ISSUER,
  HARBOR_PROJECTS,
  HARBOR_ROBOTS,
  HARBOR_SERVICE,
  HARBOR_USERS,
  hostIp,
  labConfig,
  loopbackPorts,
  NODE_PATH,
  nodeIp,
  nodeName,
  paths,
  podNetns,
  PORTS,
  type LabConfig,
  ROBOT_PREFIX,
  VKS_CLUSTER,
} from './config.js';
import { HarborFront } from './harbor/front.js';
import { pkiFiles } from './labpki.js';
import { nodeDir } from './nodes/nodes.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from './apiserver/supervisor.js';
import { containerdPuller, imageFetcher } from './apiserver/pullers.js';

const c = labConfig();
const p = paths(c);
const pki = pkiFiles(p.pki);
const harbor = `${hostIp(c)}:${PORTS.harbor}`;
const log = (line: string): void => void fs.appendFileSync(path.join(p.logs, 'harbor-front.log'), line + '\n');

/** vSphere Pods pull through the Supervisor's image fetcher, which trusts image-fetcher-ca-bundle. */
const supervisorPull = (lab: () => SupervisorLab | undefined) =>
  imageFetcher({
    hosts: [hostIp(c), HARBOR_NAME],
    bundle: () =>
      String(
        lab()?.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle')?.data?.['ca-bundle'] ?? '',
      ),
  });

/** TKC pods pull through the containerd of the node they are scheduled on (CRI PullImage), as the kubelet does. */
const tkcPull = (cfg: LabConfig) =>
  containerdPuller({
    hosts: [hostIp(cfg), HARBOR_NAME],
    socket: (node) => {
      const i = Array.from({ length: cfg.nodes }, (_, k) => k + 1).find((k) => nodeName(k) === node);
      return i === undefined ? undefined : path.join(nodeDir(cfg, i), 'run/containerd/containerd.sock');
    },
  });
const tkcNodes = Array.from({ length: c.nodes }, (_, k) => ({ name: nodeName(k + 1), ip: nodeIp(c, k + 1) }));

const front = new HarborFront({
  listeners: [
    { host: hostIp(c), port: PORTS.harbor, tls: pki.harbor, api: 'v2' },
    { host: hostIp(c), port: PORTS.noIpSan, tls: pki.noIpSan, api: 'v2' },
    { host: hostIp(c), port: PORTS.expired, tls: pki.expired, api: 'v2' },
    {
      host: hostIp(c),
      port: PORTS.intermediate,
      tls: { cert: pki.intermediate.cert, key: pki.intermediate.key },
      api: 'none',
    },
    { host: hostIp(c), port: PORTS.plainHttp, api: 'v2' },
    { host: hostIp(c), port: PORTS.harborV1, tls: pki.harbor, api: 'v1' },
  ],
  backend: { host: '127.0.0.1', port: loopbackPorts(c).registryBackend },
  users: HARBOR_USERS,
  projects: HARBOR_PROJECTS,
  robots: HARBOR_ROBOTS,
  robotPrefix: process.env.LAB_HARBOR_ROBOT_PREFIX || ROBOT_PREFIX,
  // Robots persist across daemon restarts (the state directory goes with `lab down`).
  stateFile: path.join(p.state, 'harbor', 'robots.json'),
  service: HARBOR_SERVICE,
  issuer: HARBOR_ISSUER,
  signingKey: pki.token.key,
  caRoot: pki.ca,
  // 429 and 412 cannot come from a misconfiguration in the lab: these repositories answer them.
  repositoryFaults: { 'lab/ratelimited': 'rate-limited', 'lab/blocked': 'policy-blocked' },
  log,
});
await front.start();

let lab: SupervisorLab | undefined;
const sshKey = {
  privatePem: fs.readFileSync(path.join(p.client, 'id_rsa'), 'utf8'),
  publicOpenSsh: fs.readFileSync(path.join(p.client, 'id_rsa.pub'), 'utf8').trim(),
};
const nodes = Array.from({ length: c.nodes }, (_, k) => nodeIp(c, k + 1));
lab = await startSupervisor({
  harbor,
  sshKey,
  clusters: [
    {
      name: CLUSTER.name,
      namespace: CLUSTER.namespace,
      controlPlaneIps: nodes.slice(0, 1),
      workerIps: nodes.slice(1),
      apiHost: '127.0.0.2',
    },
    // A VKS 3.x Cluster (v1beta2, builtin-generic) on the same nodes.
    {
      name: VKS_CLUSTER.name,
      namespace: VKS_CLUSTER.namespace,
      api: 'cluster-v1beta2',
      controlPlaneIps: nodes.slice(0, 1),
      workerIps: nodes.slice(1),
      apiHost: '127.0.0.3',
    },
  ],
  // Harbor as a Supervisor Service, with a CA of its own: the lab's main Harbor stays an
  // embedded/external one, whose CA push-ca and trust must install (VKS distributes only
  // the service's CA, and kubectl-harbor then adds no second copy).
  harborService: true,
  server: {
    port: loopbackPorts(c).apiserver,
    extraHosts: [hostIp(c)],
    kubelet: { startDelayMs: 300, retryMs: 2000, pull: supervisorPull(() => lab) },
    exec: (r) => ({
      file: 'ip',
      args: [
        'netns',
        'exec',
        podNetns(c),
        'env',
        '-i',
        `PATH=${NODE_PATH}`,
        `HOSTNAME=${r.pod.metadata.name}`,
        ...r.command,
      ],
    }),
  },
  // The TKC's kubelet stand-in pulls through the nodes' real containerd.
  tkcServer: {
    port: loopbackPorts(c).apiserver,
    extraHosts: [],
    kubelet: { startDelayMs: 300, retryMs: 2000, pull: tkcPull(c), nodes: tkcNodes },
  },
});
const tkc = lab.tkcs.get(CLUSTER.name)!;
for (const who of ['admin', 'devops', 'viewer'] as const)
  writeKubeconfig(p.state, lab.kubeconfig(who), who === 'devops' ? 'kubeconfig' : `${who}.kubeconfig`);
writeKubeconfig(p.state, lab.vcfKubeconfig('devops'), 'vcf.kubeconfig');
fs.writeFileSync(path.join(p.state, 'daemon.ready'), `${process.pid}\n`);
log(`ready: harbor ${harbor}, supervisor ${lab.supervisor.url}, tkc ${tkc.url}`);

const stop = async (): Promise<void> => {
  await lab?.close();
  await front.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
