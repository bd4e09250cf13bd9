// A builder for test kubeconfigs (after kubectx's KC().withCtxs(...)), including the
// shape `kubectl vsphere login` writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface Ctx {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export class KC {
  clusters = new Map<string, string>();
  users = new Map<string, Record<string, unknown>>();
  contexts: Ctx[] = [];
  current = '';

  cluster(name: string, server: string): this {
    this.clusters.set(name, server);
    return this;
  }

  user(name: string, token = 'test-token'): this {
    this.users.set(name, { token });
    return this;
  }

  ctx(name: string, cluster: string, user: string, namespace?: string): this {
    if (!this.clusters.has(cluster)) this.cluster(cluster, `https://${cluster}:6443`);
    if (!this.users.has(user)) this.user(user);
    this.contexts.push({ name, cluster, user, ...(namespace ? { namespace } : {}) });
    return this;
  }

  use(name: string): this {
    this.current = name;
    return this;
  }

  /** `kubectl vsphere login --server S` for `username`, namespaces and TKCs (name -> API server IP). */
  vsphere(server: string, username: string, namespaces: string[], tkcs: Record<string, string> = {}): this {
    const user = `wcp:${server}:${username}`;
    this.cluster(server, `https://${server}:443`);
    this.ctx(server, server, user);
    for (const ns of namespaces) this.ctx(ns, server, user, ns);
    for (const [name, ip] of Object.entries(tkcs)) {
      this.cluster(ip, `https://${ip}:6443`);
      this.ctx(name, ip, `wcp:${ip}:${username}`);
    }
    return this;
  }

  toYaml(): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': this.current,
      clusters: [...this.clusters].map(([name, server]) => ({
        name,
        cluster: { server, 'insecure-skip-tls-verify': true },
      })),
      users: [...this.users].map(([name, user]) => ({ name, user })),
      contexts: this.contexts.map((c) => ({
        name: c.name,
        context: { cluster: c.cluster, user: c.user, ...(c.namespace ? { namespace: c.namespace } : {}) },
      })),
    });
  }

  write(dir: string, name = 'config'): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, this.toYaml(), { mode: 0o600 });
    return file;
  }
}

export function tempDir(prefix = 'harbor-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
