// The probes of `doctor`, in the order a node's runtime meets the registry: TLS (against
// the trust of the node kind), the challenge, the credential without a scope (Harbor
// answers bad credentials with a scope as anonymous, so only a scope-less 401 says "bad
// credentials"), the scope for the image's repository (empty access: expired robot by
// its annotations, missing project by Harbor's API, else no permission), then the
// manifest. The first failure is the finding; later probes need the earlier ones to pass.
import { CliError } from '../errors.js';
import type { Registry } from '../registry/endpoint.js';
import {
  basicAuthorization,
  challenge,
  leafProblems,
  manifest,
  ProbeError,
  projectStatus,
  token,
} from '../registry/probe.js';
import { tokenAccess, type VerifyOptions } from '../registry/verify.js';
import { fetchRegistryCa } from '../tls/fetch.js';
import type { CredChoice } from './doctor-creds.js';
import { type ImageRef, projectOf } from './doctor-match.js';
import { type Finding, type FixContext, finding } from './doctor-verdict.js';

export interface ProbeContext {
  ref: ImageRef;
  choice: CredChoice;
  options: VerifyOptions;
  /** Where the trust came from, for the evidence line. */
  trustFrom: string;
  /** false when the node's own trust could not be read: TLS findings are then warnings. */
  trustCertain: boolean;
  fix: FixContext;
}

const pulls = (tok: string | undefined, repository: string): boolean =>
  !!tok &&
  tokenAccess(tok).some(
    (a) => a.type === 'repository' && a.name === repository && a.actions.some((x) => x === 'pull' || x === '*'),
  );

/** The registry CA's fingerprint as `trust --from-registry` would pin it, or undefined. */
async function caFingerprint(host: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const got = await fetchRegistryCa(host, timeoutMs || 10_000);
    return (got.certs.find((c) => c.isCa && c.selfSigned) ?? got.certs.at(-1))?.fingerprint;
  } catch {
    return undefined;
  }
}

export async function probe(c: ProbeContext): Promise<Finding[]> {
  try {
    return await steps(c);
  } catch (e) {
    if (!(e instanceof ProbeError)) {
      if (e instanceof CliError) return [finding('unknown', e.message, c.fix)];
      throw e;
    }
    const net = ['dns', 'unreachable', 'timeout'].includes(e.probe);
    if (net) return [finding(e.probe, `${e.message} (as this workstation sees it)`, c.fix)];
    const severity = c.trustCertain ? 'error' : 'warning';
    const first = finding(e.probe, `${e.message}; trust: ${c.trustFrom}`, c.fix, severity);
    if (e.probe !== 'ca-untrusted') return [first];
    c.fix.fingerprint = await caFingerprint(c.ref.registry, c.options.timeoutMs);
    first.fix = finding(e.probe, '', c.fix).fix;
    const more = await leafProblems(c.ref.registry, c.options.timeoutMs);
    return [first, ...more.map((m) => finding(m.probe, m.message, c.fix))];
  }
}

async function steps(c: ProbeContext): Promise<Finding[]> {
  const { ref, choice, options: o, fix } = c;
  const registry: Registry = { host: ref.registry, plainHttp: false };
  const where = `${ref.registry}/${ref.repository}:${ref.reference}`;
  const ch = await challenge(registry, o);
  let authorization: string | undefined;
  if (ch.status === 401 && ch.scheme === 'bearer' && ch.realm) {
    const scope = `repository:${ref.repository}:pull`;
    if (choice.kind === 'none') {
      const anon = await token(ch.realm, undefined, scope, o);
      if (!pulls(anon.token, ref.repository)) return [noCredentials(c)];
      authorization = `Bearer ${anon.token}`;
    } else {
      const who = `"${choice.creds.username}" (secret ${choice.secret}, auths key ${choice.key})`;
      const f = { ...fix, secret: choice.secret, user: choice.creds.username };
      const plain = await token(ch.realm, choice.creds, undefined, o);
      if (plain.status === 401 || plain.status === 403) {
        if (choice.expiredAt) return [finding('robot-expired', `robot ${who} expired at ${choice.expiredAt}`, f)];
        return [finding('bad-credentials', `${ref.registry} refuses ${who} (token service: HTTP ${plain.status})`, f)];
      }
      const scoped = await token(ch.realm, choice.creds, scope, o);
      if (!pulls(scoped.token, ref.repository)) return [await noAccess(c, registry, who)];
      authorization = `Bearer ${scoped.token}`;
    }
  } else if (ch.status === 401 && ch.scheme === 'basic') {
    if (choice.kind === 'none') return [noCredentials(c)];
    authorization = basicAuthorization(choice.creds);
  } else if (ch.status !== 200) {
    return [finding('unknown', `GET https://${ref.registry}/v2/ answered HTTP ${ch.status}`, fix)];
  }
  const status = await manifest(registry, ref.repository, ref.reference, authorization, o);
  if (status === 200) return [];
  if (status === 404) return [finding('image-not-found', `${where}: the manifest is not there (HTTP 404)`, fix)];
  if (status === 429) return [finding('rate-limited', `${where}: HTTP 429 Too Many Requests`, fix)];
  if (status === 412) return [finding('policy-blocked', `${where}: HTTP 412 Precondition Failed`, fix)];
  if (status === 401 || status === 403)
    return [finding('no-pull-permission', `${where}: the registry refused the manifest (HTTP ${status})`, fix)];
  return [finding('unknown', `${where}: the manifest request answered HTTP ${status}`, fix)];
}

function noCredentials(c: ProbeContext): Finding {
  const { choice, ref, fix } = c;
  if (choice.kind !== 'none') throw new Error('noCredentials with a credential');
  const project = `project "${projectOf(ref.repository)}" is not public`;
  if (choice.unbound) {
    const sa = `pod ${fix.pod ?? '-'} nor ServiceAccount ${fix.serviceAccount}`;
    return finding(
      'sa-unbound',
      `secret ${choice.unbound} holds credentials for ${ref.registry}, but neither ${sa} references it; ${project}`,
      { ...fix, secret: choice.unbound },
    );
  }
  if (choice.nearMiss) {
    const m = choice.nearMiss;
    return finding(
      'secret-host-mismatch',
      `secret ${m.secret} has credentials for "${m.key}", not "${ref.registry}": containerd matches host and port exactly; ${project}`,
      { ...fix, secret: m.secret, user: m.user },
    );
  }
  const missing = choice.missing.length ? `; referenced but missing: ${choice.missing.join(', ')}` : '';
  return finding(
    'no-credentials',
    `no pull secret of the pod has credentials for ${ref.registry}${missing}; ${project}`,
    fix,
  );
}

async function noAccess(c: ProbeContext, registry: Registry, who: string): Promise<Finding> {
  const { choice, ref, fix, options } = c;
  if (choice.kind !== 'entry') throw new Error('noAccess without a credential');
  const f = { ...fix, secret: choice.secret, user: choice.creds.username };
  if (choice.expiredAt) return finding('robot-expired', `robot ${who} expired at ${choice.expiredAt}`, f);
  const project = projectOf(ref.repository);
  if ((await projectStatus(registry, choice.creds, project, options)) === 404)
    return finding(
      'project-missing',
      `${ref.registry} says project "${project}" does not exist (HTTP 404 to ${who})`,
      f,
    );
  return finding(
    'no-pull-permission',
    `${who} authenticates at ${ref.registry} but the token for repository:${ref.repository}:pull grants no pull`,
    f,
  );
}
