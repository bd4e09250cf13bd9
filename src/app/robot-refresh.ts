// `kubectl harbor robot refresh [SECRET]`: a new secret for the robot the pull secrets
// hold (Harbor's PATCH /robots/{id}: the old secret stops working at once), written into
// every managed pull secret holding it, each namespace by read-modify-write, then checked
// against the registry. A namespace that fails is reported and leaves the others correct.
import type { DryRun } from '../dryrun.js';
import { CliError } from '../errors.js';
import type { NamespaceSelection } from '../kube/namespaces.js';
import { authEntry, type RobotMark } from '../kube/dockerconfigjson.js';
import { replaceRobotEntry } from '../kube/pullsecret.js';
import { plural, Report } from '../output/report.js';
import { parseRegistry } from '../registry/endpoint.js';
import { expiryText, HarborApiError, type Robot } from '../registry/harbor.js';
import { CHECK_REPOSITORY, mayPull, verifyLogin } from '../registry/verify.js';
import { forEach } from './each.js';
import {
  type Admin,
  type AdminInput,
  adminOf,
  type Holder,
  holderList,
  oneRobot,
  robotHolders,
} from './robot-admin.js';
import type { Session } from './session.js';

export interface RobotSecretRequest {
  /** Only pull secrets of this name. */
  secretName: string | undefined;
  namespaces: NamespaceSelection;
  plainHttp: boolean;
  admin: AdminInput;
  parallel: number;
  dryRun: DryRun;
}

/** The robot as Harbor has it; gone (deleted in Harbor) is one line naming the secrets that still hold it. */
export async function harborRobot(a: Admin, mark: RobotMark, holders: Holder[]): Promise<Robot | undefined> {
  try {
    const robot = await a.api.robot(mark.id);
    if (robot.name === mark.name) return robot;
  } catch (e) {
    if (!(e instanceof HarborApiError && e.status === 404)) {
      if (e instanceof HarborApiError && (e.status === 403 || e.status === 401))
        throw new CliError(
          'HARBOR_FORBIDDEN',
          `"${a.creds.username}" may not manage robot "${mark.name}" at ${a.registry.host}: it takes the Harbor system admin or a project admin of the robot's project`,
        );
      throw e;
    }
  }
  return undefined;
}

async function check(a: Admin, robot: Robot, password: string): Promise<void> {
  const creds = { username: robot.name, password };
  const v = await verifyLogin(a.registry, creds, a.o);
  const project = robot.permissions?.find((x) => x.kind === 'project')?.namespace;
  if (
    v.via === 'bearer' &&
    project &&
    !(await mayPull(a.registry, creds, v.realm, `${project}/${CHECK_REPOSITORY}`, a.o))
  )
    throw new CliError(
      'NO_PULL',
      `robot "${robot.name}" authenticates with its new secret but may not pull from "${project}"`,
    );
}

/** A pull secret as a report names it: its namespace, and the secret when not the usual one. */
export const targetOf = (h: Holder): string => `${h.namespace}/${h.secret}`;

export async function robotRefresh(s: Session, r: RobotSecretRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const { namespaces, holders } = await robotHolders(client, r.namespaces, r.secretName, r.parallel);
  const mark = oneRobot(holders, namespaces, r.secretName);
  const a = await adminOf(s, client, parseRegistry(mark.registry, { plainHttp: r.plainHttp }), r.admin);
  const robot = await harborRobot(a, mark, holders);
  if (!robot)
    throw new CliError(
      'ROBOT_GONE',
      `robot "${mark.name}" (id ${mark.id}) no longer exists at ${mark.registry}, but ${holderList(holders)} still hold${holders.length === 1 ? 's' : ''} it: create a new one with \`kubectl harbor robot create\`, or remove the secrets with \`kubectl harbor robot delete\``,
    );
  if (r.dryRun) {
    p.status(`would give robot "${robot.name}" a new secret and write it into ${holderList(holders)} (dry run)`);
    return 0;
  }
  const secret = await a.api.refreshSecret(robot.id, robot.name).catch((e) => {
    throw e instanceof CliError ? new CliError(e.code, `${e.message}; no pull secret was changed`) : e;
  });
  p.status(`robot "${robot.name}" has a new secret; the old one no longer works`);
  const next: RobotMark = { ...mark, expiresAt: expiryText(robot.expires_at) ?? mark.expiresAt };
  const entry = authEntry(robot.name, secret);
  const report = new Report(p, () => `robot refresh: ${plural(holders.length, 'pull secret')}`);
  const byTarget = new Map(holders.map((h) => [targetOf(h), h]));
  const outcomes = await forEach(s, 'robot refresh', 'pull secrets', [...byTarget.keys()], r.parallel, (target) =>
    report.attempt(target, async () => {
      const h = byTarget.get(target)!;
      const w = await replaceRobotEntry(client, h.secret, h.namespace, next, entry, undefined);
      p.result(w.secret, w.action);
      return w.action;
    }),
  );
  await report.precheck('the new secret', () => check(a, robot, secret));
  if (outcomes.some((o) => o.error))
    p.status(
      `the failed namespaces still hold the old secret, which no longer works: fix the cause and run \`kubectl harbor robot refresh\` again over all ${plural(holders.length, 'namespace')} (${holders.map((h) => h.namespace).join(',')})`,
    );
  return report.exitCode();
}
