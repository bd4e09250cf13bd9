// The local docker/containerd/skopeo credential store: $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. Merged, never rewritten from scratch: every other key and
// registry stays, the file is written atomically with mode 0600. When credsStore or a
// credHelpers entry covers the host, docker ignores plain `auths`, so the credential goes
// to that helper (`docker-credential-<name> store`, on stdin), or the command stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { findOnPath, writeFileAtomic, type FileAction } from './files.js';

export function dockerConfigFile(flag: string | boolean, env: NodeJS.ProcessEnv, homedir: string): string {
  if (typeof flag === 'string' && flag) {
    try {
      if (fs.statSync(flag).isDirectory()) return path.join(flag, 'config.json');
    } catch {
      /* a file to create */
    }
    return flag;
  }
  return path.join(env.DOCKER_CONFIG || path.join(homedir, '.docker'), 'config.json');
}

type Config = {
  auths?: Record<string, Record<string, unknown>>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
} & Record<string, unknown>;

function load(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(
      'DOCKER_CONFIG',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Config;
  } catch {
    /* below */
  }
  throw new CliError('DOCKER_CONFIG', `${file} is not a JSON object; fix or move it, it was not changed`);
}

function helperFor(cfg: Config, host: string): string | undefined {
  return cfg.credHelpers?.[host] ?? cfg.credsStore ?? undefined;
}

function runHelper(bin: string, verb: 'store' | 'erase', input: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [verb], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => reject(new CliError('CRED_HELPER', `${path.basename(bin)} ${verb}: ${e.message}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new CliError(
              'CRED_HELPER',
              `${path.basename(bin)} ${verb} failed (exit ${code})${err.trim() ? `: ${err.trim().split('\n')[0]}` : ''}`,
            ),
          ),
    );
    child.stdin.end(input);
  });
}

export interface DockerConfigResult {
  file: string;
  action: FileAction | 'deleted';
  helper?: string;
}

export async function storeCredential(
  file: string,
  host: string,
  username: string,
  password: string,
  env: NodeJS.ProcessEnv,
): Promise<DockerConfigResult> {
  const cfg = load(file);
  const helper = helperFor(cfg, host);
  if (helper) {
    const bin = findOnPath(`docker-credential-${helper}`, env);
    if (!bin)
      throw new CliError(
        'CRED_HELPER',
        `${file} sends ${host} to the credential helper "${helper}", but docker-credential-${helper} is not on PATH; install it, or remove credsStore/credHelpers for ${host}`,
      );
    await runHelper(bin, 'store', JSON.stringify({ ServerURL: host, Username: username, Secret: password }), env);
    return { file, action: 'configured', helper };
  }
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const cur = cfg.auths?.[host];
  if (
    cur &&
    cur.auth === auth &&
    Object.keys(cur).length === 1 &&
    fs.existsSync(file) &&
    (fs.statSync(file).mode & 0o777) === 0o600
  )
    return { file, action: 'unchanged' };
  const next: Config = { ...cfg, auths: { ...(cfg.auths ?? {}), [host]: { auth } } };
  return { file, action: writeFileAtomic(file, JSON.stringify(next, null, '\t') + '\n', 0o600) };
}

export async function eraseCredential(file: string, host: string, env: NodeJS.ProcessEnv): Promise<DockerConfigResult> {
  const cfg = load(file);
  const helper = helperFor(cfg, host);
  if (helper) {
    const bin = findOnPath(`docker-credential-${helper}`, env);
    if (!bin)
      throw new CliError(
        'CRED_HELPER',
        `${file} sends ${host} to the credential helper "${helper}", but docker-credential-${helper} is not on PATH`,
      );
    await runHelper(bin, 'erase', host, env);
    return { file, action: 'deleted', helper };
  }
  if (!cfg.auths?.[host]) return { file, action: 'unchanged' };
  const { [host]: _, ...rest } = cfg.auths;
  writeFileAtomic(file, JSON.stringify({ ...cfg, auths: rest }, null, '\t') + '\n', 0o600);
  return { file, action: 'deleted' };
}
