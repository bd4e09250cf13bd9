// The set-up every end-to-end file shares: a private HOME, runners for the built plugin
// and the real kubectl with a clean environment (only what the test passes), a
// Supervisor emulator with admin and devops kubeconfigs, and clean-up afterwards.
// Call inside describe(); the before/after hooks are registered there.
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import {
  type SupervisorLab,
  type SupervisorOptions,
  startSupervisor,
  writeKubeconfig,
} from '../../lab/apiserver/supervisor.js';
import { tempDir } from './kubeconfig.js';
import { baseEnv, exec, PLUGIN, type Result } from './run.js';

export interface RunOptions {
  input?: string;
  /** Replaces the environment the harness builds. */
  env?: NodeJS.ProcessEnv;
  /** Added to the environment the harness builds. */
  extra?: NodeJS.ProcessEnv;
  kubeconfig?: string;
}

export class E2e {
  home = '';
  /** The KUBECONFIG runs get unless they name another. */
  kubeconfig = '';
  private caches = 0;

  env(extra: NodeJS.ProcessEnv = {}, kubeconfig = this.kubeconfig): NodeJS.ProcessEnv {
    return baseEnv({ HOME: this.home, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}), ...extra });
  }

  /** The built plugin, as kubectl would run it. */
  harbor(args: string[], o: RunOptions = {}): Promise<Result> {
    return exec(PLUGIN, args, o.env ?? this.env(o.extra, o.kubeconfig), o.input);
  }

  /** The real kubectl (each call its own discovery cache, so no run sees another's). */
  kubectl(args: string[], o: RunOptions = {}): Promise<Result> {
    return exec(
      'kubectl',
      ['--cache-dir', path.join(this.home, `kcache-${this.caches++}`), ...args],
      o.env ?? this.env(o.extra, o.kubeconfig),
      o.input,
    );
  }
}

/** The harness for one describe(): a fresh HOME before, removed after. */
export function e2e(prefix: string): E2e {
  const h = new E2e();
  before(() => {
    h.home = tempDir(`harbor-${prefix}-`);
  });
  after(() => {
    if (h.home) fs.rmSync(h.home, { recursive: true, force: true });
  });
  return h;
}

export interface SupervisorFixture {
  sup: SupervisorLab;
  kubeconfigs: { admin: string; devops: string };
}

/** A Supervisor emulator for one describe(), with kubeconfigs for admin and devops in the harness HOME (devops is the default). */
export function supervisorFixture(
  h: E2e,
  options: SupervisorOptions,
  configure: (sup: SupervisorLab) => void = () => undefined,
): SupervisorFixture {
  const f = { kubeconfigs: { admin: '', devops: '' } } as SupervisorFixture;
  before(async () => {
    f.sup = await startSupervisor(options);
    configure(f.sup);
    f.kubeconfigs.devops = writeKubeconfig(h.home, f.sup.kubeconfig('devops'), 'devops.kubeconfig');
    f.kubeconfigs.admin = writeKubeconfig(h.home, f.sup.kubeconfig('admin'), 'admin.kubeconfig');
    h.kubeconfig = f.kubeconfigs.devops;
  });
  after(async () => {
    await f.sup?.close();
  });
  return f;
}
