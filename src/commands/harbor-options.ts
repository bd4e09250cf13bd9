// The flags of the Harbor-aware commands (login's pull check, the robot commands), parsed
// before any I/O: Harbor project and robot names as Harbor accepts them, image references
// on the registry being logged in to, day counts.
import { Option } from 'clipanion';
import { UsageError } from '../errors.js';
import { CHECK_REPOSITORY, type Registry } from '../registry/endpoint.js';

/** Harbor's own rule for project and robot names (src/server/v2.0/handler/robot.go validateName). */
const HARBOR_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function parseProject(flag: string, v: string): string {
  if (!v || v.length > 255 || !HARBOR_NAME.test(v))
    throw new UsageError(
      `${flag} "${v}" is not a Harbor project name: lower-case letters and digits, separated by single '.', '_' or '-'`,
    );
  return v;
}

export function parseRobotName(v: string): string {
  if (!v || v.length > 255 || !HARBOR_NAME.test(v))
    throw new UsageError(
      `--name "${v}" is not a valid robot name: lower-case letters and digits, separated by single '.', '_' or '-' (no '+' or '$': Harbor adds the prefix and project)`,
    );
  return v;
}

/** A whole number of days in [min, max], as a flag takes it. */
export function parseDays(flag: string, v: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} "${v}" must be a whole number of days from ${min} to ${max}`);
  return n;
}

/** The longest robot lifetime accepted: 10 years (or `never`). */
export const MAX_ROBOT_DAYS = 3650;

/** --duration DAYS|never: Harbor's duration (-1 for never). */
export function parseRobotDuration(v: string): number {
  if (v.trim().toLowerCase() === 'never') return -1;
  return parseDays('--duration', v, 1, MAX_ROBOT_DAYS);
}

/**
 * `host[:port]/project/repo[:tag|@digest]` on `registry` (when known) -> `project/repo`.
 * The host is returned for a check after discovery.
 */
export function parseImage(ref: string, registry: Registry | undefined): { host: string; repository: string } {
  const m = /^([^/]+)\/([^@]+?)(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/.exec(ref.trim());
  const repo = m?.[2] ?? '';
  const parts = repo.split('/');
  if (!m || parts.length < 2 || parts.some((p) => !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p)))
    throw new UsageError(
      `--image "${ref}" is not an image reference on a Harbor: host[:port]/project/repository[:tag]`,
    );
  const host = m[1]!.toLowerCase();
  if (registry && host !== registry.host)
    throw new UsageError(`--image "${ref}" is on ${host}, not on the registry being logged in to (${registry.host})`);
  return { host, repository: repo };
}

/** --project and --image as the repositories whose pull right is checked. */
export function pullChecks(
  projects: string[] | undefined,
  images: string[] | undefined,
  registry: Registry | undefined,
): { repositories: string[]; imageHosts: string[] } {
  const repositories = (projects ?? []).map((p) => `${parseProject('--project', p)}/${CHECK_REPOSITORY}`);
  const imageHosts: string[] = [];
  for (const i of images ?? []) {
    const { host, repository } = parseImage(i, registry);
    repositories.push(repository);
    imageHosts.push(host);
  }
  return { repositories: [...new Set(repositories)], imageHosts: [...new Set(imageHosts)] };
}

/** The admin credential of the robot commands: the same input rules as login. */
export const CredentialOptions = {
  username: () =>
    Option.String('-u,--username', {
      description: 'A Harbor system admin or project admin (default: the vSphere user)',
    }),
  password: () =>
    Option.String('-p,--password', {
      description: 'Password on the command line (visible to other users; prefer --password-stdin)',
    }),
  passwordStdin: () =>
    Option.Boolean('--password-stdin', false, { description: 'Read the password from standard input' }),
  caFile: () =>
    Option.String('--ca-file', { description: "PEM file with the registry's CA, instead of the system roots" }),
  insecure: () =>
    Option.Boolean('--insecure-skip-tls-verify', false, {
      description: "Do not verify the registry's certificate (not recommended)",
    }),
};
