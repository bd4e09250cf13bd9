// `kubectl harbor status`: one row per registry in every managed pull secret of the chosen
// namespaces: who the credential is (user or robot), when it expires (the robot
// annotations), which ServiceAccounts reference the secret and, with --check-access,
// whether it still authenticates and may pull (Harbor answers bad credentials with a
// scope as anonymous, so "authenticates" is checked without a scope, then the pull).
// --check makes anything expired, expiring within --warn-days, or failing exit 1.
import type { V1Secret, V1SecretList, V1ServiceAccountList } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { MANAGED_BY, MANAGER } from '../kube/labels.js';
import { type NamespaceSelection, resolveNamespaces } from '../kube/namespaces.js';
import { corePath, type Wire } from '../kube/wire.js';
import { DOCKERCONFIGJSON, entryCredentials, readDockerConfig, robotMark } from '../kube/dockerconfigjson.js';
import { parseRegistry } from '../registry/endpoint.js';
import { CHECK_REPOSITORY, mayPull, verifyLogin } from '../registry/verify.js';
import { tlsSettings } from '../tls/roots.js';
import { translate } from '../translate.js';
import { forEach } from './each.js';
import { looksLikeRobot } from './robot-expiry.js';
import type { Session } from './session.js';

export interface StatusRequest {
  namespaces: NamespaceSelection;
  checkAccess: boolean;
  check: boolean;
  warnDays: number;
  caFile: string | undefined;
  insecure: boolean;
  parallel: number;
}

export interface StatusRow {
  namespace: string;
  secret: string;
  registry: string;
  user: string;
  kind: 'robot' | 'user';
  /** RFC 3339, "never", or null when unknown. */
  expiresAt: string | null;
  daysLeft: number | null;
  serviceAccounts: string[];
  /** With --check-access: yes, no (with why), or unknown (not checked / not Harbor). */
  authenticates: 'yes' | 'no' | 'unchecked';
  mayPull: 'yes' | 'no' | 'unknown' | 'unchecked';
  problem: string | null;
}

const DAY = 86_400_000;

/** The project a robot's name says it belongs to: `<prefix><project>+<name>`. */
const robotProject = (name: string): string | undefined => {
  const plus = name.indexOf('+');
  if (plus < 0) return undefined;
  const head = name.slice(0, plus);
  const m = /([a-z0-9]+(?:[._-][a-z0-9]+)*)$/.exec(head);
  return m?.[1];
};

function rowsOf(secret: V1Secret, serviceAccounts: string[]): StatusRow[] {
  const mark = robotMark(secret);
  const auths = readDockerConfig(secret).auths ?? {};
  return Object.keys(auths).map((registry) => {
    const user = entryCredentials(secret, registry).username;
    const robot = mark && mark.registry === registry && mark.name === user ? mark : undefined;
    const expiresAt = robot ? robot.expiresAt || null : null;
    const at = expiresAt && expiresAt !== 'never' ? Date.parse(expiresAt) : Number.NaN;
    return {
      namespace: secret.metadata?.namespace ?? '',
      secret: secret.metadata?.name ?? '',
      registry,
      user,
      kind: robot || looksLikeRobot(user) ? 'robot' : 'user',
      expiresAt,
      daysLeft: Number.isNaN(at) ? null : Math.floor((at - Date.now()) / DAY),
      serviceAccounts,
      authenticates: 'unchecked',
      mayPull: 'unchecked',
      problem: null,
    };
  });
}

async function namespaceRows(
  client: KubeClient,
  namespace: string,
): Promise<Array<{ row: StatusRow; secret: V1Secret }>> {
  const [secrets, sas] = await Promise.all([
    client.call(`listing pull secrets in namespace "${namespace}"`, () =>
      client.rest<V1SecretList>('GET', corePath(namespace, 'secrets'), {
        query: { labelSelector: `${MANAGED_BY}=${MANAGER}` },
      }),
    ),
    client.call(`listing serviceaccounts in namespace "${namespace}"`, () =>
      client.rest<Wire<V1ServiceAccountList>>('GET', corePath(namespace, 'serviceaccounts')),
    ),
  ]);
  return secrets.items
    .filter((x) => x.type === DOCKERCONFIGJSON)
    .flatMap((secret) => {
      const name = secret.metadata?.name;
      const bound = sas.items
        .filter((sa) => sa.imagePullSecrets?.some((r) => r.name === name))
        .map((sa) => sa.metadata?.name ?? '');
      return rowsOf(secret, bound).map((row) => ({ row, secret }));
    });
}

async function checkAccess(s: Session, r: StatusRequest, row: StatusRow, secret: V1Secret): Promise<void> {
  const o = {
    tls: tlsSettings({ caFile: r.caFile, insecure: r.insecure }, s.env),
    timeoutMs: s.timeoutMs,
    log: s.trace,
  };
  const creds = entryCredentials(secret, row.registry);
  try {
    const registry = parseRegistry(row.registry);
    const v = await verifyLogin(registry, creds, o);
    row.authenticates = 'yes';
    const project = row.kind === 'robot' ? robotProject(row.user) : undefined;
    if (v.via !== 'bearer' || !project) {
      row.mayPull = 'unknown';
      return;
    }
    row.mayPull = (await mayPull(registry, creds, v.realm, `${project}/${CHECK_REPOSITORY}`, o)) ? 'yes' : 'no';
    if (row.mayPull === 'no')
      row.problem = `may no longer pull from project "${project}" (expired, disabled, or its permission removed)`;
  } catch (e) {
    const err = translate(e, { doing: `checking ${row.user} at ${row.registry}` });
    if (!(err instanceof CliError)) throw err;
    row.authenticates = 'no';
    row.problem = err.message;
  }
}

function judge(row: StatusRow, warnDays: number): void {
  if (row.problem) return;
  if (row.daysLeft !== null && row.daysLeft < 0) row.problem = `expired on ${row.expiresAt}`;
  else if (row.daysLeft !== null && row.daysLeft <= warnDays)
    row.problem = `expires in ${row.daysLeft} days (${row.expiresAt})`;
}

export async function status(s: Session, r: StatusRequest): Promise<number> {
  const p = s.printer;
  const client = await s.kube();
  const namespaces = await resolveNamespaces(r.namespaces, client);
  const found = (
    await forEach(s, 'status', 'namespaces', namespaces, r.parallel, (ns) => namespaceRows(client, ns))
  ).flat();
  if (r.checkAccess) {
    await forEach(
      s,
      'status',
      'credentials',
      found.map((_, i) => String(i)),
      4,
      (i) => {
        const { row, secret } = found[Number(i)]!;
        return checkAccess(s, r, row, secret);
      },
    );
  }
  const rows = found.map((f) => f.row);
  for (const row of rows) judge(row, r.warnDays);
  await print(s, rows, r.checkAccess);
  const bad = rows.filter((x) => x.problem);
  if (bad.length) p.status(`status: ${bad.length} of ${rows.length} credentials need attention`);
  return r.check && bad.length ? 1 : 0;
}

async function print(s: Session, rows: StatusRow[], checked: boolean): Promise<void> {
  const p = s.printer;
  if (p.structured) {
    await p.document({ apiVersion: 'v1', kind: 'List', items: rows }, () => '');
    return;
  }
  if (rows.length === 0) {
    p.status('no pull secrets managed by kubectl-harbor');
    return;
  }
  const wide = p.output === 'wide';
  const expiry = (x: StatusRow) =>
    x.expiresAt === null ? '-' : x.expiresAt === 'never' ? 'never' : `${x.expiresAt.slice(0, 10)} (${x.daysLeft}d)`;
  p.table(
    [
      'NAMESPACE',
      'SECRET',
      'REGISTRY',
      'USER',
      'KIND',
      'EXPIRES',
      'SERVICEACCOUNTS',
      ...(checked ? ['AUTH', 'PULL'] : []),
      ...(wide ? ['PROBLEM'] : []),
    ],
    rows.map((x) => [
      x.namespace,
      x.secret,
      x.registry,
      x.user,
      x.kind,
      expiry(x),
      x.serviceAccounts.join(',') || '-',
      ...(checked ? [x.authenticates, x.mayPull] : []),
      ...(wide ? [x.problem ?? '-'] : []),
    ]),
  );
  if (!wide)
    for (const x of rows)
      if (x.problem) p.warn(`${x.namespace}/${x.secret} (${x.user} at ${x.registry}): ${x.problem}`);
}
