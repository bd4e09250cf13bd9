// `kubectl harbor robot list`: the pull secrets that hold Harbor robots, from their
// annotations (no credential needed): namespace, secret, registry, robot, id, expiry.
import type { NamespaceSelection } from '../kube/namespaces.js';
import { robotHolders } from './robot-admin.js';
import type { Session } from './session.js';

export interface RobotListRequest {
  namespaces: NamespaceSelection;
  parallel: number;
}

export async function robotList(s: Session, r: RobotListRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const { holders } = await robotHolders(client, r.namespaces, undefined, r.parallel);
  const items = holders.map((h) => ({
    namespace: h.namespace,
    secret: h.secret,
    registry: h.robot.registry,
    robot: h.robot.name,
    id: h.robot.id,
    expiresAt: h.robot.expiresAt,
  }));
  if (p.structured) {
    await p.document({ items }, () => '');
    return 0;
  }
  if (items.length === 0) {
    p.status('no pull secrets holding robots');
    return 0;
  }
  p.table(
    ['NAMESPACE', 'SECRET', 'REGISTRY', 'ROBOT', 'ID', 'EXPIRES'],
    items.map((i) => [i.namespace, i.secret, i.registry, i.robot, String(i.id), i.expiresAt]),
  );
  return 0;
}
