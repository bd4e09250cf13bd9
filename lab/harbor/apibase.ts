// What the lab's Harbor API handlers share: the request context, Harbor's error shape and
// its permission checks (server/v2.0/handler/base.go).
import type { IncomingMessage } from 'node:http';
import { can, type HarborProject, isAdmin, isAuthenticated, type Principal } from './access.js';
import type { RobotStore } from './robots.js';

/** An error Harbor answers with `{"errors":[{"code","message"}]}` (lib/errors/const.go codes). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiContext {
  projects: HarborProject[];
  robots: RobotStore;
  who: Principal;
  req: IncomingMessage;
  url: URL;
  body: () => Promise<unknown>;
}

export function errorBody(code: string, message: string): { errors: Array<{ code: string; message: string }> } {
  return { errors: [{ code, message }] };
}

/** base.go RequireProjectAccess (L108-124): 401 for anonymous, else 403. */
export function requireProject(ctx: ApiContext, p: HarborProject | undefined, resource: string, action: string): void {
  if (can(ctx.who, p, resource, action)) return;
  if (!isAuthenticated(ctx.who)) throw new ApiError(401, 'UNAUTHORIZED', 'unauthorized');
  throw new ApiError(403, 'FORBIDDEN', 'forbidden');
}

/** base.go RequireSystemAccess (L127-141). */
export function requireAdmin(ctx: ApiContext): void {
  if (!isAuthenticated(ctx.who)) throw new ApiError(401, 'UNAUTHORIZED', 'unauthorized');
  if (!isAdmin(ctx.who)) throw new ApiError(403, 'FORBIDDEN', 'forbidden');
}

/** handler/util.go parseProjectNameOrID: a name with X-Is-Resource-Name: true, else a number is an id. */
export function findProject(ctx: ApiContext, nameOrId: string): HarborProject | undefined {
  const byName = ctx.req.headers['x-is-resource-name'] === 'true' || !/^\d+$/.test(nameOrId);
  return ctx.projects.find((p) => (byName ? p.name === nameOrId : p.id === Number(nameOrId)));
}
