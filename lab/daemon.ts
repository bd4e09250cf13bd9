// The lab's long-running Node process, started detached by `lab up`: the Harbor front
// and the Supervisor and TKC API emulators. Exec into a jumpbox pod runs in the lab's pod
// network namespace, so a relay there (`nc IP 22`) really reaches the nodes. Pulls from
// the lab Harbor are real: a TKC pod's through its node's containerd, a vSphere Pod's
// through the image fetcher against image-fetcher-ca-bundle, each with the pod's pull secrets.
// Each TKC emulator has its nodes as Node objects (status.images from the node's containerd)
// and runs DaemonSet pods on them for real (lab/nodes/podrun.ts). tkc-2 (LAB_TKC2_NODES) has
// nodes of its own. A control socket (state/control.sock, lab/control.ts) adds and removes
// nodes while the lab runs.
import fs from 'node:fs';
import path from 'node:path';
import {
  bootNodes,
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
  paths,
  podNetns,
  PORTS,
  ROBOT_PREFIX,
  TKC2,
  tkc2NodeIndexes,
  VKS_CLUSTER,
} from './config.js';
import { serveControl } from './control.js';
import { labNodeSpec, tkcServerOn } from './tkcserver.js';
import { HarborFront } from './harbor/front.js';
import { pkiFiles } from './labpki.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from './apiserver/supervisor.js';
import { imageFetcher } from './apiserver/pullers.js';

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

const nodeSpec = (i: number, controlPlane: boolean) => labNodeSpec(c, i, controlPlane);
const tkcServerFor = (indexes: number[]) => tkcServerOn(c, indexes);
const tkc1 = Array.from({ length: c.nodes }, (_, k) => k + 1);
const tkc2 = tkc2NodeIndexes(c);

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
const nodes = tkc1.map((i) => nodeIp(c, i));
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
      nodes: tkc1.map((i, k) => nodeSpec(i, k === 0)),
      server: tkcServerFor(tkc1),
    },
    // A VKS 3.x Cluster (v1beta2, builtin-generic) on the same nodes.
    {
      name: VKS_CLUSTER.name,
      namespace: VKS_CLUSTER.namespace,
      api: 'cluster-v1beta2',
      controlPlaneIps: nodes.slice(0, 1),
      workerIps: nodes.slice(1),
      apiHost: '127.0.0.3',
      nodes: tkc1.map((i, k) => nodeSpec(i, k === 0)),
      server: tkcServerFor(tkc1),
    },
    // A second TanzuKubernetesCluster on nodes of its own.
    ...(tkc2.length
      ? [
          {
            name: TKC2.name,
            namespace: TKC2.namespace,
            controlPlaneIps: tkc2.slice(0, 1).map((i) => nodeIp(c, i)),
            workerIps: tkc2.slice(1).map((i) => nodeIp(c, i)),
            apiHost: '127.0.0.4',
            nodes: tkc2.map((i, k) => nodeSpec(i, k === 0)),
            server: tkcServerFor(tkc2),
          },
        ]
      : []),
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
  // The TKCs' kubelet stand-ins pull through the nodes' real containerd (tkcServerFor).
  tkcServer: { port: loopbackPorts(c).apiserver, extraHosts: [] },
});
const tkc = lab.tkcs.get(CLUSTER.name)!;
for (const who of ['admin', 'devops', 'viewer'] as const)
  writeKubeconfig(p.state, lab.kubeconfig(who), who === 'devops' ? 'kubeconfig' : `${who}.kubeconfig`);
writeKubeconfig(p.state, lab.vcfKubeconfig('devops'), 'vcf.kubeconfig');
const control = await serveControl(c, lab, sshKey.publicOpenSsh, bootNodes(c).length);
fs.writeFileSync(path.join(p.state, 'daemon.ready'), `${process.pid}\n`);
log(`ready: harbor ${harbor}, supervisor ${lab.supervisor.url}, tkc ${tkc.url}`);

const stop = async (): Promise<void> => {
  control.close();
  await lab?.close();
  await front.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
