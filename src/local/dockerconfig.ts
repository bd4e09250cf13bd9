// The local docker/containerd/skopeo credential store: $DOCKER_CONFIG/config.json or
// ~/.docker/config.json. Merged, never rewritten from scratch: every other key and
// registry stays, the file is written atomically with mode 0600. When credsStore or a
// credHelpers entry covers the host, docker ignores plain `auths`, so the credential goes
// to that helper (`docker-credential-<name> store`, on stdin), or the command stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { childEnv } from '../secrets.js';
import { findOnPath, probeWrite, writeFileAtomic, type FileAction } from './files.js';
import { readLocalFile } from './readfile.js';

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

/** Docker's own config has a few entries per registry: 4 MiB is thousands of registries. */
export const MAX_DOCKER_CONFIG = 4 << 20;

const HINT = 'pass --docker-config with another file, or set DOCKER_CONFIG';

function load(file: string): Config {
  const bytes = readLocalFile(file, {
    what: 'docker config',
    max: MAX_DOCKER_CONFIG,
    whyMax: 'a docker config is a few KiB',
    expect: HINT,
  });
  const text = bytes?.toString('utf8') ?? '';
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
    const child = spawn(bin, [verb], { env: childEnv(env), stdio: ['pipe', 'ignore', 'pipe'] });
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

function helperBin(file: string, cfg: Config, host: string, env: NodeJS.ProcessEnv): string | undefined {
  const helper = helperFor(cfg, host);
  if (!helper) return undefined;
  const bin = findOnPath(`docker-credential-${helper}`, env);
  if (!bin)
    throw new CliError(
      'CRED_HELPER',
      `${file} sends ${host} to the credential helper "${helper}", but docker-credential-${helper} is not on PATH; install it, or remove credsStore/credHelpers for ${host}`,
    );
  return bin;
}

const entryFor = (username: string, password: string): string =>
  Buffer.from(`${username}:${password}`).toString('base64');

/**
 * Every local precondition of storeCredential (erase: eraseCredential), checked before the
 * command changes anything anywhere: the file is a readable JSON object, the credential
 * helper it names for `host` is on PATH, or else the file can be written.
 */
export function checkDockerConfig(
  file: string,
  host: string,
  env: NodeJS.ProcessEnv,
  change: { store: { username: string; password: string } } | { erase: true },
): void {
  const cfg = load(file);
  if (helperBin(file, cfg, host, env)) return;
  if ('erase' in change && !cfg.auths?.[host]) return;
  const auth = 'store' in change ? entryFor(change.store.username, change.store.password) : '';
  probeWrite(file, JSON.stringify({ ...cfg, auths: { ...cfg.auths, [host]: { auth } } }, null, '\t').length + 1, HINT);
}

export async function storeCredential(
  file: string,
  host: string,
  username: string,
  password: string,
  env: NodeJS.ProcessEnv,
): Promise<DockerConfigResult> {
  const cfg = load(file);
  const bin = helperBin(file, cfg, host, env);
  if (bin) {
    await runHelper(bin, 'store', JSON.stringify({ ServerURL: host, Username: username, Secret: password }), env);
    return { file, action: 'configured', helper: helperFor(cfg, host)! };
  }
  const auth = entryFor(username, password);
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
  return { file, action: writeFileAtomic(file, JSON.stringify(next, null, '\t') + '\n', 0o600, HINT) };
}

export async function eraseCredential(file: string, host: string, env: NodeJS.ProcessEnv): Promise<DockerConfigResult> {
  const cfg = load(file);
  const bin = helperBin(file, cfg, host, env);
  if (bin) {
    await runHelper(bin, 'erase', host, env);
    return { file, action: 'deleted', helper: helperFor(cfg, host)! };
  }
  if (!cfg.auths?.[host]) return { file, action: 'unchanged' };
  const { [host]: _, ...rest } = cfg.auths;
  writeFileAtomic(file, JSON.stringify({ ...cfg, auths: rest }, null, '\t') + '\n', 0o600, HINT);
  return { file, action: 'deleted' };
}
