// Flags shared by the jumpbox commands: the pod (image, pull secrets, lifetime), the path
// to the nodes (through the pod, or --direct) and the host-key policy.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { BaseCommand } from './base.js';

export abstract class JumpboxBase extends BaseCommand {
  image = Option.String('--image', 'photon:3.0', { description: 'Jumpbox image: any image with nc or bash (air-gapped: one in the embedded Harbor)' });
  pullSecret = Option.Array('--pull-secret', { description: 'imagePullSecret for the jumpbox image (repeatable)' });
  ttl = Option.String('--ttl', '1h', { description: 'The jumpbox ends itself after this long (activeDeadlineSeconds)' });
  keep = Option.Boolean('--keep', false, { description: 'Keep a jumpbox this command created' });
  direct = Option.Boolean('--direct', false, { description: 'Connect to the nodes directly (this machine routes to them), no jumpbox' });
  acceptNewHostKey = Option.Boolean('--accept-new-host-key', false, { description: "Accept a node's changed host key (a rebuilt node)" });
  parallel = Option.String('--parallel', '10', { validator: t.applyCascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 64)]), description: 'Nodes worked on at once' });

  protected jumpboxFlags(): { image: string; pullSecrets: string[]; ttl: string; keep: boolean; direct: boolean; acceptNewHostKey: boolean; parallel: number } {
    return { image: this.image, pullSecrets: this.pullSecret ?? [], ttl: this.ttl, keep: this.keep, direct: this.direct, acceptNewHostKey: this.acceptNewHostKey, parallel: Number(this.parallel) };
  }
}
