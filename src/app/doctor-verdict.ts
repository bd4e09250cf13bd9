// The verdict of `doctor`: each finding has a code, a severity, the evidence line it
// rests on and the fix as complete commands with the real names filled in (a line that
// starts with `#` is advice where no command of ours fixes it). A password goes on stdin
// (`--password-stdin`, the line says whose), never in argv. A credential fix writes where the
// kubelet looks: the pod's own pull secret when it lists any (read again at the next retry),
// else a secret bound to the ServiceAccount, and the pod is recreated (admission copies the
// ServiceAccount's pull secrets only into new pods).
//
// | code                 | meaning                                                                  | fix                                   |
// | -------------------- | ------------------------------------------------------------------------ | ------------------------------------- |
// | ca-untrusted         | the registry's chain does not verify against the trust of the node kind  | trust --supervisor / push-ca          |
// | ip-san-missing       | the image names the registry by an IP its certificate has no SAN for     | use a name the certificate holds      |
// | name-mismatch        | the certificate is not valid for the image's host name                   | re-issue the certificate              |
// | cert-expired         | the registry's certificate has expired (or is not yet valid)             | renew the certificate                 |
// | plain-http           | the registry speaks HTTP where the node speaks HTTPS                     | TLS on the registry                   |
// | no-credentials       | no pull secret of the pod has an `auths` entry for the registry          | robot create                          |
// | secret-host-mismatch | an entry exists for the same host on another port (or none): unused      | login for the exact host:port         |
// | sa-unbound           | a pull secret for the registry exists in the namespace, unreferenced     | bind-sa, then recreate the pod        |
// | bad-credentials      | the registry refuses the entry's user and password (scope-less token)    | login again / robot create            |
// | robot-expired        | the entry is a robot that expired (annotations, or Harbor says)          | robot create                          |
// | no-pull-permission   | the credential authenticates but may not pull from the project           | robot create (pull on the project)    |
// | project-missing      | Harbor says the image's project does not exist                           | fix the image name                    |
// | image-not-found      | the manifest (tag or digest) is not in the repository                    | fix the tag, or push it               |
// | policy-blocked       | Harbor 412: a project policy (vulnerability, signature) blocks the pull  | the project's policy                  |
// | rate-limited         | 429 from the registry                                                    | wait, or a mirror                     |
// | dns                  | the registry's name does not resolve (as this workstation sees it)       | DNS                                   |
// | unreachable          | refused, reset or no route (as this workstation sees it)                 | network / registry                    |
// | timeout              | no answer in time (as this workstation sees it)                          | network / registry                    |
// | unknown              | the node failed to pull and no probe found why; as a warning also: only  | the event text                        |
// |                      | Back-off events, --from-node could not reach a node, or TLS verifies     |                                       |
// |                      | from the node but not from this workstation (pass --ca-file)             |                                       |
//
// With --from-node the TLS and network codes rest on a handshake from one node of the
// cluster against that node's own trust (doctor-node.ts), and their evidence says so.
// A finding that is a warning because the node's trust could not be read (a TKC node without
// --ca-file or --from-node) becomes an error when the node's own pull event says the same.
import { defaultSecretName } from '../registry/endpoint.js';

export const CODES = [
  'ca-untrusted',
  'ip-san-missing',
  'name-mismatch',
  'cert-expired',
  'plain-http',
  'no-credentials',
  'secret-host-mismatch',
  'sa-unbound',
  'bad-credentials',
  'robot-expired',
  'no-pull-permission',
  'project-missing',
  'image-not-found',
  'policy-blocked',
  'rate-limited',
  'dns',
  'unreachable',
  'timeout',
  'unknown',
] as const;
export type Code = (typeof CODES)[number];
export type Severity = 'error' | 'warning' | 'info';
export type NodeKind = 'vsphere-pod' | 'tkc-node' | 'node';

export interface Finding {
  code: Code;
  severity: Severity;
  evidence: string;
  fix: string[];
}

/** The names a fix is written with. */
export interface FixContext {
  registry: string;
  project: string;
  namespace: string;
  serviceAccount: string;
  /** The pod, when there is one: ServiceAccount pull secrets reach only pods created after. */
  pod: string | undefined;
  nodeKind: NodeKind;
  /** For push-ca: the cluster of a TKC context (or --cluster). */
  cluster: string | undefined;
  /** The cluster's vSphere Namespace, when a TKC context is used (push-ca needs it there as -n). */
  clusterNamespace?: string | undefined;
  /** The registry CA's fingerprint, when it could be fetched. */
  fingerprint?: string | undefined;
  /** The secret the finding is about. */
  secret?: string | undefined;
  /** The user of the `auths` entry the finding is about. */
  user?: string | undefined;
  /** Whose view a network finding is (default: this workstation's). */
  seenFrom?: string | undefined;
  /**
   * The pod's own imagePullSecrets, when it lists any: the kubelet then never reads the
   * ServiceAccount's, so a credential fix writes into one of these (read again at the next retry).
   */
  podSecrets?: string[] | undefined;
  /** The pod has a controller (ownerReferences controller: true) that makes a new one when it is deleted. */
  podOwned?: boolean | undefined;
}

const H = 'kubectl harbor';

/**
 * A new pod of the same spec: its controller makes one when it is deleted; a pod without one is
 * deleted and created again from its own manifest (`replace --force`), else it would be gone.
 */
function recreate(c: FixContext): string[] {
  if (!c.pod) return [];
  if (c.podOwned) return [`kubectl delete pod ${c.pod} -n ${c.namespace}`];
  return [`kubectl get pod ${c.pod} -n ${c.namespace} -o yaml | kubectl replace --force -f -`];
}

function trustFix(c: FixContext): string[] {
  const pin = c.fingerprint ? ` --fingerprint ${c.fingerprint}` : '';
  if (c.nodeKind === 'vsphere-pod') return [`${H} trust --supervisor --from-registry ${c.registry}${pin}`];
  const cluster = c.cluster ?? '# name the cluster with --cluster:';
  const ns = c.clusterNamespace ? ` -n ${c.clusterNamespace}` : '';
  return [`${H} push-ca ${cluster}${ns} --from-registry ${c.registry}${pin}`];
}

/** Harbor's built-in system admin: the credential robot create needs (a project admin's works too). */
const HARBOR_ADMIN = 'admin';

/**
 * Where a credential fix writes: into the pod's own pull secret when it lists any (the kubelet
 * reads it again at its next retry, nothing to recreate); else into a secret bound to the
 * ServiceAccount, which reaches only pods created after, so the pod is recreated.
 */
function target(c: FixContext, secret: string | undefined): { flags: string; after: string[] } {
  const own = c.podSecrets?.length ? (secret && c.podSecrets.includes(secret) ? secret : c.podSecrets[0]) : undefined;
  if (own) return { flags: ` --secret-name ${own} --overwrite`, after: [] };
  const named = secret ? ` --secret-name ${secret} --overwrite` : '';
  return { flags: ` --bind-sa ${c.serviceAccount}${named}`, after: recreate(c) };
}

/** The password travels on stdin, never in argv: the line says whose. */
const stdin = (user: string): string => ` -u ${user} --password-stdin  # the password of ${user} on stdin`;

/** A pull-only robot of the project, named after the namespace (a second robot create of one name is refused). */
function robotCreate(c: FixContext, secret?: string): string[] {
  const t = target(c, secret);
  const cmd = `${H} robot create ${c.registry} --project ${c.project} --name ${c.namespace} -n ${c.namespace}`;
  return [`${cmd}${t.flags}${stdin(HARBOR_ADMIN)}`, ...t.after];
}

function login(c: FixContext, user: string, secret?: string): string[] {
  const t = target(c, secret);
  return [`${H} login ${c.registry} -n ${c.namespace}${t.flags}${stdin(user)}`, ...t.after];
}

export function fixFor(code: Code, c: FixContext): string[] {
  switch (code) {
    case 'ca-untrusted':
      return trustFix(c);
    case 'ip-san-missing':
      return ['# name the registry by a host name its certificate holds, or re-issue it with this IP as a SAN'];
    case 'name-mismatch':
      return [`# re-issue the registry certificate with ${c.registry.replace(/:\d+$/, '')} as a SAN`];
    case 'cert-expired':
      return [`# renew the certificate of ${c.registry}`];
    case 'plain-http':
      return [`# serve ${c.registry} over HTTPS: the node's runtime speaks HTTPS to it`];
    case 'no-credentials':
      return robotCreate(c, c.secret);
    case 'sa-unbound':
      return [`${H} bind-sa ${c.secret} ${c.serviceAccount} -n ${c.namespace}`, ...recreate(c)];
    case 'secret-host-mismatch':
      return login(c, c.user ?? HARBOR_ADMIN, c.podSecrets?.length ? c.secret : undefined);
    case 'bad-credentials':
      return login(c, c.user ?? HARBOR_ADMIN, c.secret ?? defaultSecretName(c.registry));
    case 'robot-expired':
    case 'no-pull-permission':
      return robotCreate(c, c.podSecrets?.length ? c.secret : undefined);
    case 'project-missing':
      return [`# project "${c.project}" does not exist on ${c.registry}: correct the image, or create the project`];
    case 'image-not-found':
      return ['# correct the image tag or repository, or push the image'];
    case 'policy-blocked':
      return [`# a policy of project "${c.project}" blocks the pull (vulnerability or signature): see Harbor`];
    case 'rate-limited':
      return ['# wait, or pull through a mirror'];
    case 'dns':
    case 'unreachable':
    case 'timeout':
      return [
        `# check the network between the nodes and ${c.registry} (${c.seenFrom ? `as ${c.seenFrom} sees it` : "this is the workstation's view"})`,
      ];
    default:
      return [];
  }
}

export function finding(code: Code, evidence: string, c: FixContext, severity: Severity = 'error'): Finding {
  return { code, severity, evidence, fix: fixFor(code, c) };
}

/** 0 when nothing is wrong, 1 when any finding is an error. */
export const exitCodeOf = (findings: readonly Finding[]): number =>
  findings.some((f) => f.severity === 'error') ? 1 : 0;
