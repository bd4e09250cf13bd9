// The Kubernetes API server emulator: HTTPS on a loopback address with a CA the lab
// generates, bearer-token users with allow rules, discovery, the REST verbs on the
// registered types, watch, pods/exec over WebSocket, and fault injection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { stringify } from 'yaml';
import { makeCa, makeCert, type KeyCert } from '../pki.js';
import { allowed, ALLOW_ALL, forbiddenMessage, type Access, type User } from './auth.js';
import {
  aggregated,
  AGGREGATED_CONTENT_TYPE,
  apiGroupDoc,
  apiGroupList,
  apiVersions,
  resourceList,
  wantsAggregated,
} from './discovery.js';
import { EXEC_PROTOCOLS, ExecSessions, hostSpawner, type ExecSpawner } from './exec.js';
import { Faults, type RequestFacts } from './faults.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';
import { openapiDoc, openapiRoot } from './openapi.js';
import { decodeProtobuf, ProtobufError } from './protobuf.js';
import { Registry, type Target } from './rest.js';
import { badRequest, methodNotAllowed, pathNotFound, StatusError, unsupportedMediaType } from './status.js';
import { Store, type StoreEvent } from './store.js';
import { TABLE_CONTENT_TYPE, table, wantsTable } from './table.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { builtinTypes, type Obj, type ResourceType } from './types.js';
import { capiTypes } from './capi.js';
import { unknownFields } from './validate.js';
import { nodeImages, nodeObject, type NodeOptions, type NodeSpec } from './nodes.js';
import { workloadTypes } from './workloads.js';
import { PodLogs } from './podlogs.js';
import { PodRuntime, type RuntimeOptions } from './podruntime.js';
import { DaemonSetController } from './daemonset.js';

export interface ApiServerOptions {
  /** Loopback address to listen on (the whole of 127.0.0.0/8 is local). Default 127.0.0.1. */
  host?: string;
  port?: number;
  /** `/version` minor; the machine's kubectl dispatcher picks its kubectl by it. Default "32". */
  minor?: string;
  /** CA to sign the serving certificate with; generated when omitted. */
  ca?: KeyCert;
  users?: User[];
  /** Restrict the versions served per group, e.g. {'run.tanzu.vmware.com': ['v1alpha1']}. */
  served?: Record<string, string[]>;
  kubelet?: KubeletOptions;
  exec?: ExecSpawner;
  /** Offer aggregated discovery (kubectl 1.30+ asks for it first). Default true. */
  aggregatedDiscovery?: boolean;
  /** More addresses to serve the same API on (same port), e.g. the lab bridge. */
  extraHosts?: string[];
  /** Called for every request, after it is answered. */
  onRequest?: (r: RequestRecord) => void;
  /** Node objects to register at start (a TKC's nodes); more with addNode(). */
  nodes?: NodeSpec[];
  nodeOptions?: NodeOptions;
  /** What a node's containerd holds now (status.images beside the preloaded TKR images). */
  nodeImages?: (node: string) => Promise<Array<{ names: string[]; sizeBytes: number }>>;
  /** How often nodeImages is asked again (the kubelet's node status update). Default 10 s. */
  nodeImagesEveryMs?: number;
  /** How DaemonSet pods' containers run (podruntime.ts); default: the command on this host. */
  runtime?: RuntimeOptions;
}

export interface RequestRecord {
  method: string;
  url: string;
  user?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  accept?: string;
  userAgent?: string;
  protobuf?: boolean;
  body?: unknown;
  websocket?: string;
  status: number;
}

interface Parsed extends Target {
  verb: string;
  group: string;
}

export const ADMIN_TOKEN_USER = 'admin';

export class ApiServer {
  readonly store = new Store();
  readonly faults = new Faults();
  readonly log: RequestRecord[] = [];
  readonly registry: Registry;
  readonly kubelet: Kubelet;
  readonly users: User[];
  /** Containers' stdout and stderr, served as pods/log. */
  readonly logs = new PodLogs();
  private readonly execs: ExecSessions;
  readonly runtime: PodRuntime;
  readonly daemonsets: DaemonSetController;
  private nodeTimer?: NodeJS.Timeout;
  private eventSeq = 0;
  private readonly types: ResourceType[];
  private readonly wss: WebSocketServer;
  private server!: https.Server;
  private readonly extra: https.Server[] = [];
  private readonly watches = new Set<ServerResponse>();
  url = '';

  private constructor(
    private readonly opts: ApiServerOptions,
    readonly ca: KeyCert,
    private readonly serving: KeyCert,
  ) {
    this.types = [...builtinTypes(), ...workloadTypes(), ...capiTypes()]
      .map((t) => ({
        ...t,
        versions: t.versions.filter((v) => !opts.served?.[t.group] || opts.served[t.group]!.includes(v)),
      }))
      .filter((t) => t.versions.length > 0);
    this.users = opts.users ?? [{ name: ADMIN_TOKEN_USER, token: 'admin-token', rules: [ALLOW_ALL] }];
    // Exec into a pod the runtime runs enters its container's kind of process (on its node); other pods as before.
    this.execs = new ExecSessions((r) =>
      this.runtime.runs(r.pod) ? this.runtime.execSpec(r.pod, r.container, r.command) : (opts.exec ?? hostSpawner)(r),
    );
    this.registry = new Registry(this.types, this.store, {
      created: (t, o) => this.created(t, o),
      deleted: (t, o) => {
        if (t.kind === 'Pod') this.podGone(o);
        this.collectGarbage(o);
      },
    });
    this.kubelet = new Kubelet(this.registry, opts.kubelet);
    this.runtime = new PodRuntime(this.registry, this.kubelet, this.logs, opts.runtime, (n) =>
      this.refreshNodeImages(n),
    );
    this.daemonsets = new DaemonSetController(this.registry, {
      createPod: (namespace, pod) => {
        const created = this.registry.create({ t: this.type('pods'), version: 'v1', namespace }, pod, false);
        this.controllerEvent(
          pod.metadata.ownerReferences[0],
          namespace,
          'Normal',
          'SuccessfulCreate',
          `Created pod: ${created.metadata.name}`,
        );
        return created;
      },
      deletePod: (namespace, name) => {
        const pod = this.store.get(this.type('pods'), namespace, name);
        if (!pod) return;
        this.registry.delete({ t: this.type('pods'), version: 'v1', namespace, name }, undefined, false);
        this.controllerEvent(
          pod.metadata.ownerReferences?.[0],
          namespace,
          'Normal',
          'SuccessfulDelete',
          `Deleted pod: ${name}`,
        );
      },
      event: (ds, type, reason, message) =>
        this.controllerEvent(
          { kind: 'DaemonSet', apiVersion: 'apps/v1', name: ds.metadata.name, uid: ds.metadata.uid },
          ds.metadata.namespace,
          type,
          reason,
          message,
        ),
    });
    this.daemonsets.start();
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
    });
  }

  static async start(opts: ApiServerOptions = {}): Promise<ApiServer> {
    const host = opts.host ?? '127.0.0.1';
    const ca = opts.ca ?? makeCa('kubernetes-lab-ca');
    const serving = makeCert({
      cn: 'kube-apiserver',
      issuer: ca,
      ips: [...new Set([host, '127.0.0.1', ...(opts.extraHosts ?? [])])],
      dns: ['localhost', 'kubernetes.default.svc'],
    });
    const s = new ApiServer(opts, ca, serving);
    for (const n of opts.nodes ?? []) s.addNode(n);
    if (opts.nodeImages) {
      await s.refreshNodeImages();
      s.nodeTimer = setInterval(() => void s.refreshNodeImages(), opts.nodeImagesEveryMs ?? 10_000);
      s.nodeTimer.unref();
    }
    await s.listen(host, opts.port ?? 0);
    return s;
  }

  private async listen(host: string, port: number): Promise<void> {
    const serve = async (h: string, p: number): Promise<https.Server> => {
      const server = https.createServer({
        key: this.serving.keyPem,
        cert: this.serving.certPem,
        ca: [this.ca.certPem],
      });
      server.keepAliveTimeout = 30_000;
      server.on('request', (req, res) => void this.handle(req, res));
      server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
      await new Promise<void>((ok, ko) => {
        server.once('error', ko);
        server.listen(p, h, () => ok());
      });
      return server;
    };
    this.server = await serve(host, port);
    const addr = this.server.address() as { port: number };
    this.url = `https://${host}:${addr.port}`;
    // The same API on more addresses (the lab bridge, for clients inside a network namespace).
    for (const h of this.opts.extraHosts ?? []) this.extra.push(await serve(h, addr.port));
  }

  get host(): string {
    return new URL(this.url).hostname;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async close(): Promise<void> {
    clearInterval(this.nodeTimer);
    this.daemonsets.stop();
    this.runtime.close();
    this.kubelet.close();
    this.execs.closeAll();
    for (const w of this.watches) w.end();
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    for (const server of [this.server, ...this.extra]) {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  }

  /** Register a Node (as its kubelet would); the DaemonSet controller schedules onto it. */
  addNode(n: NodeSpec): Obj {
    const existing = this.store.list(this.type('nodes')).length;
    this.kubelet.addNode({ name: n.name, ip: n.ip });
    return this.seed(nodeObject(n, this.opts.nodeOptions, existing));
  }

  /** Remove a Node (a VM gone); its pods go with it, as the pod GC does for an orphaned node. */
  removeNode(name: string): void {
    const gone = this.store.remove(this.type('nodes'), undefined, name);
    if (!gone) return;
    this.kubelet.removeNode(name);
    for (const p of this.store.list(this.type('pods')).filter((p) => p.spec?.nodeName === name)) {
      const removed = this.store.remove(this.type('pods'), p.metadata.namespace, p.metadata.name);
      if (removed) this.podGone(removed);
    }
  }

  /**
   * The node's kubelet stops (false) or comes back (true). Stopped: the Node's conditions go
   * Unknown ("Kubelet stopped posting node status.") and the node lifecycle controller's
   * unreachable taints (NoSchedule, NoExecute) are added, so DaemonSets no longer count it;
   * its pods' Ready goes False and new pods there stay Pending. Back: all undone.
   */
  setKubelet(name: string, up: boolean): void {
    const nodes = this.type('nodes');
    if (!this.store.get(nodes, undefined, name)) throw new Error(`no node ${name}`);
    this.runtime.setNodeUp(name, up);
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const unreachable = 'node.kubernetes.io/unreachable';
    this.registry.mutate(nodes, undefined, name, (n) => {
      n.status.conditions = (n.status.conditions ?? []).map((c: Obj) =>
        up
          ? nodeObject({ name, ip: '' }).status.conditions.find((x: Obj) => x.type === c.type)
          : {
              ...c,
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
              lastTransitionTime: ts,
            },
      );
      const taints = (n.spec.taints ?? []).filter((t: Obj) => t.key !== unreachable);
      if (!up)
        taints.push(
          { key: unreachable, effect: 'NoSchedule', timeAdded: ts },
          { key: unreachable, effect: 'NoExecute', timeAdded: ts },
        );
      if (taints.length) n.spec.taints = taints;
      else delete n.spec.taints;
    });
  }

  /** Refresh the Nodes' (or one Node's) status.images from containerd (nodeImages option). */
  async refreshNodeImages(only?: string): Promise<void> {
    const list = this.opts.nodeImages;
    if (!list) return;
    for (const n of this.store.list(this.type('nodes')).filter((x) => !only || x.metadata.name === only)) {
      const held = await list(n.metadata.name).catch(() => undefined);
      if (!held) continue;
      this.registry.mutate(this.type('nodes'), undefined, n.metadata.name, (o) => {
        o.status.images = nodeImages(held);
      });
    }
  }

  private podGone(o: Obj): void {
    this.kubelet.podDeleted(o);
    this.runtime.podDeleted(o);
    this.execs.killPod(o.metadata.uid);
  }

  /** The garbage collector (background propagation): dependents whose every owner is gone are deleted. */
  private collectGarbage(owner: Obj): void {
    const uid = owner.metadata?.uid;
    if (!uid) return;
    setTimeout(() => {
      for (const t of this.types) {
        if (owner.metadata.namespace === undefined && t.namespaced) continue;
        for (const o of this.store.list(t, owner.metadata.namespace)) {
          const refs: Obj[] = o.metadata.ownerReferences ?? [];
          if (!refs.some((r) => r.uid === uid)) continue;
          const alive = refs.some((r) => r.uid !== uid && this.ownerExists(r, o.metadata.namespace));
          if (alive) continue;
          const target = { t, version: t.versions[0]!, namespace: o.metadata.namespace, name: o.metadata.name };
          if (this.store.get(t, o.metadata.namespace, o.metadata.name)) this.registry.delete(target, undefined, false);
        }
      }
    }, 10).unref();
  }

  private ownerExists(ref: Obj, namespace: string | undefined): boolean {
    const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0]! : '';
    const t = this.types.find((x) => x.group === group && x.kind === ref.kind);
    return !!t && this.store.get(t, t.namespaced ? namespace : undefined, ref.name)?.metadata.uid === ref.uid;
  }

  /** An Event a controller writes about its object (source: the controller). */
  private controllerEvent(
    ref: Obj | undefined,
    namespace: string,
    type: string,
    reason: string,
    message: string,
  ): void {
    if (!ref) return;
    const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const events = this.type('events');
    const same = this.store
      .list(events, namespace)
      .find((e) => e.involvedObject?.uid === ref.uid && e.reason === reason && e.message === message);
    if (same) {
      this.registry.mutate(events, namespace, same.metadata.name, (e) => {
        e.count = (e.count ?? 1) + 1;
        e.lastTimestamp = ts;
      });
      return;
    }
    const component = `${String(ref.kind).toLowerCase()}-controller`;
    this.registry.seed(events, {
      metadata: {
        name: `${ref.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.eventSeq++)).toString(16)}`,
        namespace,
      },
      involvedObject: { kind: ref.kind, namespace, name: ref.name, uid: ref.uid, apiVersion: ref.apiVersion },
      reason,
      message,
      source: { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: '',
    });
  }

  /** The resource type for a plural (and group), for tests and fixtures. */
  type(plural: string, group = ''): ResourceType {
    const t = this.types.find((x) => x.plural === plural && x.group === group);
    if (!t) throw new Error(`the emulator does not serve ${plural}${group ? '.' + group : ''}`);
    return t;
  }

  /** Store a fixture object; its apiVersion and kind select the type. */
  seed(o: Obj): Obj {
    const [group, version] = String(o.apiVersion).includes('/')
      ? String(o.apiVersion).split('/')
      : ['', String(o.apiVersion)];
    const t = this.types.find((x) => x.group === group && x.kind === o.kind && x.versions.includes(version!));
    if (!t) throw new Error(`the emulator does not serve ${o.apiVersion} ${o.kind}`);
    return this.registry.seed(t, o);
  }

  /** Read an object back as `apiVersion` presents it. */
  get(apiVersion: string, plural: string, namespace: string | undefined, name: string): Obj | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const t = this.type(plural, group);
    const o = this.store.get(t, namespace, name);
    return o && this.registry.present(t, o, version!);
  }

  /** A kubeconfig for one user of this server (admin by default). */
  kubeconfig(opts: { user?: string; namespace?: string; context?: string } = {}): string {
    const user = this.users.find((u) => u.name === (opts.user ?? this.users[0]!.name));
    if (!user) throw new Error(`no user ${opts.user}`);
    const ctx = opts.context ?? 'lab';
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': ctx,
      clusters: [
        {
          name: ctx,
          cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca.certPem).toString('base64') },
        },
      ],
      users: [{ name: user.name, user: { token: user.token } }],
      contexts: [
        {
          name: ctx,
          context: { cluster: ctx, user: user.name, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
        },
      ],
    });
  }

  private created(t: ResourceType, o: Obj): void {
    if (t.kind === 'Pod') {
      if (this.runtime.runs(o)) this.runtime.podCreated(o);
      else this.kubelet.podCreated(o);
    }
    if (t.kind === 'Namespace') {
      // What the ServiceAccount and root-CA controllers add to every new namespace.
      const ns = o.metadata.name;
      if (!this.store.get(this.type('serviceaccounts'), ns, 'default'))
        this.registry.seed(this.type('serviceaccounts'), { metadata: { name: 'default', namespace: ns } });
      if (!this.store.get(this.type('configmaps'), ns, 'kube-root-ca.crt')) {
        this.registry.seed(this.type('configmaps'), {
          metadata: { name: 'kube-root-ca.crt', namespace: ns },
          data: { 'ca.crt': this.ca.certPem },
        });
      }
    }
  }

  private userFor(req: IncomingMessage): User | undefined {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m || this.faults.tokensExpired) return undefined;
    return this.users.find((u) => u.token === m[1]);
  }

  /** Split a resource URL into type, version, namespace, name, subresource and verb. */
  private parse(method: string, path: string, query: URLSearchParams): Parsed | undefined {
    const parts = path.split('/').filter(Boolean);
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (parts[0] === 'api') [group, version, rest] = ['', parts[1], parts.slice(2)];
    else if (parts[0] === 'apis') [group, version, rest] = [parts[1] ?? '', parts[2], parts.slice(3)];
    else return undefined;
    if (!version || rest.length === 0) return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2]!)) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource, ...extra] = rest;
    if (extra.length) return undefined;
    const t = this.types.find((x) => x.group === group && x.plural === plural && x.versions.includes(version!));
    if (!t) return undefined;
    if (subresource && !(t.subresources ?? []).includes(subresource)) return undefined;
    if (!t.namespaced && namespace) return undefined;
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    const verb =
      method === 'GET'
        ? name
          ? 'get'
          : watch
            ? 'watch'
            : 'list'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? name
                  ? 'delete'
                  : 'deletecollection'
                : method;
    return { t, version, namespace, name, subresource, verb, group };
  }

  private send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): number {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache, private',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
    return code;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://lab');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const record: RequestRecord = {
      method,
      url: req.url ?? '/',
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
      status: 0,
    };
    try {
      const raw = await this.readBody(req);
      const parsed = this.parse(method, path, url.searchParams);
      const facts: RequestFacts = {
        method,
        path,
        verb: parsed?.verb,
        resource: parsed
          ? parsed.subresource
            ? `${parsed.t.plural}/${parsed.subresource}`
            : parsed.t.plural
          : undefined,
        namespace: parsed?.namespace,
        name: parsed?.name,
      };
      Object.assign(record, {
        verb: facts.verb,
        resource: facts.resource,
        namespace: facts.namespace,
        name: facts.name,
      });
      for (const f of this.faults.take(facts)) {
        if (f.kind === 'latency') await new Promise((r) => setTimeout(r, f.ms));
        if (f.kind === 'drop') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096 });
          res.write('{"kind":"');
          record.status = -1;
          setTimeout(() => req.socket.destroy(), 5);
          return;
        }
        if (f.kind === 'status') {
          const e =
            f.code === 503
              ? new StatusError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', {
                  retryAfterSeconds: 1,
                })
              : new StatusError(500, 'InternalError', 'Internal error occurred: injected fault', {
                  causes: [{ message: 'injected fault' }],
                });
          if (f.code === 503) res.setHeader('Retry-After', '1');
          record.status = this.send(res, e.code, e.body());
          return;
        }
        if (f.kind === 'conflict' && parsed) {
          const e = new StatusError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on ${parsed.t.group ? `${parsed.t.plural}.${parsed.t.group}` : parsed.t.plural} "${parsed.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
            { name: parsed.name, kind: parsed.t.plural },
          );
          record.status = this.send(res, 409, e.body());
          return;
        }
      }
      if (method === 'GET' && ['/version', '/healthz', '/livez', '/readyz'].includes(path)) {
        record.status =
          path === '/version'
            ? this.send(res, 200, {
                major: '1',
                minor: this.opts.minor ?? '32',
                gitVersion: `v1.${this.opts.minor ?? '32'}.0+vmware.1-lab`,
                gitCommit: '0000000000000000000000000000000000000000',
                gitTreeState: 'clean',
                buildDate: '2025-01-01T00:00:00Z',
                goVersion: 'go1.23.4',
                compiler: 'gc',
                platform: 'linux/amd64',
              })
            : this.send(res, 200, 'ok', 'text/plain; charset=utf-8');
        return;
      }
      const user = this.userFor(req);
      if (!user) {
        record.status = this.send(res, 401, new StatusError(401, 'Unauthorized', 'Unauthorized').body());
        return;
      }
      record.user = user.name;
      let body: unknown;
      if (raw.length) {
        const ct = req.headers['content-type'] ?? '';
        if (/application\/vnd\.kubernetes\.protobuf/.test(ct)) {
          record.protobuf = true;
          try {
            body = decodeProtobuf(raw);
          } catch (e) {
            if (e instanceof ProtobufError)
              throw unsupportedMediaType(`the lab cannot decode this protobuf body: ${e.message}`);
            throw e;
          }
        } else if (/json/.test(ct) || ct === '') {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch (e) {
            throw badRequest(`error decoding request body: ${(e as Error).message}`);
          }
        } else
          throw unsupportedMediaType(
            `the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf`,
          );
        record.body = body;
      }
      record.status = await this.route(req, res, method, path, url.searchParams, parsed, user, body);
    } catch (e) {
      if (!(e instanceof StatusError)) {
        process.stderr.write(`apiserver emulator: internal error for ${method} ${req.url}: ${(e as Error).stack}\n`);
      }
      const err =
        e instanceof StatusError
          ? e
          : new StatusError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      if (!res.headersSent) record.status = this.send(res, err.code, err.body());
    } finally {
      this.log.push(record);
      this.opts.onRequest?.(record);
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    q: URLSearchParams,
    parsed: Parsed | undefined,
    user: User,
    body: unknown,
  ): Promise<number> {
    const accept = req.headers.accept ?? '';
    if (method === 'GET') {
      const agg = this.opts.aggregatedDiscovery !== false && wantsAggregated(accept);
      if (path === '/api')
        return agg
          ? this.send(res, 200, aggregated(this.types, true), AGGREGATED_CONTENT_TYPE)
          : this.send(res, 200, apiVersions(`${this.host}:${this.port}`));
      if (path === '/apis')
        return agg
          ? this.send(res, 200, aggregated(this.types, false), AGGREGATED_CONTENT_TYPE)
          : this.send(res, 200, apiGroupList(this.types));
      if (path === '/openapi/v3') return this.send(res, 200, openapiRoot(this.types));
      if (path.startsWith('/openapi/v3/')) {
        const p = path.slice('/openapi/v3/'.length).split('/');
        const doc =
          p[0] === 'api' ? openapiDoc(this.types, '', p[1] ?? '') : openapiDoc(this.types, p[1] ?? '', p[2] ?? '');
        if (!doc) throw pathNotFound();
        return this.send(res, 200, doc);
      }
      const parts = path.split('/').filter(Boolean);
      if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
        const [g, v] = parts[0] === 'api' ? ['', parts[1]!] : [parts[1]!, parts[2]!];
        const doc = resourceList(this.types, g, v);
        if (!doc) throw pathNotFound();
        return this.send(res, 200, doc);
      }
      if (parts[0] === 'apis' && parts.length === 2) {
        const doc = apiGroupDoc(this.types, parts[1]!);
        if (!doc) throw pathNotFound();
        return this.send(res, 200, doc);
      }
    }
    if (!parsed) throw pathNotFound();
    const access: Access = {
      verb: parsed.verb,
      group: parsed.group,
      plural: parsed.t.plural,
      subresource: parsed.subresource,
      namespace: parsed.namespace,
      name: parsed.name,
    };
    if (!allowed(user, access)) {
      throw new StatusError(403, 'Forbidden', forbiddenMessage(user, access), {
        ...(parsed.name ? { name: parsed.name } : {}),
        ...(parsed.group ? { group: parsed.group } : {}),
        kind: parsed.t.plural,
      });
    }
    if (parsed.subresource === 'exec') throw badRequest('Upgrade request required');
    if (parsed.subresource === 'log') {
      if (parsed.verb !== 'get') throw methodNotAllowed();
      const pod = this.registry.get(parsed);
      const lq = {
        container: q.get('container') ?? undefined,
        previous: q.get('previous') === 'true',
        tailLines: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
      };
      const text = this.logs.read(pod, lq);
      const running = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].some(
        (c: Obj) => c.name === this.logs.containerOf(pod, lq) && c.state?.running,
      );
      if (q.get('follow') !== 'true' || lq.previous || !running) return this.send(res, 200, text, 'text/plain');
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      res.write(text);
      const off = this.logs.follow(pod.metadata.uid, this.logs.containerOf(pod, lq), (chunk) => {
        if (chunk === null) res.end();
        else res.write(chunk);
      });
      res.on('close', off);
      return 200;
    }
    const validation = q.get('fieldValidation') ?? 'Ignore';
    if (!['Ignore', 'Warn', 'Strict'].includes(validation))
      throw badRequest(`fieldValidation must be one of Ignore, Warn or Strict, not ${validation}`);
    if (
      body &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      (parsed.verb === 'create' || parsed.verb === 'update')
    ) {
      const unknown = unknownFields(body as Obj, parsed.t.kind);
      if (unknown.length && validation === 'Strict')
        throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
      if (unknown.length && validation === 'Warn')
        res.setHeader('Warning', unknown.map((f) => `299 - "unknown field "${f}""`).join(', '));
    }
    const dryRun = q.getAll('dryRun').includes('All');
    if (q.getAll('dryRun').some((d) => d !== 'All'))
      throw badRequest(`Invalid dry run value: ${q.getAll('dryRun').join(',')}`);
    const r = this.registry;
    const warnings: string[] = [];
    const warned = (): void => {
      if (!warnings.length) return;
      const prior = res.getHeader('Warning');
      res.setHeader(
        'Warning',
        [
          ...(prior ? [String(prior)] : []),
          ...warnings.map((w) => `299 - "${w.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`),
        ].join(', '),
      );
    };
    switch (parsed.verb) {
      case 'get':
        return this.respond(res, accept, q, parsed.t, [r.get(parsed)], 200, true);
      case 'list': {
        const out = r.list(parsed, {
          labelSelector: q.get('labelSelector'),
          fieldSelector: q.get('fieldSelector'),
          limit: Number(q.get('limit') ?? 0),
          continue: q.get('continue'),
        });
        const meta = {
          resourceVersion: out.resourceVersion,
          ...(out.continue ? { continue: out.continue, remainingItemCount: out.remaining } : {}),
        };
        if (wantsTable(accept))
          return this.send(res, 200, table(parsed.t, out.items, meta, q.get('includeObject')), TABLE_CONTENT_TYPE);
        return this.send(res, 200, {
          kind: `${parsed.t.kind}List`,
          apiVersion: parsed.t.group ? `${parsed.t.group}/${parsed.version}` : parsed.version,
          metadata: meta,
          items: out.items,
        });
      }
      case 'watch':
        return this.watch(req, res, parsed, q, accept);
      case 'create': {
        if (parsed.name) throw methodNotAllowed();
        const created = r.create(parsed, body, dryRun, warnings);
        warned();
        return this.send(res, 201, created);
      }
      case 'update': {
        const updated = r.update(parsed, body, dryRun, warnings);
        warned();
        return this.send(res, 200, updated);
      }
      case 'patch': {
        const patched = r.patch(parsed, req.headers['content-type'] ?? '', body, dryRun, warnings);
        warned();
        return this.send(res, 200, patched);
      }
      case 'delete': {
        const { object, returnObject } = r.delete(parsed, body, dryRun);
        if (returnObject) return this.send(res, 200, object);
        return this.send(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: {
            name: parsed.name,
            ...(parsed.group ? { group: parsed.group } : {}),
            kind: parsed.t.plural,
            uid: object.metadata.uid,
          },
        });
      }
      case 'deletecollection': {
        if (parsed.t.kind === 'Namespace') throw methodNotAllowed();
        const victims = r.list(parsed, {
          labelSelector: q.get('labelSelector'),
          fieldSelector: q.get('fieldSelector'),
          limit: 0,
          continue: null,
        }).items;
        const items = victims.map(
          (o) => r.delete({ ...parsed, namespace: o.metadata.namespace, name: o.metadata.name }, body, dryRun).object,
        );
        return this.send(res, 200, {
          kind: `${parsed.t.kind}List`,
          apiVersion: parsed.t.group ? `${parsed.t.group}/${parsed.version}` : parsed.version,
          metadata: { resourceVersion: String(this.store.revision) },
          items,
        });
      }
      default:
        throw methodNotAllowed();
    }
  }

  private respond(
    res: ServerResponse,
    accept: string,
    q: URLSearchParams,
    t: ResourceType,
    items: Obj[],
    code: number,
    single: boolean,
  ): number {
    if (wantsTable(accept))
      return this.send(
        res,
        code,
        table(t, items, { resourceVersion: items[0]?.metadata.resourceVersion ?? '' }, q.get('includeObject')),
        TABLE_CONTENT_TYPE,
      );
    return this.send(res, code, single ? items[0] : items);
  }

  /** A watch stream: newline-delimited {type, object} events, replayed from resourceVersion. */
  private watch(req: IncomingMessage, res: ServerResponse, x: Parsed, q: URLSearchParams, accept: string): number {
    const byLabel = labelSelector(q.get('labelSelector'));
    const byField = fieldSelector(q.get('fieldSelector'), x.t.kind);
    const asTable = wantsTable(accept);
    const matches = (e: StoreEvent): boolean =>
      e.t === x.t &&
      (!x.t.namespaced || !x.namespace || e.obj.metadata.namespace === x.namespace) &&
      byLabel(e.obj) &&
      byField(e.obj);
    const frame = (type: string, o: Obj): string => {
      const obj = this.registry.present(x.t, o, x.version);
      return (
        JSON.stringify({
          type,
          object: asTable
            ? table(x.t, [obj], { resourceVersion: obj.metadata.resourceVersion }, q.get('includeObject'))
            : obj,
        }) + '\n'
      );
    };
    res.writeHead(200, {
      'Content-Type': asTable ? TABLE_CONTENT_TYPE : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const rv = q.get('resourceVersion');
    if (!rv || rv === '0') {
      for (const o of this.store.list(x.t, x.namespace)) if (byLabel(o) && byField(o)) res.write(frame('ADDED', o));
    } else {
      const past = this.store.since(Number(rv));
      if (!past) {
        res.end(
          JSON.stringify({
            type: 'ERROR',
            object: new StatusError(410, 'Expired', `too old resource version: ${rv} (${this.store.oldest})`).body(),
          }) + '\n',
        );
        return 200;
      }
      for (const e of past) if (matches(e)) res.write(frame(e.type, e.obj));
    }
    const off = this.store.subscribe((e) => {
      if (matches(e)) res.write(frame(e.type, e.obj));
    });
    this.watches.add(res);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const stop = (): void => {
      off();
      clearTimeout(timer);
      this.watches.delete(res);
    };
    res.on('close', stop);
    req.on('close', stop);
    return 200;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://lab');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      userAgent: req.headers['user-agent'],
      websocket: String(req.headers['sec-websocket-protocol'] ?? ''),
      status: 0,
    };
    const fail = (e: StatusError): void => {
      const text = JSON.stringify(e.body());
      socket.end(
        `HTTP/1.1 ${e.code} ${e.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
      record.status = e.code;
    };
    try {
      const user = this.userFor(req);
      if (!user) return fail(new StatusError(401, 'Unauthorized', 'Unauthorized'));
      record.user = user.name;
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      if (!m || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
        return fail(badRequest('the lab serves only pods/exec over WebSocket'));
      const [, namespace, name] = m as unknown as [string, string, string];
      Object.assign(record, { verb: 'create', resource: 'pods/exec', namespace, name });
      for (const f of this.faults.take({
        method: record.method,
        path: url.pathname,
        verb: 'create',
        resource: 'pods/exec',
        namespace,
        name,
      })) {
        if (f.kind === 'latency') await new Promise((r) => setTimeout(r, f.ms));
        if (f.kind === 'drop') {
          socket.destroy();
          record.status = -1;
          return;
        }
        if (f.kind === 'status')
          return fail(
            new StatusError(f.code, f.code === 503 ? 'ServiceUnavailable' : 'InternalError', 'injected fault'),
          );
      }
      const access: Access = { verb: 'create', group: '', plural: 'pods', subresource: 'exec', namespace, name };
      if (!allowed(user, access))
        return fail(new StatusError(403, 'Forbidden', forbiddenMessage(user, access), { name, kind: 'pods' }));
      const pod = this.store.get(this.type('pods'), namespace, name);
      if (!pod) return fail(new StatusError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
      const containers: Obj[] = pod.spec?.containers ?? [];
      const container = url.searchParams.get('container') ?? containers[0]?.name;
      if (!containers.some((c) => c.name === container))
        return fail(badRequest(`container ${container} is not valid for pod ${name}`));
      if (pod.status?.phase !== 'Running') return fail(badRequest(`container not found ("${container}")`));
      const command = url.searchParams.getAll('command');
      if (command.length === 0) return fail(badRequest('you must specify at least 1 command'));
      const offered = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((s) => s.trim());
      if (!EXEC_PROTOCOLS.some((p) => offered.includes(p)))
        return fail(badRequest(`the lab speaks only ${EXEC_PROTOCOLS.join(', ')}; offered: ${offered.join(', ')}`));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        record.status = 101;
        record.websocket = ws.protocol;
        this.execs.run(ws, {
          pod,
          container: container!,
          command,
          stdin: url.searchParams.get('stdin') === 'true',
          tty: url.searchParams.get('tty') === 'true',
        });
      });
    } finally {
      this.log.push(record);
      this.opts.onRequest?.(record);
    }
  }
}
