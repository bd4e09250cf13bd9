// `login` with a Harbor robot: warn (stderr) when it expires within --warn-days. The
// expiry comes from the Harbor API when the credential may read it (a robot usually may
// not), else from the annotation `robot create` left on the pull secret.
import type { V1Secret } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/client.js';
import { robotMark } from '../kube/dockerconfigjson.js';
import { corePath } from '../kube/wire.js';
import { getOptional } from '../kube/write.js';
import type { Registry } from '../registry/endpoint.js';
import { HarborApi, HarborApiError } from '../registry/harbor.js';
import type { Credentials, VerifyOptions } from '../registry/verify.js';
import type { Session } from './session.js';

export interface ExpiryCheck {
  client: KubeClient;
  registry: Registry;
  creds: Credentials;
  o: VerifyOptions;
  /** The pull secret login writes: its annotation is the fallback. */
  secretName: string;
  /** That secret's read, when login has one under way. */
  secret?: Promise<V1Secret | undefined> | undefined;
  warnDays: number;
}

const DAY = 86_400_000;

/** Robots are named `<prefix><project>+<name>` (project) or carry the `$` of the default prefix. */
export const looksLikeRobot = (username: string): boolean => username.includes('$') || username.includes('+');

/** Expiry in ms since the epoch; null: never; undefined: unknown. */
async function fromApi(c: ExpiryCheck, s: Session): Promise<number | null | undefined> {
  try {
    const [robot] = await new HarborApi(c.registry, c.creds, c.o).robotsNamed(c.creds.username);
    if (robot?.expires_at === undefined) return undefined;
    return robot.expires_at < 0 ? null : robot.expires_at * 1000;
  } catch (e) {
    if (!(e instanceof HarborApiError)) throw e;
    s.printer.debug(`the robot's expiry could not be read from Harbor (${e.message}); using the secret's annotation`);
    return undefined;
  }
}

async function fromAnnotation(c: ExpiryCheck): Promise<number | null | undefined> {
  const namespace = c.client.target.namespace;
  const secret = await (
    c.secret ??
    getOptional(c.client, `reading secret/${c.secretName} in namespace "${namespace}"`, () =>
      c.client.rest<V1Secret>('GET', corePath(namespace, 'secrets', c.secretName)),
    )
  ).catch(() => undefined);
  const mark = secret && robotMark(secret);
  if (!mark || mark.name !== c.creds.username || mark.registry !== c.registry.host) return undefined;
  if (mark.expiresAt === 'never') return null;
  const t = Date.parse(mark.expiresAt);
  return Number.isNaN(t) ? undefined : t;
}

/** The warning to print when the robot expires within --warn-days; undefined when none is due. */
export async function robotExpiryWarning(s: Session, c: ExpiryCheck): Promise<string | undefined> {
  if (!looksLikeRobot(c.creds.username)) return undefined;
  let at = await fromApi(c, s);
  if (at === undefined) at = await fromAnnotation(c);
  if (at === undefined || at === null) return undefined;
  const days = (at - Date.now()) / DAY;
  if (days > c.warnDays) return undefined;
  const when = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return days <= 0
    ? `robot "${c.creds.username}" expired on ${when}; create a new one with \`kubectl harbor robot create\``
    : `robot "${c.creds.username}" expires on ${when} (in ${Math.ceil(days)} day${Math.ceil(days) === 1 ? '' : 's'}); create a new one with \`kubectl harbor robot create\` (a refresh gives a new secret, not a longer life)`;
}
