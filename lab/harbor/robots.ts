// Harbor's robot accounts (v2, "editable"), kept in a JSON file in the lab's state so a
// daemon restart keeps them. The name is stored without the prefix, `<project>+<name>` for
// a project robot (controller/robot/controller.go Create, L117-121), and shown with the
// configured prefix (populate, L257-263). Only a salted SHA-256 of the secret is kept
// (CreateSec, L397-426); the clear secret is returned at creation and refresh only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RobotPermission } from './access.js';

export interface StoredRobot {
  id: number;
  /** Without the prefix: `lab+puller`, or `ci` for a system robot. */
  name: string;
  description: string;
  /** 0 for a system-level robot. */
  projectId: number;
  duration: number;
  /** Unix seconds; -1 never. */
  expiresAt: number;
  disabled: boolean;
  salt: string;
  secretHash: string;
  permissions: RobotPermission[];
  creationTime: string;
  updateTime: string;
}

/** What a lab fixture robot is made from. */
export interface RobotSeed {
  name: string;
  secret: string;
  projectId: number;
  permissions: RobotPermission[];
  duration?: number;
  /** Days since creation (an expired fixture is created in the past). */
  ageDays?: number;
  disabled?: boolean;
  description?: string;
}

interface StoreFile {
  nextId: number;
  prefix?: string;
  robots: StoredRobot[];
}

const DAY = 86_400;
const hash = (secret: string, salt: string): string =>
  crypto.createHash('sha256').update(`${salt}${secret}`).digest('hex');

// robot/controller.go IsValidSec, L434-436.
export const isValidSecret = (s: string): boolean =>
  s.length >= 8 && s.length <= 128 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s);

/** A random secret of 32 letters and digits that passes isValidSecret (utils.GenerateRandomString). */
export function newSecret(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (;;) {
    const s = Array.from(crypto.randomBytes(32), (b) => alphabet[b % alphabet.length]).join('');
    if (isValidSecret(s)) return s;
  }
}

/** expires_at for a duration in days from a creation time (controller.go L100-110, handler/robot.go L408-414). */
export const expiresAt = (creation: Date, duration: number): number =>
  duration === -1 ? -1 : Math.floor(creation.getTime() / 1000) + duration * DAY;

export class RobotStore {
  private data: StoreFile;

  constructor(
    private readonly file: string | undefined,
    seeds: RobotSeed[],
    defaultPrefix: string,
  ) {
    const saved = file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StoreFile) : undefined;
    this.data = saved ?? { nextId: 1, prefix: defaultPrefix, robots: [] };
    if (!saved) {
      for (const s of seeds) this.seed(s);
      this.save();
    }
  }

  get prefix(): string {
    return this.data.prefix ?? 'robot$';
  }

  setPrefix(prefix: string): void {
    this.data.prefix = prefix;
    this.save();
  }

  private seed(s: RobotSeed): void {
    const created = new Date(Date.now() - (s.ageDays ?? 0) * DAY * 1000);
    const r = this.insert(s.name, s.projectId, s.duration ?? -1, s.permissions, s.description ?? '', created);
    r.disabled = s.disabled ?? false;
    r.secretHash = hash(s.secret, r.salt);
  }

  private insert(
    name: string,
    projectId: number,
    duration: number,
    permissions: RobotPermission[],
    description: string,
    created = new Date(),
  ): StoredRobot {
    const salt = crypto.randomBytes(16).toString('hex');
    const r: StoredRobot = {
      id: this.data.nextId++,
      name,
      description,
      projectId,
      duration,
      expiresAt: expiresAt(created, duration),
      disabled: false,
      salt,
      secretHash: '',
      permissions,
      creationTime: created.toISOString(),
      updateTime: created.toISOString(),
    };
    this.data.robots.push(r);
    return r;
  }

  private save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  all(): StoredRobot[] {
    return [...this.data.robots];
  }

  get(id: number): StoredRobot | undefined {
    return this.data.robots.find((r) => r.id === id);
  }

  byName(name: string): StoredRobot | undefined {
    return this.data.robots.find((r) => r.name === name);
  }

  /** Creates a robot and returns it with its clear secret; undefined when (project, name) exists (dao.go L64-66). */
  create(
    name: string,
    projectId: number,
    duration: number,
    permissions: RobotPermission[],
    description: string,
  ): { robot: StoredRobot; secret: string } | undefined {
    if (this.data.robots.some((r) => r.name === name && r.projectId === projectId)) return undefined;
    const robot = this.insert(name, projectId, duration, permissions, description);
    const secret = newSecret();
    robot.secretHash = hash(secret, robot.salt);
    this.save();
    return { robot, secret };
  }

  update(id: number, change: (r: StoredRobot) => void): StoredRobot | undefined {
    const r = this.get(id);
    if (!r) return undefined;
    change(r);
    r.updateTime = new Date().toISOString();
    this.save();
    return r;
  }

  setSecret(id: number, secret: string): void {
    this.update(id, (r) => {
      r.secretHash = hash(secret, r.salt);
    });
  }

  delete(id: number): boolean {
    const before = this.data.robots.length;
    this.data.robots = this.data.robots.filter((r) => r.id !== id);
    this.save();
    return this.data.robots.length < before;
  }

  /**
   * The robot a Basic login names, when its secret matches and it is neither disabled nor
   * expired (server/middleware/security/robot.go L38-74); undefined otherwise.
   */
  authenticate(fullName: string, secret: string, now = Date.now()): StoredRobot | undefined {
    if (!fullName.startsWith(this.prefix)) return undefined;
    const r = this.byName(fullName.slice(this.prefix.length));
    if (!r || hash(secret, r.salt) !== r.secretHash || r.disabled) return undefined;
    if (r.expiresAt !== -1 && r.expiresAt <= Math.floor(now / 1000)) return undefined;
    return r;
  }
}
