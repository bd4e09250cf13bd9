// A kubeconfig `exec` credential plugin (kubectl's client-go credential plugins, e.g.
// kubectl-vsphere's, gke-gcloud-auth-plugin, aws-iam-authenticator), run the way client-go
// runs it: environment plus `exec.env` and KUBERNETES_EXEC_INFO, no stdin, one run shared
// by concurrent requests, the credential kept until its expirationTimestamp. Every failure
// is one line worded as kubectl words it (`getting credentials: exec: ...`), naming the
// program and saying what to do. Its stderr is not passed through: its first line is in
// the error.
import { spawn } from 'node:child_process';
import { CredentialError } from '../errors.js';

export interface ExecConfig {
  command: string;
  args?: string[] | undefined;
  env?: Array<{ name: string; value: string }> | undefined;
  apiVersion?: string | undefined;
  installHint?: string | undefined;
}

export interface ExecStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  expirationTimestamp?: string;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const fail = (what: string): CredentialError => new CredentialError(`getting credentials: exec: ${what}`);

function run(exec: ExecConfig, env: NodeJS.ProcessEnv): Promise<Ran> {
  const info = { kind: 'ExecCredential', apiVersion: exec.apiVersion, spec: { interactive: false } };
  const childEnv: NodeJS.ProcessEnv = { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of exec.env ?? []) childEnv[e.name] = e.value;
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function spawnFailure(exec: ExecConfig, user: string, e: NodeJS.ErrnoException): CredentialError {
  const fix =
    exec.installHint?.trim().split('\n')[0] ||
    `install it, or fix the exec command of user "${user}" in the kubeconfig`;
  if (e.code === 'ENOENT') return fail(`executable ${exec.command} not found; ${fix}`);
  if (e.code === 'EACCES') return fail(`executable ${exec.command} cannot be run (permission denied); ${fix}`);
  return fail(`executable ${exec.command} cannot be run (${e.code ?? e.message}); ${fix}`);
}

/** The status of the plugin's ExecCredential, or a one-line CredentialError. */
export function parseExecCredential(exec: ExecConfig, r: Ran): ExecStatus {
  const said = r.stderr.trim().split('\n')[0]?.trim();
  if (r.code !== 0) {
    const how = r.signal ? `was killed by signal ${r.signal}` : `failed with exit code ${r.code}`;
    throw fail(`executable ${exec.command} ${how}${said ? `: ${said}` : ''}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(r.stdout);
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, ' ').slice(0, 200);
    throw fail(`executable ${exec.command} did not print valid JSON (an ExecCredential): ${why}`);
  }
  const cred = obj as { apiVersion?: unknown; status?: ExecStatus } | null;
  if (!cred || typeof cred !== 'object' || Array.isArray(cred))
    throw fail(`executable ${exec.command} did not print an ExecCredential object`);
  if (exec.apiVersion && cred.apiVersion !== undefined && cred.apiVersion !== exec.apiVersion)
    throw fail(
      `plugin is configured to use API version ${exec.apiVersion}, plugin returned version ${String(cred.apiVersion)}`,
    );
  const st = cred.status;
  if (!st || typeof st !== 'object')
    throw fail(`executable ${exec.command} returned an ExecCredential without a status`);
  if (!st.token && !(st.clientCertificateData && st.clientKeyData))
    throw fail(`executable ${exec.command} returned neither a token nor a client certificate and key`);
  return st;
}

/** Runs the plugin when there is no unexpired credential; concurrent callers share one run. */
export class ExecCredentials {
  private pending: Promise<ExecStatus> | undefined;
  private until = 0;

  constructor(
    private readonly exec: ExecConfig,
    private readonly user: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get(): Promise<ExecStatus> {
    if (this.pending && this.until > Date.now()) return this.pending;
    const p = run(this.exec, this.env).then(
      (r) => parseExecCredential(this.exec, r),
      (e: NodeJS.ErrnoException) => Promise.reject(spawnFailure(this.exec, this.user, e)),
    );
    this.pending = p;
    this.until = Number.POSITIVE_INFINITY; // shared while it runs
    p.then(
      // client-go: no expirationTimestamp means the credential lasts as long as the process.
      (st) =>
        (this.until = st.expirationTimestamp ? Date.parse(st.expirationTimestamp) || 0 : Number.POSITIVE_INFINITY),
      () => (this.until = 0),
    );
    return p;
  }
}
