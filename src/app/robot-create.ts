// `kubectl harbor robot create`: with an admin or project-admin credential, a pull-only
// project robot, whose secret goes straight into the pull secrets (annotated with the
// robot's id, name and expiry) and nowhere else: never printed, logged or put on argv.
// A robot whose secret could not be stored in any namespace is deleted again (or named in
// the error when that fails too), so nothing is left half-made.
import type { DryRun } from '../dryrun.js';
import { CliError } from '../errors.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { authEntry, type RobotMark } from '../kube/dockerconfigjson.js';
import { upsertPullSecret } from '../kube/pullsecret.js';
import { bindServiceAccount } from '../kube/serviceaccounts.js';
import { plural, Report } from '../output/report.js';
import { defaultSecretName, type Registry } from '../registry/endpoint.js';
import { type CreatedRobot, expiryText, HarborApiError } from '../registry/harbor.js';
import { CHECK_REPOSITORY, mayPull, verifyLogin } from '../registry/verify.js';
import { forEach } from './each.js';
import { type Admin, type AdminInput, adminOf, registryOf } from './robot-admin.js';
import type { Session } from './session.js';

export interface RobotCreateRequest {
  registry: Registry | undefined;
  plainHttp: boolean;
  admin: AdminInput;
  project: string;
  /** Without Harbor's prefix and project: `pull` becomes `robot$<project>+pull`. */
  name: string;
  /** Days; -1: never expires. */
  durationDays: number;
  secretName: string | undefined;
  namespaces: NamespaceSelection;
  overwrite: boolean;
  bindSa: string[];
  parallel: number;
  dryRun: DryRun;
}

/** Harbor's refusals as the user can act on them. */
function createError(e: unknown, a: Admin, r: RobotCreateRequest): unknown {
  if (!(e instanceof HarborApiError)) return e;
  const who = `"${a.creds.username}"`;
  if (e.status === 403 || e.status === 401)
    return new CliError(
      'HARBOR_FORBIDDEN',
      `${who} may not create robots in project "${r.project}" at ${a.registry.host}: it takes the Harbor system admin or a project admin of "${r.project}"`,
    );
  if (e.status === 409)
    return new CliError(
      'ROBOT_EXISTS',
      `a robot named "${r.name}" already exists in project "${r.project}": choose another --name, or give it a new secret with \`kubectl harbor robot refresh\``,
    );
  return e;
}

async function checkProject(a: Admin, project: string): Promise<void> {
  try {
    await a.api.project(project);
  } catch (e) {
    if (e instanceof HarborApiError && (e.status === 404 || e.status === 403))
      throw new CliError(
        'NO_PROJECT',
        `project "${project}" does not exist at ${a.registry.host}, or "${a.creds.username}" may not see it`,
      );
    throw e;
  }
}

/** Delete a robot that could not be stored; when that fails too, the error names it. */
async function undo(s: Session, a: Admin, robot: CreatedRobot): Promise<void> {
  try {
    await a.api.deleteRobot(robot.id, robot.name);
    s.printer.status(`deleted robot "${robot.name}" again: its secret could not be stored in any namespace`);
  } catch (e) {
    throw new CliError(
      'ROBOT_LEFT',
      `robot "${robot.name}" (id ${robot.id}) was created but its secret could not be stored in any namespace, and deleting it failed (${e instanceof Error ? e.message : String(e)}): delete it in Harbor`,
    );
  }
}

export async function robotCreate(s: Session, r: RobotCreateRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const registry = await registryOf(s, client, r.registry, r.plainHttp);
  const a = await adminOf(s, client, registry, r.admin);
  await checkProject(a, r.project);
  const namespaces = await resolveNamespaces(r.namespaces, client);
  const name = r.secretName ?? defaultSecretName(registry.host);
  const days = r.durationDays < 0 ? 'never expires' : `expires in ${plural(r.durationDays, 'day')}`;
  if (r.dryRun) {
    p.status(
      `would create robot "${r.name}" in project "${r.project}" (pull only, ${days}) and write secret/${name} in ${plural(namespaces.length, 'namespace')} (dry run)`,
    );
    return 0;
  }
  const robot = await a.api.createPullRobot(r.project, r.name, r.durationDays).catch((e) => {
    throw createError(e, a, r);
  });
  p.status(`robot "${robot.name}" (id ${robot.id}) created in project "${r.project}": pull only, ${days}`);
  const mark: RobotMark = {
    registry: registry.host,
    id: robot.id,
    name: robot.name,
    expiresAt: expiryText(robot.expires_at) ?? 'never',
  };
  const entry = authEntry(robot.name, robot.secret);
  const report = new Report(p, () => `robot create: ${plural(namespaces.length, 'namespace')}`);
  const outcomes = await forEach(s, 'robot create', 'namespaces', namespaces, r.parallel, (namespace) =>
    report.attempt(namespace, async () => {
      const w = await upsertPullSecret(client, name, namespace, registry.host, entry, {
        overwrite: r.overwrite,
        dryRun: undefined,
        robot: mark,
      });
      p.result(w.secret, w.action);
      for (const sa of r.bindSa) {
        const b = await bindServiceAccount(client, namespace, sa, [name], { dryRun: undefined });
        p.result({ ...b.sa, apiVersion: 'v1', kind: 'ServiceAccount' }, b.action);
      }
      return w.action;
    }),
  );
  if (outcomes.every((o) => o.error)) {
    await undo(s, a, robot);
    return report.exitCode();
  }
  const creds = { username: robot.name, password: robot.secret };
  const v = await verifyLogin(registry, creds, a.o);
  if (v.via === 'bearer' && !(await mayPull(registry, creds, v.realm, `${r.project}/${CHECK_REPOSITORY}`, a.o)))
    p.warn(`robot "${robot.name}" was created but its token grants no pull on project "${r.project}"`);
  return report.exitCode();
}
