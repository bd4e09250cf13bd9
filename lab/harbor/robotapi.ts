// `/api/v2.0/robots`: Harbor's robot account API (server/v2.0/handler/robot.go; shapes of
// api/v2.0/swagger.yaml Robot, RobotCreate, RobotCreated, RobotSec). GET never shows a
// secret (model/robot.go ToSwagger sets none); POST and PATCH without a secret return one.
import { type HarborProject, isAuthenticated, ROBOT_PROJECT_POLICIES, type RobotPermission } from './access.js';
import { type ApiContext, ApiError, findProject, type Reply, requireAdmin, requireProject } from './apibase.js';
import { expiresAt, isValidSecret, newSecret, type StoredRobot } from './robots.js';

const bad = (message: string): ApiError => new ApiError(400, 'BAD_REQUEST', message);

const projectOf = (ctx: ApiContext, r: StoredRobot): HarborProject | undefined =>
  ctx.projects.find((p) => p.id === r.projectId);

const level = (r: StoredRobot): string => (r.projectId === 0 ? 'system' : 'project');

export function robotJson(ctx: ApiContext, r: StoredRobot): object {
  return {
    id: r.id,
    name: `${ctx.robots.prefix}${r.name}`,
    description: r.description,
    expires_at: r.expiresAt,
    duration: r.duration,
    level: level(r),
    disable: r.disabled,
    editable: true,
    creator_type: 'local',
    creator_ref: 1,
    creation_time: r.creationTime,
    update_time: r.updateTime,
    permissions: r.permissions,
  };
}

// handler/robot.go validateName L441-449.
function validateName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name))
    throw bad('robot name is not in lower case or contains illegal characters');
  return name;
}

// handler/robot.go validate L327-382 and isValidDuration L437-439 (-1, or 1 to MaxInt32-1).
function validate(duration: unknown, lvl: unknown, permissions: unknown): RobotPermission[] {
  if (
    typeof duration !== 'number' ||
    !Number.isInteger(duration) ||
    !(duration === -1 || (duration > 0 && duration < 2 ** 31 - 1))
  )
    throw bad(
      `bad request error duration input: ${String(duration)}, duration must be either -1(Never) or a positive integer`,
    );
  if (lvl !== 'system' && lvl !== 'project') throw bad(`bad request error level input: ${String(lvl)}`);
  if (!Array.isArray(permissions) || permissions.length === 0) throw bad('bad request empty permission');
  for (const p of permissions as Array<Partial<RobotPermission> | null>) {
    if (!p || typeof p !== 'object') throw bad('bad request empty permission');
    if (!Array.isArray(p.access) || p.access.length === 0 || p.access.some((a) => !a))
      throw bad('bad request empty access');
  }
  if (lvl === 'project' && permissions.length > 1) throw bad('bad request permission');
  for (const p of permissions as RobotPermission[]) {
    if (p.kind !== 'project' && p.kind !== 'system') throw bad(`bad request permission level: ${String(p.kind)}`);
    for (const a of p.access)
      if (p.kind === 'project' && !ROBOT_PROJECT_POLICIES[a.resource]?.includes(a.action))
        throw bad(`bad request permission: ${String(a.resource)}:${String(a.action)}`);
  }
  return (permissions as RobotPermission[]).map((p) => ({
    kind: p.kind,
    namespace: String(p.namespace ?? ''),
    access: p.access.map((a) => ({
      resource: a.resource,
      action: a.action,
      ...(a.effect ? { effect: a.effect } : {}),
    })),
  }));
}

/** handler/robot.go requireAccess L308-324. */
function requireRobotAccess(ctx: ApiContext, lvl: string, project: HarborProject | undefined, action: string): void {
  if (lvl === 'system') requireAdmin(ctx);
  else requireProject(ctx, project, 'robot', action);
}

async function objectBody(ctx: ApiContext): Promise<Record<string, unknown>> {
  const b = await ctx.body();
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw bad('the request body must be a JSON object');
  return b as Record<string, unknown>;
}

/** handler/robot.go CreateRobot L54-127. */
async function create(ctx: ApiContext): Promise<Reply> {
  const b = await objectBody(ctx);
  const name = validateName(b.name);
  const permissions = validate(b.duration, b.level, b.permissions);
  const duration = b.duration as number;
  const ns = permissions[0]!.namespace;
  const project = findProject(ctx, ns);
  requireRobotAccess(ctx, b.level as string, project, 'create');
  if (b.level === 'project' && !project) throw new ApiError(404, 'NOT_FOUND', `project ${ns} not found`);
  // controller.go Create L117-121: a project robot is stored as <project>+<name>.
  const stored = project && b.level === 'project' ? `${project.name}+${name}` : name;
  const projectId = b.level === 'project' ? project!.id : 0;
  const description = typeof b.description === 'string' ? b.description : '';
  const made = ctx.robots.create(stored, projectId, duration, permissions, description);
  if (!made) throw new ApiError(409, 'CONFLICT', `robot account ${projectId}:${stored} already exists`);
  const { robot, secret } = made;
  return {
    status: 201,
    headers: { Location: `/api/v2.0/robots/${robot.id}` },
    body: {
      id: robot.id,
      name: `${ctx.robots.prefix}${robot.name}`,
      secret,
      creation_time: robot.creationTime,
      expires_at: robot.expiresAt,
    },
  };
}

/** `q=Level=project,ProjectID=2,name=~lab` (lib/q): exact values, `~` for a substring. */
function parseQ(q: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!q) return out;
  for (const part of q.split(',')) {
    const cut = part.indexOf('=');
    if (cut <= 0) throw bad(`invalid query string: ${q}`);
    out[part.slice(0, cut).trim()] = part.slice(cut + 1).trim();
  }
  return out;
}

/** handler/robot.go ListRobot L153-225; page_size 10 by default as in swagger.yaml. */
function list(ctx: ApiContext): Reply {
  if (!isAuthenticated(ctx.who)) throw new ApiError(401, 'UNAUTHORIZED', 'unauthorized');
  const q = parseQ(ctx.url.searchParams.get('q'));
  const lvl = q.Level ?? 'system';
  if (lvl !== 'system' && lvl !== 'project') throw bad('bad request error level input');
  let projectId = 0;
  if (lvl === 'project') {
    if (q.ProjectID === undefined) throw bad('must with project ID when to query project robots');
    projectId = Number(q.ProjectID);
    if (!/^\d+$/.test(q.ProjectID) || projectId <= 0) throw bad('ProjectID must be a positive integer');
  }
  requireRobotAccess(
    ctx,
    lvl,
    ctx.projects.find((p) => p.id === projectId),
    'list',
  );
  const name = q.name;
  const all = ctx.robots
    .all()
    .filter((r) => r.projectId === projectId)
    .filter((r) => !name || (name.startsWith('~') ? r.name.includes(name.slice(1)) : r.name === name));
  const page = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1);
  const size = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('page_size') ?? 10) || 10));
  const shown = all.slice((page - 1) * size, page * size);
  return { status: 200, body: shown.map((r) => robotJson(ctx, r)), headers: { 'X-Total-Count': `${all.length}` } };
}

/** handler/robot.go updateV2Robot L384-431. */
async function update(ctx: ApiContext, r: StoredRobot): Promise<Reply> {
  const b = await objectBody(ctx);
  const duration = b.duration ?? r.duration;
  const permissions = validate(duration, b.level, b.permissions);
  const project = projectOf(ctx, r);
  if (level(r) === 'project') {
    const target = findProject(ctx, permissions[0]!.namespace);
    if (!target) throw new ApiError(404, 'NOT_FOUND', `project ${permissions[0]!.namespace} not found`);
    if (target.id !== r.projectId) throw bad('cannot update the project id of robot');
  }
  requireRobotAccess(ctx, level(r), project, 'update');
  if (b.level !== level(r) || b.name !== `${ctx.robots.prefix}${r.name}`)
    throw bad('cannot update the level or name of robot');
  ctx.robots.update(r.id, (x) => {
    if (x.duration !== duration) {
      x.duration = duration as number;
      x.expiresAt = expiresAt(new Date(x.creationTime), x.duration);
    }
    x.description = typeof b.description === 'string' ? b.description : '';
    x.disabled = b.disable === true;
    x.permissions = permissions;
  });
  return { status: 200 };
}

/** handler/robot.go RefreshSec L269-306: a given secret is checked and not echoed; none given, one is made. */
async function refresh(ctx: ApiContext, r: StoredRobot): Promise<Reply> {
  requireRobotAccess(ctx, level(r), projectOf(ctx, r), 'update');
  const b = (await ctx.body()) as { secret?: unknown } | undefined;
  const given = b && typeof b === 'object' ? b.secret : undefined;
  if (given !== undefined && given !== '') {
    if (typeof given !== 'string' || !isValidSecret(given))
      throw bad(
        'the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number',
      );
    ctx.robots.setSecret(r.id, given);
    return { status: 200, body: {} };
  }
  const secret = newSecret();
  ctx.robots.setSecret(r.id, secret);
  return { status: 200, body: { secret } };
}

export async function robotRoutes(ctx: ApiContext, method: string, rest: string[]): Promise<Reply | undefined> {
  if (rest.length === 0) {
    if (method === 'POST') return create(ctx);
    if (method === 'GET') return list(ctx);
    return undefined;
  }
  if (rest.length !== 1) return undefined;
  if (!/^\d+$/.test(rest[0]!)) throw bad(`robot_id in path must be of type int64: "${rest[0]}"`);
  if (!['GET', 'PUT', 'PATCH', 'DELETE'].includes(method)) return undefined;
  if (!isAuthenticated(ctx.who)) throw new ApiError(401, 'UNAUTHORIZED', 'unauthorized');
  const r = ctx.robots.get(Number(rest[0]));
  if (!r) throw new ApiError(404, 'NOT_FOUND', `robot ${rest[0]} not found`);
  if (method === 'GET') {
    requireRobotAccess(ctx, level(r), projectOf(ctx, r), 'read');
    return { status: 200, body: robotJson(ctx, r) };
  }
  if (method === 'PUT') return update(ctx, r);
  if (method === 'PATCH') return refresh(ctx, r);
  requireRobotAccess(ctx, level(r), projectOf(ctx, r), 'delete');
  ctx.robots.delete(r.id);
  return { status: 200 };
}
