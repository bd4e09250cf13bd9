// The probes of `doctor`, in the order a node's runtime meets the registry: TLS (against
// the trust of the node kind), the challenge, the credential without a scope (Harbor
// answers bad credentials with a scope as anonymous, so only a scope-less 401 says "bad
// credentials"), the scope for the image's repository (empty access: expired robot by
// its annotations, missing project by Harbor's API, else no permission), then the
// manifest. The first failure is the finding; later probes need the earlier ones to pass.
// With several matching `auths` entries each is tried, as the kubelet does: one that pulls
// means no finding, and a credential finding is reported only when every entry fails.
import { CliError } from '../errors.js';
import type { Registry } from '../registry/endpoint.js';
import {
  basicAuthorization,
  type ChallengeReply,
  challenge,
  leafProblems,
  manifest,
  ProbeError,
  projectStatus,
  token,
} from '../registry/probe.js';
import { tokenAccess, type VerifyOptions } from '../registry/verify.js';
import { fetchRegistryCa } from '../tls/fetch.js';
import type { CredChoice, Entry } from './doctor-creds.js';
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
export async function caFingerprint(host: string, timeoutMs: number): Promise<string | undefined> {
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

/** Codes about one credential: another matching entry may still pull. */
const CREDENTIAL_CODES = new Set(['bad-credentials', 'robot-expired', 'no-pull-permission', 'project-missing']);

async function steps(c: ProbeContext): Promise<Finding[]> {
  const { ref, choice, options: o, fix } = c;
  const registry: Registry = { host: ref.registry, plainHttp: false };
  const ch = await challenge(registry, o);
  if (ch.status === 401 && (ch.scheme === 'bearer' || ch.scheme === 'basic') && choice.kind === 'entry') {
    // As the kubelet does: each matching entry in turn; a credential problem only when none pulls.
    const failed: Finding[] = [];
    for (const entry of choice.entries) {
      const got = await withEntry(c, registry, ch, entry);
      if (got.length === 0) return [];
      if (!got.every((f) => CREDENTIAL_CODES.has(f.code))) return got;
      failed.push(...got);
    }
    return failed;
  }
  let authorization: string | undefined;
  if (ch.status === 401 && ch.scheme === 'bearer' && ch.realm) {
    const anon = await token(ch.realm, undefined, `repository:${ref.repository}:pull`, o);
    if (!pulls(anon.token, ref.repository)) return [noCredentials(c)];
    authorization = `Bearer ${anon.token}`;
  } else if (ch.status === 401 && ch.scheme === 'basic') {
    return [noCredentials(c)];
  } else if (ch.status !== 200) {
    return [finding('unknown', `GET https://${ref.registry}/v2/ answered HTTP ${ch.status}`, fix)];
  }
  return manifestFindings(c, registry, authorization);
}

/** The probes with one `auths` entry: the scope-less token, the scoped one, then the manifest. */
async function withEntry(c: ProbeContext, registry: Registry, ch: ChallengeReply, entry: Entry): Promise<Finding[]> {
  const { ref, options: o, fix } = c;
  const who = `"${entry.creds.username}" (secret ${entry.secret}, auths key ${entry.key})`;
  const f = { ...fix, secret: entry.secret, user: entry.creds.username };
  if (ch.scheme === 'basic') return manifestFindings(c, registry, basicAuthorization(entry.creds), f, who);
  if (!ch.realm)
    return [finding('unknown', `GET https://${ref.registry}/v2/: a Bearer challenge without a realm`, fix)];
  const plain = await token(ch.realm, entry.creds, undefined, o);
  if (plain.status === 401 || plain.status === 403) {
    if (entry.expiredAt) return [finding('robot-expired', `robot ${who} expired at ${entry.expiredAt}`, f)];
    return [finding('bad-credentials', `${ref.registry} refuses ${who} (token service: HTTP ${plain.status})`, f)];
  }
  const scoped = await token(ch.realm, entry.creds, `repository:${ref.repository}:pull`, o);
  if (!pulls(scoped.token, ref.repository)) return [await noAccess(c, registry, entry, who)];
  return manifestFindings(c, registry, `Bearer ${scoped.token}`, f, who);
}

async function manifestFindings(
  c: ProbeContext,
  registry: Registry,
  authorization: string | undefined,
  fix: FixContext = c.fix,
  who?: string,
): Promise<Finding[]> {
  const { ref, options: o } = c;
  const where = `${ref.registry}/${ref.repository}:${ref.reference}`;
  const status = await manifest(registry, ref.repository, ref.reference, authorization, o);
  if (status === 200) return [];
  if (status === 404) return [finding('image-not-found', `${where}: the manifest is not there (HTTP 404)`, fix)];
  if (status === 429) return [finding('rate-limited', `${where}: HTTP 429 Too Many Requests`, fix)];
  if (status === 412) return [finding('policy-blocked', `${where}: HTTP 412 Precondition Failed`, fix)];
  if (status === 401 || status === 403) {
    const as = who ? ` to ${who}` : '';
    return [finding('no-pull-permission', `${where}: the registry refused the manifest${as} (HTTP ${status})`, fix)];
  }
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
    { ...fix, secret: choice.missing[0] },
  );
}

async function noAccess(c: ProbeContext, registry: Registry, entry: Entry, who: string): Promise<Finding> {
  const { ref, fix, options } = c;
  const f = { ...fix, secret: entry.secret, user: entry.creds.username };
  if (entry.expiredAt) return finding('robot-expired', `robot ${who} expired at ${entry.expiredAt}`, f);
  const project = projectOf(ref.repository);
  if ((await projectStatus(registry, entry.creds, project, options)) === 404)
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
