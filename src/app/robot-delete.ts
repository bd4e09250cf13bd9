// `kubectl harbor robot delete [SECRET]`: delete the robot the pull secrets hold in Harbor,
// then take its registry out of each of those secrets (deleting a secret that held nothing
// else). A robot already deleted in Harbor is said so, and its secrets are still cleaned up.
import { CliError } from '../errors.js';
import { removeFromPullSecret } from '../kube/pullsecret.js';
import { plural, Report } from '../output/report.js';
import { parseRegistry } from '../registry/endpoint.js';
import { forEach } from './each.js';
import { adminOf, holderList, oneRobot, robotHolders } from './robot-admin.js';
import { harborRobot, type RobotSecretRequest, targetOf } from './robot-refresh.js';
import type { Session } from './session.js';

export async function robotDelete(s: Session, r: RobotSecretRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const { namespaces, holders } = await robotHolders(client, r.namespaces, r.secretName, r.parallel);
  const mark = oneRobot(holders, namespaces, r.secretName);
  const a = await adminOf(s, client, parseRegistry(mark.registry, { plainHttp: r.plainHttp }), r.admin);
  const robot = await harborRobot(a, mark, holders);
  if (r.dryRun) {
    p.status(
      `would delete robot "${mark.name}"${robot ? '' : ' (already gone from Harbor)'} and remove it from ${holderList(holders)} (dry run)`,
    );
    return 0;
  }
  if (robot) {
    await a.api.deleteRobot(robot.id, robot.name).catch((e) => {
      throw e instanceof CliError ? new CliError(e.code, `${e.message}; no pull secret was changed`) : e;
    });
    p.status(`robot "${mark.name}" (id ${mark.id}) deleted at ${mark.registry}`);
  } else p.status(`robot "${mark.name}" (id ${mark.id}) was already gone from ${mark.registry}`);
  const byTarget = new Map(holders.map((h) => [targetOf(h), h]));
  const report = new Report(p, () => `robot delete: ${plural(holders.length, 'pull secret')}`);
  await forEach(s, 'robot delete', 'pull secrets', [...byTarget.keys()], r.parallel, (target) =>
    report.attempt(target, async () => {
      const h = byTarget.get(target)!;
      const out = await removeFromPullSecret(client, h.secret, h.namespace, mark.registry, undefined);
      p.result(
        out.secret ?? { apiVersion: 'v1', kind: 'Secret', metadata: { name: h.secret, namespace: h.namespace } },
        out.action,
      );
      return out.action;
    }),
  );
  return report.exitCode();
}
