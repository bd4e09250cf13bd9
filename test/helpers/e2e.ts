// The set-up every end-to-end file shares: a private HOME, runners for the built plugin
// and the real kubectl with a clean environment (only what the test passes), a
// Supervisor emulator with admin and devops kubeconfigs, the shared lab, and clean-up
// afterwards. Call inside describe(); the before/after hooks are registered there, and
// run in the order the fixtures are created.
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import {
  type SupervisorLab,
  type SupervisorOptions,
  startSupervisor,
  writeKubeconfig,
} from '../../lab/apiserver/supervisor.js';
import type { LabConfig } from '../../lab/config.js';
import type { LabInfo } from '../../lab/lab.js';
import { setFault } from '../../lab/nodes/nodes.js';
import { tempDir } from './kubeconfig.js';
import { canRunLab, sharedLab } from './lab.js';
import { baseEnv, exec, PLUGIN, type Result } from './run.js';

export interface RunOptions {
  input?: string;
  /** Replaces the environment the harness builds. */
  env?: NodeJS.ProcessEnv;
  /** Added to the environment the harness builds. */
  extra?: NodeJS.ProcessEnv;
  kubeconfig?: string;
  /** The --context plugin and kubectl runs name; '' for none. Defaults to `E2e.context`. */
  context?: string;
}

export class E2e {
  home = '';
  /** The KUBECONFIG runs get unless they name another. */
  kubeconfig = '';
  /** The --context plugin and kubectl runs name unless they say otherwise ('' for none). */
  context = '';
  private caches = 0;

  env(extra: NodeJS.ProcessEnv = {}, kubeconfig = this.kubeconfig): NodeJS.ProcessEnv {
    return baseEnv({ HOME: this.home, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}), ...extra });
  }

  /** Any program, with the harness environment. */
  run(file: string, args: string[], o: RunOptions = {}): Promise<Result> {
    return exec(file, args, o.env ?? this.env(o.extra, o.kubeconfig), o.input);
  }

  /** The built plugin, as kubectl would run it. */
  harbor(args: string[], o: RunOptions = {}): Promise<Result> {
    return this.run(PLUGIN, [...this.contextFlag(o), ...args], o);
  }

  /** The real kubectl (each call its own discovery cache, so no run sees another's). */
  kubectl(args: string[], o: RunOptions = {}): Promise<Result> {
    const cache = path.join(this.home, `kcache-${this.caches++}`);
    return this.run('kubectl', ['--cache-dir', cache, ...this.contextFlag(o), ...args], o);
  }

  private contextFlag(o: RunOptions): string[] {
    const context = o.context ?? this.context;
    return context ? ['--context', context] : [];
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

/**
 * A Supervisor emulator for one describe(), with kubeconfigs for admin and devops in the harness HOME
 * (devops is the default). Options may be a function, read when the emulator starts (after the lab is up).
 */
export function supervisorFixture(
  h: E2e,
  options: SupervisorOptions | (() => SupervisorOptions),
  configure: (sup: SupervisorLab) => void = () => undefined,
): SupervisorFixture {
  const f = { kubeconfigs: { admin: '', devops: '' } } as SupervisorFixture;
  before(async () => {
    f.sup = await startSupervisor(typeof options === 'function' ? options() : options);
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

/** The describe() options of a file that needs the shared lab (root: network namespaces, /etc). */
export const needsLab = { skip: canRunLab ? false : 'needs root for the lab' };

export interface LabFixture {
  info: LabInfo;
  cfg: LabConfig;
}

export interface LabFixtureOptions {
  /** Runs use the lab daemon's Supervisor (its admin kubeconfig). */
  admin?: boolean;
  /** Runs name the lab cluster's vSphere Namespace with --context. */
  clusterContext?: boolean;
  /** The file sets node faults: clear them on every node afterwards. */
  clearFaults?: boolean;
}

/** The shared lab for one describe(): brought up, or reused when it already runs. */
export function labFixture(h: E2e, o: LabFixtureOptions = {}): LabFixture {
  const f = {} as LabFixture;
  before(async () => {
    Object.assign(f, await sharedLab());
    if (o.admin) h.kubeconfig = f.info.adminKubeconfig;
    if (o.clusterContext) h.context = f.info.cluster.namespace;
  });
  after(async () => {
    if (!o.clearFaults || !f.cfg) return;
    for (let i = 1; i <= f.cfg.nodes; i++) await setFault(f.cfg, i, 'clear').catch(() => undefined);
  });
  return f;
}
