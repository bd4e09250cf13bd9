import { Command, Option } from 'clipanion';
import type { DoctorRequest } from '../app/doctor.js';
import { parseImage } from '../app/doctor-match.js';
import type { Session } from '../app/session.js';
import { UsageError } from '../errors.js';
import { checkObjectName } from '../names.js';
import type { OutputFormat } from '../output/printer.js';
import { BaseCommand } from './base.js';
import { nonEmpty } from './options.js';

export class DoctorCommand extends BaseCommand<DoctorRequest> {
  static override paths = [['doctor']];

  static override usage = Command.Usage({
    category: 'Registry',
    description: 'Say why a pod cannot pull its image, and the command that fixes it',
    details: `
      Reads the pod (with POD; without, every pod of the namespace whose containers wait in \`ErrImagePull\`/\`ImagePullBackOff\` or have pull-failure events), its images, its pull secrets (its own, else its ServiceAccount's), its node and its events, then probes the registry as the node would: TLS against the trust of the node kind (the Supervisor's \`image-fetcher-ca-bundle\` for a vSphere Pod; for a TKC node the system roots or \`--ca-file\`), each \`auths\` entry the kubelet would try, in its order (host and port exactly; a credential problem only when none pulls), the credential without a scope, the scope for the image's repository, and the manifest. Each finding names a code, the evidence and the fix as complete commands.

      \`--image REF\` without a pod asks whether a new pod of the namespace's \`default\` ServiceAccount could pull REF. Network findings are this workstation's view. \`--from-node\` (a TKC context) checks TLS by a handshake from one node of the pod's cluster, through the jumpbox, against that node's own trust (its system bundle and \`/etc/containerd/certs.d/<registry>\`); it does not apply to vSphere Pods. doctor changes nothing (\`--from-node\` makes the jumpbox pod for the check and removes it). Exit 0 when nothing is wrong, 1 when a problem was found.
    `,
    examples: [
      ['Why does this pod not start?', '$0 doctor web-7d9f -n dev'],
      ['Every failing pod, every namespace', '$0 doctor -A'],
      ['Before deploying', '$0 doctor --image harbor.example.com/apps/web:1.2 -n dev'],
      ["A TKC pod, TLS judged by its node's own trust", '$0 --context tkc-1 doctor web-7d9f -n default --from-node'],
    ],
  });

  pod = Option.String({ required: false, name: 'POD' });
  all = Option.Boolean('-A,--all-namespaces', false, {
    description: 'Every namespace except kube-* and vmware-system-*',
  });
  image = Option.String('--image', { description: 'Check this image (with no POD: for a new pod of the namespace)' });
  caFile = Option.String('--ca-file', {
    description: "For a TKC node: the registry's CA, instead of this workstation's system roots",
  });
  cluster = Option.String('--cluster', { description: 'The cluster push-ca fixes name (default: the TKC context)' });
  fromNode = Option.Boolean('--from-node', false, {
    description: "TLS from one node of the pod's cluster (through the jumpbox), against that node's own trust",
  });

  protected override outputFormats(): readonly OutputFormat[] {
    return ['json', 'yaml'];
  }

  protected request(): DoctorRequest {
    if (this.all && this.namespace !== undefined) throw new UsageError('use either -n/--namespace or -A, not both');
    if (this.all && this.pod !== undefined) throw new UsageError('a POD is in one namespace: use -n, not -A');
    if (this.all && this.image !== undefined && this.pod === undefined)
      throw new UsageError('--image without a POD checks one namespace: use -n, not -A');
    const image = nonEmpty('--image', this.image)?.trim();
    if (image !== undefined && !parseImage(image))
      throw new UsageError(`--image "${image}" is not an image reference, e.g. harbor.example.com/project/repo:tag`);
    return {
      pod: this.pod === undefined ? undefined : checkObjectName(this.pod, 'POD'),
      namespaces: this.all ? { kind: 'all', includeSystem: false } : { kind: 'context' },
      image,
      caFile: nonEmpty('--ca-file', this.caFile),
      cluster: nonEmpty('--cluster', this.cluster),
      fromNode: this.fromNode,
    };
  }

  protected async run(session: Session, request: DoctorRequest): Promise<number> {
    return (await import('../app/doctor.js')).doctor(session, request);
  }
}
