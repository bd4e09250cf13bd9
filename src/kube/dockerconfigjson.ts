// What a pull secret (`kubernetes.io/dockerconfigjson`) holds: its `auths` entries and,
// for one holding a Harbor robot, the annotations naming it (registry, id, full name,
// expiry) that `robot refresh|list|delete`, `status`, `doctor` and `login` read. Pure: no API calls.
import type { V1Secret } from '@kubernetes/client-node';
import { CliError } from '../errors.js';

export const DOCKERCONFIGJSON = 'kubernetes.io/dockerconfigjson';

export interface AuthEntry {
  username: string;
  password: string;
  auth: string;
}

export function authEntry(username: string, password: string): AuthEntry {
  return { username, password, auth: Buffer.from(`${username}:${password}`).toString('base64') };
}

export type DockerConfig = { auths?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

export function readDockerConfig(secret: V1Secret): DockerConfig {
  const raw = secret.data?.['.dockerconfigjson'];
  if (!raw) return {};
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as DockerConfig) : {};
  } catch {
    throw new CliError(
      'SECRET_CONTENT',
      `secret/${secret.metadata?.name} in namespace "${secret.metadata?.namespace}" has a .dockerconfigjson that is not JSON; not touching it`,
    );
  }
}

/** The username and password of the `auths` entry `key`: its own fields, else its `auth` (base64 of user:password). */
export function entryCredentials(secret: V1Secret, key: string): { username: string; password: string } {
  const e = readDockerConfig(secret).auths?.[key] ?? {};
  const auth = typeof e.auth === 'string' ? Buffer.from(e.auth, 'base64').toString('utf8') : '';
  const colon = auth.indexOf(':');
  return {
    username: typeof e.username === 'string' && e.username ? e.username : colon < 0 ? '' : auth.slice(0, colon),
    password: typeof e.password === 'string' && e.password ? e.password : colon < 0 ? '' : auth.slice(colon + 1),
  };
}

export const ANNOTATION = {
  registry: 'kubectl-harbor/registry',
  robotId: 'kubectl-harbor/robot-id',
  robotName: 'kubectl-harbor/robot-name',
  expiresAt: 'kubectl-harbor/expires-at',
} as const;

export interface RobotMark {
  registry: string;
  id: number;
  name: string;
  /** RFC 3339 UTC, or "never". */
  expiresAt: string;
}

export const robotAnnotations = (m: RobotMark): Record<string, string> => ({
  [ANNOTATION.registry]: m.registry,
  [ANNOTATION.robotId]: String(m.id),
  [ANNOTATION.robotName]: m.name,
  [ANNOTATION.expiresAt]: m.expiresAt,
});

/** The robot a secret's annotations name, when they name one completely. */
export function robotMark(secret: V1Secret): RobotMark | undefined {
  const a = secret.metadata?.annotations ?? {};
  const id = Number(a[ANNOTATION.robotId]);
  const registry = a[ANNOTATION.registry];
  const name = a[ANNOTATION.robotName];
  if (!registry || !name || !Number.isInteger(id)) return undefined;
  return { registry, id, name, expiresAt: a[ANNOTATION.expiresAt] ?? '' };
}
