// Debian's real docker-registry (distribution 2.8), twice: the Harbor backend with token
// auth (plain HTTP on loopback, behind the front), and a second registry with htpasswd
// Basic auth over TLS on the lab bridge.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  BASIC_USER,
  HARBOR_ISSUER,
  HARBOR_SERVICE,
  hostIp,
  loopbackPorts,
  paths,
  PORTS,
  type LabConfig,
} from '../config.js';
import type { LabPki } from '../labpki.js';
import { daemon, must } from '../sh.js';

function config(storage: string, http: object, auth: object): string {
  return stringify({
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: storage },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http,
    auth,
  });
}

export async function startRegistries(c: LabConfig, pki: LabPki): Promise<void> {
  const p = paths(c);
  const dir = p.registry;
  fs.mkdirSync(dir, { recursive: true });
  const harbor = path.join(dir, 'harbor.yml');
  fs.writeFileSync(
    harbor,
    config(
      path.join(dir, 'harbor-data'),
      { addr: `127.0.0.1:${loopbackPorts(c).registryBackend}`, secret: 'lab-only-not-a-secret', relativeurls: false },
      {
        token: {
          realm: `https://${hostIp(c)}:${PORTS.harbor}/service/token`,
          service: HARBOR_SERVICE,
          issuer: HARBOR_ISSUER,
          rootcertbundle: pki.token.cert,
        },
      },
    ),
  );
  const htpasswd = path.join(dir, 'htpasswd');
  fs.writeFileSync(htpasswd, await must('htpasswd', ['-niB', BASIC_USER.name], { input: `${BASIC_USER.password}\n` }), {
    mode: 0o600,
  });
  const basic = path.join(dir, 'basic.yml');
  fs.writeFileSync(
    basic,
    config(
      path.join(dir, 'basic-data'),
      {
        addr: `${hostIp(c)}:${PORTS.basic}`,
        secret: 'lab-only-not-a-secret',
        tls: { certificate: pki.harbor.cert, key: pki.harbor.key },
      },
      { htpasswd: { realm: 'basic-realm', path: htpasswd } },
    ),
  );
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  daemon(
    'docker-registry',
    ['serve', harbor],
    path.join(p.pids, 'registry-harbor.pid'),
    path.join(p.logs, 'registry-harbor.log'),
    env,
  );
  daemon(
    'docker-registry',
    ['serve', basic],
    path.join(p.pids, 'registry-basic.pid'),
    path.join(p.logs, 'registry-basic.log'),
    env,
  );
}
