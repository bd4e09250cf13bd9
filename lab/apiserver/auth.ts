// Bearer-token users with simple allow rules (verb, resource, namespace), so that 401
// and 403 are real answers, worded as kube-apiserver's RBAC authorizer words them.
export interface Rule {
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or `*`. */
  verbs: string[];
  /** Plural, `plural/subresource`, `plural.group`, or `*`. */
  resources: string[];
  /** Omitted: every namespace and cluster-scoped resources. */
  namespaces?: string[];
}

export interface User {
  name: string;
  token: string;
  rules: Rule[];
}

export const ALLOW_ALL: Rule = { verbs: ['*'], resources: ['*'] };

export interface Access {
  verb: string;
  group: string;
  plural: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const matches = (list: string[], v: string): boolean => list.includes('*') || list.includes(v);

export function allowed(user: User, a: Access): boolean {
  const res = a.subresource ? `${a.plural}/${a.subresource}` : a.plural;
  const names = [res, a.group ? `${res}.${a.group}` : res];
  return user.rules.some(
    (r) =>
      matches(r.verbs, a.verb) &&
      names.some((n) => matches(r.resources, n)) &&
      (!r.namespaces || (a.namespace !== undefined && matches(r.namespaces, a.namespace))),
  );
}

export function forbiddenMessage(user: User, a: Access): string {
  const res = a.subresource ? `${a.plural}/${a.subresource}` : a.plural;
  const what = a.name
    ? `${a.plural}${a.group ? '.' + a.group : ''} "${a.name}"`
    : `${a.plural}${a.group ? '.' + a.group : ''}`;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
}
