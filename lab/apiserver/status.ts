// metav1.Status bodies, as kube-apiserver returns them for every failure.
import type { Cause } from './validate.js';
import type { Obj, ResourceType } from './types.js';

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }

  body(): Obj {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const gk = (t: ResourceType): Obj => ({ ...(t.group ? { group: t.group } : {}), kind: t.plural });
const what = (t: ResourceType): string => (t.group ? `${t.plural}.${t.group}` : t.plural);

export const notFound = (t: ResourceType, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${what(t)} "${name}" not found`, { name, ...gk(t) });

export const namespaceNotFound = (ns: string): StatusError =>
  new StatusError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });

export const pathNotFound = (): StatusError =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (t: ResourceType, name: string): StatusError =>
  new StatusError(409, 'AlreadyExists', `${what(t)} "${name}" already exists`, { name, ...gk(t) });

export const conflict = (t: ResourceType, name: string): StatusError =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${what(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...gk(t) },
  );

export const invalid = (t: ResourceType, name: string, causes: Cause[]): StatusError => {
  const list = causes.map((c) => c.message);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${t.kind} "${name}" is invalid: ${joined}`, {
    name,
    ...gk(t),
    causes: causes.map((c) => ({ reason: c.reason, message: c.message.replace(/^[^:]*: /, ''), field: c.field })),
  });
};

export const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

export const unsupportedMediaType = (message: string): StatusError =>
  new StatusError(415, 'UnsupportedMediaType', message, {});

export const methodNotAllowed = (): StatusError =>
  new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
