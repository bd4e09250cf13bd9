// The lab's long-running Node process, started detached by `lab up`: the Harbor front
// and the Supervisor and TKC API emulators. Exec into a jumpbox pod runs in the lab's pod
// network namespace, so a relay there (`nc IP 22`) really reaches the nodes; pulls from
// the lab Harbor fail with x509 until the CA is where that layer looks for it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  CLUSTER,
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
  type LabConfig,
  ROBOT_PREFIX,
  VKS_CLUSTER,
} from './config.js';
import { HarborFront } from './harbor/front.js';
import { pkiFiles } from './labpki.js';
import { nodeDir } from './nodes/nodes.js';
import { startSupervisor, writeKubeconfig, type SupervisorLab } from './apiserver/supervisor.js';

const c = labConfig();
const p = paths(c);
const pki = pkiFiles(p.pki);
const harbor = `${hostIp(c)}:${PORTS.harbor}`;
const log = (line: string): void => void fs.appendFileSync(path.join(p.logs, 'harbor-front.log'), line + '\n');

const fingerprints = (pem: string): Set<string> => {
  const out = new Set<string>();
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)) {
    try {
      out.add(new crypto.X509Certificate(m[0]).fingerprint256);
    } catch {
      /* not a certificate */
    }
  }
  return out;
};
const labCa = [...fingerprints(fs.readFileSync(pki.ca, 'utf8'))][0]!;
const read = (f: string): string => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
};

function x509(image: string): string {
  const [host, ...rest] = image.split('/');
  const [repo, tag] = rest.join('/').split(':');
  return `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://${host}/v2/${repo}/manifests/${tag ?? 'latest'}": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
}

/** vSphere Pods pull through the Supervisor's image fetcher, which trusts image-fetcher-ca-bundle. */
function supervisorPull(lab: () => SupervisorLab | undefined) {
  return (image: string): string | undefined => {
    if (!image.startsWith(`${harbor}/`)) return undefined;
    const cm = lab()?.supervisor.get('v1', 'configmaps', 'kube-system', 'image-fetcher-ca-bundle');
    return fingerprints(String(cm?.data?.['ca-bundle'] ?? '')).has(labCa) ? undefined : x509(image);
  };
}

/** TKC pods pull through their node's containerd: certs.d or the system bundle of every node. */
function tkcPull(cfg: LabConfig) {
  return (image: string): string | undefined => {
    if (!image.startsWith(`${harbor}/`)) return undefined;
    for (let i = 1; i <= cfg.nodes; i++) {
      const etc = path.join(nodeDir(cfg, i), 'etc');
      const trusted = [
        path.join(etc, 'containerd/certs.d', harbor, 'ca.crt'),
        path.join(etc, 'pki/tls/certs/ca-bundle.crt'),
        path.join(etc, 'ssl/certs/ca-certificates.crt'),
      ].some((f) => fingerprints(read(f)).has(labCa));
      if (!trusted) return x509(image);
    }
    return undefined;
  };
}

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
    kubelet: { startDelayMs: 300, pullError: supervisorPull(() => lab) },
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
  // The TKC's kubelet stand-in pulls through the nodes' containerd trust.
  tkcServer: {
    port: loopbackPorts(c).apiserver,
    extraHosts: [],
    kubelet: { startDelayMs: 300, pullError: tkcPull(c) },
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
