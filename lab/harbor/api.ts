// The Harbor v2.0 API the lab serves beyond ping and systeminfo: projects and members,
// robot accounts (server/v2.0/handler/robot.go) and the robot name prefix in
// /configurations. Errors have Harbor's body `{"errors":[{"code","message"}]}` and its
// order of checks: validation (400), then authentication (401) and permission (403),
// then existence (404) and conflicts (409).
import type { ServerResponse } from 'node:http';
import { can, type HarborProject, isAdmin, principalName, ROLE_IDS } from './access.js';
import {
  type ApiContext,
  ApiError,
  errorBody,
  findProject,
  type Reply,
  requireAdmin,
  requireProject,
} from './apibase.js';
import { robotRoutes } from './robotapi.js';

const send = (res: ServerResponse, r: Reply): void => {
  const text = r.body === undefined ? '' : JSON.stringify(r.body);
  res.writeHead(r.status, {
    ...(r.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    'Content-Length': Buffer.byteLength(text),
    ...r.headers,
  });
  res.end(text);
};

const EPOCH = '2024-01-01T00:00:00.000Z';

function projectJson(ctx: ApiContext, p: HarborProject): object {
  const role = ctx.who.kind === 'user' ? p.members[ctx.who.name] : undefined;
  return {
    project_id: p.id,
    owner_id: 1,
    owner_name: 'admin',
    name: p.name,
    registry_id: 0,
    creation_time: EPOCH,
    update_time: EPOCH,
    deleted: false,
    togglable: role === 'projectAdmin' || isAdmin(ctx.who),
    current_user_role_id: role ? ROLE_IDS[role] : 0,
    current_user_role_ids: role ? [ROLE_IDS[role]] : [],
    repo_count: 1,
    metadata: { public: String(p.public) },
  };
}

async function projectRoutes(ctx: ApiContext, method: string, rest: string[]): Promise<Reply | undefined> {
  if (rest.length === 0 && method === 'GET') {
    // GET /projects lists what the caller may read (project.go ListProjects), filtered by ?name=.
    const name = ctx.url.searchParams.get('name');
    const list = ctx.projects.filter((p) => can(ctx.who, p, 'project', 'read') && (!name || p.name === name));
    return { status: 200, body: list.map((p) => projectJson(ctx, p)), headers: { 'X-Total-Count': `${list.length}` } };
  }
  const p = findProject(ctx, decodeURIComponent(rest[0] ?? ''));
  if (rest.length === 1 && method === 'GET') {
    // project.go GetProject L350-362: permission first, so a missing project is 403 to a user, 404 to the admin.
    requireProject(ctx, p, 'project', 'read');
    if (!p) throw new ApiError(404, 'NOT_FOUND', `project ${rest[0]} not found`);
    return { status: 200, body: projectJson(ctx, p) };
  }
  if (rest.length === 2 && rest[1] === 'members' && method === 'GET') {
    // member.go ListProjectMembers L107-111: needs member list (guest and above).
    requireProject(ctx, p, 'member', 'list');
    if (!p) throw new ApiError(404, 'NOT_FOUND', `project ${rest[0]} not found`);
    const entity = ctx.url.searchParams.get('entityname');
    const members = Object.entries(p.members)
      .filter(([name]) => !entity || name.includes(entity))
      .map(([name, role], i) => ({
        id: p.id * 100 + i + 1,
        project_id: p.id,
        entity_name: name,
        role_name: role,
        role_id: ROLE_IDS[role],
        entity_id: i + 1,
        entity_type: 'u',
      }));
    return { status: 200, body: members, headers: { 'X-Total-Count': `${members.length}` } };
  }
  return undefined;
}

async function configurationRoutes(ctx: ApiContext, method: string): Promise<Reply | undefined> {
  // metadatalist.go L155: robot_name_prefix, user scope, editable, default `robot$`.
  if (method === 'GET') {
    requireAdmin(ctx);
    return { status: 200, body: { robot_name_prefix: { value: ctx.robots.prefix, editable: true } } };
  }
  if (method === 'PUT') {
    requireAdmin(ctx);
    const body = (await ctx.body()) as { robot_name_prefix?: unknown } | undefined;
    const prefix = body?.robot_name_prefix;
    if (prefix !== undefined) {
      if (typeof prefix !== 'string' || prefix === '')
        throw new ApiError(400, 'BAD_REQUEST', 'robot_name_prefix: the value must be a non-empty string');
      ctx.robots.setPrefix(prefix);
    }
    return { status: 200 };
  }
  return undefined;
}

/** Serves /api/v2.0/{projects,robots,configurations}...; false when the path is not one of them. */
export async function serveApi(ctx: ApiContext, res: ServerResponse, log: (s: string) => void): Promise<boolean> {
  const parts = ctx.url.pathname.split('/').filter(Boolean).slice(2);
  const method = ctx.req.method ?? 'GET';
  const [top, ...rest] = parts;
  if (top !== 'projects' && top !== 'robots' && top !== 'configurations') return false;
  let reply: Reply | undefined;
  try {
    if (top === 'projects') reply = await projectRoutes(ctx, method, rest);
    else if (top === 'robots') reply = await robotRoutes(ctx, method, rest);
    else if (rest.length === 0) reply = await configurationRoutes(ctx, method);
    reply ??= {
      status: 405,
      body: errorBody('METHOD_NOT_ALLOWED', `${method} ${ctx.url.pathname} is not supported`),
    };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    reply = { status: e.status, body: errorBody(e.code, e.message) };
  }
  log(`api ${method} ${ctx.url.pathname} ${principalName(ctx.who) || '<anonymous>'} -> ${reply.status}`);
  send(res, reply);
  return true;
}
