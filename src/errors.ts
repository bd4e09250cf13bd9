// Typed errors. Three tiers, as in the clipanion world:
//  - UsageError (clipanion): the user's flags or arguments are wrong. Exit 2.
//  - CliError and its subclasses: the command ran, something the user can fix
//    failed (config, API, network). One line, exit 1.
//  - anything else: a bug. The one place that prints errors shows a stack for it.
import { UsageError } from 'clipanion';

export { UsageError };

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number = 1;
  /** Extra lines shown only with -v. Never holds secrets. */
  readonly detail: string | undefined;

  constructor(code: string, message: string, detail?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.detail = detail;
  }
}

/** kubeconfig missing, unreadable, or naming a context that does not exist. */
export class ConfigError extends CliError {
  constructor(message: string, detail?: string) {
    super('CONFIG', message, detail);
  }
}

/** A Kubernetes API server answered with a Status error. */
export class ApiError extends CliError {
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string, detail?: string) {
    super(`API_${reason || status}`, message, detail);
    this.status = status;
    this.reason = reason;
  }
}

/** TLS, DNS, refused, timeout: the request never got an HTTP answer. */
export class NetworkError extends CliError {
  constructor(code: string, message: string, detail?: string) {
    super(code, message, detail);
  }
}

export function isUsageError(e: unknown): boolean {
  return (
    e instanceof UsageError ||
    (typeof e === 'object' && e !== null && (e as { clipanion?: { type?: string } }).clipanion?.type === 'usage')
  );
}

/** The system error code of e or of anything in its cause chain (node-fetch nests them). */
export function systemCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++) {
    const c = cur as { code?: unknown; errno?: unknown; type?: unknown; name?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && c.code) return c.code;
    if (typeof c.errno === 'string' && c.errno) return c.errno;
    if (c.name === 'AbortError' || c.name === 'TimeoutError' || c.type === 'aborted') return 'ETIMEDOUT';
    cur = c.cause;
  }
  return undefined;
}

/** A local file the user named (kubeconfig, docker config, known_hosts, ...) cannot be read or written. */
export class LocalFileError extends CliError {
  constructor(message: string, detail?: string) {
    super('LOCAL_FILE', message, detail);
  }
}

/** The kubeconfig user's credentials could not be had: an exec plugin, a client certificate, an auth provider. */
export class CredentialError extends CliError {
  constructor(message: string, detail?: string) {
    super('CREDENTIALS', message, detail);
  }
}
