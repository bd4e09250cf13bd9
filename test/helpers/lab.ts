// The lab that command tests share: registries, Harbor front and SSH nodes, brought up
// once by `npm test` (scripts/test.mjs) under its own prefix and network, or on demand
// when one test file runs alone. Each test file starts its own API emulators in-process,
// so files running side by side never see each other's Kubernetes objects.
import fs from 'node:fs';
import path from 'node:path';
import { labConfig, type LabConfig } from '../../lab/config.js';
import { up, type LabInfo } from '../../lab/lab.js';

/**
 * The shared lab's names. LAB_SLOT=1..9 moves it (prefix, network, ports, directory) so that
 * several checkouts can run their suites side by side on one machine; keep in step with
 * scripts/test.mjs.
 */
export function sharedLabEnv(slot = Number(process.env.LAB_SLOT ?? 0)): Record<string, string> {
  const s = Number.isInteger(slot) && slot > 0 && slot < 10 ? slot : 0;
  return s === 0
    ? {
        LAB_DIR: '/tmp/kubectl-harbor-lab-shared',
        LAB_PREFIX: 'khs',
        LAB_NET: '10.219.0',
        LAB_PORT_OFFSET: '200',
        LAB_NODES: '3',
      }
    : {
        LAB_DIR: `/tmp/kubectl-harbor-lab-shared${s}`,
        LAB_PREFIX: `khs${s}`,
        LAB_NET: `10.23${s}.0`,
        LAB_PORT_OFFSET: String(1000 + 100 * s),
        LAB_NODES: '3',
      };
}

export const SHARED_LAB_ENV = sharedLabEnv();

export const canRunLab = process.getuid?.() === 0;

export function sharedLabConfig(): LabConfig {
  return labConfig(SHARED_LAB_ENV);
}

/** The shared lab, up. Idempotent: a no-op when npm test already brought it up. */
export async function sharedLab(): Promise<{ cfg: LabConfig; info: LabInfo }> {
  const cfg = sharedLabConfig();
  const r = await up(cfg);
  return { cfg, info: r.info };
}

export function readCa(info: LabInfo): string {
  return fs.readFileSync(info.ca, 'utf8');
}

export function labFile(info: LabInfo, ...parts: string[]): string {
  return path.join(info.state, ...parts);
}

/**
 * A node as it was booted, trust-wise: no lab CA in its system stores, containerd's or Docker's
 * certs.d or the backups, whatever an earlier test left (Photon: the distribution bundle back; Ubuntu:
 * update-ca-certificates --fresh), and containerd restarted so it reads that.
 */
export const UNTRUST_NODE = [
  'find /etc/ssl/certs -maxdepth 1 -type f -name "*.pem" -delete',
  'rm -rf /etc/containerd/certs.d/* /etc/docker /usr/local/share/ca-certificates/*.crt /etc/pki/tls/certs/*.harbor-backup /etc/ssl/certs/*.harbor-backup /var/backups/kubectl-harbor',
  'if [ -f /etc/pki/tls/certs/.distribution-bundle.crt ]; then cp /etc/pki/tls/certs/.distribution-bundle.crt /etc/pki/tls/certs/ca-bundle.crt; else update-ca-certificates --fresh >/dev/null 2>&1; fi',
  'systemctl restart containerd',
].join('; ');
