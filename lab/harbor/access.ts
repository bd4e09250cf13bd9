// Harbor's permission model, cut down to what the lab serves: projects (public or private)
// with members in roles, the system admin, robots with per-project permissions, and the
// anonymous caller. Role policies follow src/common/rbac/project/rbac_role.go; a public
// project grants pull and read to everyone, anonymous included (rbac_util.go
// publicProjectPolicies, rbac_user.go GetPolicies); a missing project grants nothing
// (core/service/token/creator.go repositoryFilter.filter, base.go HasProjectPermission).

export type RoleName = 'projectAdmin' | 'developer' | 'guest' | 'maintainer' | 'limitedGuest';

/** Harbor's role ids (src/common/const.go: 1 projectAdmin, 2 developer, 3 guest, 4 maintainer, 5 limitedGuest). */
export const ROLE_IDS: Record<RoleName, number> = {
  projectAdmin: 1,
  developer: 2,
  guest: 3,
  maintainer: 4,
  limitedGuest: 5,
};

export interface HarborProject {
  id: number;
  name: string;
  public: boolean;
  /** user name -> role */
  members: Record<string, RoleName>;
}

export interface HarborAccount {
  password: string;
  /** The system admin (`sysadmin_flag`). */
  admin?: boolean;
}

export interface RobotAccess {
  resource: string;
  action: string;
  effect?: string;
}

export interface RobotPermission {
  kind: string;
  namespace: string;
  access: RobotAccess[];
}

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; name: string; admin: boolean }
  | { kind: 'robot'; name: string; id: number; permissions: RobotPermission[] };

type Policies = Record<string, string[]>;

const READ = ['read', 'list'];
const CRUD = ['create', 'read', 'update', 'delete', 'list'];

// rbac_role.go: the resources the lab serves, per role.
const ROLE_POLICIES: Record<RoleName, Policies> = {
  projectAdmin: {
    project: ['read', 'update', 'delete'],
    member: CRUD,
    robot: CRUD,
    repository: ['list', 'read', 'pull', 'push', 'delete'],
  },
  maintainer: { project: ['read'], member: READ, robot: READ, repository: ['list', 'read', 'pull', 'push', 'delete'] },
  developer: { project: ['read'], member: READ, robot: READ, repository: ['list', 'read', 'pull', 'push'] },
  guest: { project: ['read'], member: READ, robot: READ, repository: ['list', 'read', 'pull'] },
  limitedGuest: { project: ['read'], repository: ['list', 'read', 'pull'] },
};

// rbac_util.go publicProjectPolicies (ResourceSelf read is `project: read` here).
const PUBLIC_POLICIES: Policies = { project: ['read'], repository: ['list', 'pull'] };

/** The project-scope policies a robot may be given (rbac/project/const.go, checked by robot.go validate). */
export const ROBOT_PROJECT_POLICIES: Policies = {
  repository: ['list', 'pull', 'push', 'delete', 'read', 'update'],
  artifact: ['read', 'list', 'create', 'delete'],
  tag: ['create', 'delete', 'list'],
  'artifact-label': ['create', 'delete'],
  scan: ['create', 'stop', 'read'],
  helm_chart: ['read', 'create', 'delete'],
  'helm-chart-version': ['create', 'delete'],
  'helm-chart-version-label': ['create', 'delete'],
  log: ['list'],
  project: ['read'],
  'immutable-tag': ['create', 'delete', 'list', 'update'],
  'notification-policy': ['create', 'delete', 'list', 'read', 'update'],
  quota: ['read'],
  accessory: ['list'],
  metadata: ['create', 'delete', 'list', 'read', 'update'],
  sbom: ['create', 'read', 'stop'],
};

const allows = (p: Policies, resource: string, action: string): boolean => p[resource]?.includes(action) ?? false;

/** Whether the principal may do `action` on `resource` of the project (undefined: the project does not exist). */
export function can(who: Principal, project: HarborProject | undefined, resource: string, action: string): boolean {
  if (who.kind === 'user' && who.admin) return true;
  if (!project) return false;
  if (project.public && allows(PUBLIC_POLICIES, resource, action)) return true;
  if (who.kind === 'user') {
    const role = project.members[who.name];
    return role !== undefined && allows(ROLE_POLICIES[role], resource, action);
  }
  if (who.kind === 'robot')
    return who.permissions.some(
      (p) =>
        p.kind === 'project' &&
        (p.namespace === project.name || p.namespace === '*') &&
        p.access.some((a) => a.resource === resource && a.action === action && a.effect !== 'deny'),
    );
  return false;
}

export const isAuthenticated = (who: Principal): boolean => who.kind !== 'anonymous';
export const isAdmin = (who: Principal): boolean => who.kind === 'user' && who.admin;
export const principalName = (who: Principal): string => (who.kind === 'anonymous' ? '' : who.name);

// creator.go actionScopeMap, in a fixed order (Go iterates its map at random).
const TOKEN_ACTIONS = ['pull', 'push', 'delete', 'scanner-pull'] as const;

/**
 * The actions a registry token carries for a repository of `project`: every action of
 * actionScopeMap the principal may do, whatever subset was asked (creator.go
 * repositoryFilter.filter sets `a.Actions = scopeList`).
 */
export function tokenActions(who: Principal, project: HarborProject | undefined): string[] {
  if (!project) return [];
  return TOKEN_ACTIONS.filter((a) => can(who, project, 'repository', a));
}
