// The Supervisor's trust for vSphere Pods: ConfigMap kube-system/image-fetcher-ca-bundle,
// key ca-bundle, a PEM bundle with no names. Existing certificates stay first, byte for
// byte (CRLF too); one already present is not added again; removal is by fingerprint.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { corePath, typedConfigMap } from '../kube/wire.js';
import { getOptional, isNotFound, update } from '../kube/write.js';
import { certificatesIn, damageNote } from '../tls/pem.js';
import { editBundle } from './lists.js';
import type { ApplyOptions, Change, Entry, TrustedCa, TrustStore } from './store.js';

export const BUNDLE = { namespace: 'kube-system', name: 'image-fetcher-ca-bundle', key: 'ca-bundle' } as const;
const WHERE = `configmap/${BUNDLE.name} in namespace "${BUNDLE.namespace}"`;

const notSupervisor = (): CliError =>
  new CliError(
    'NOT_SUPERVISOR',
    `${WHERE} does not exist: --supervisor needs a vSphere Supervisor context (kubectl vsphere login --server …)`,
  );

export class SupervisorStore implements TrustStore {
  readonly label = 'supervisor';

  constructor(private readonly client: KubeClient) {}

  private readonly path = corePath(BUNDLE.namespace, 'configmaps', BUNDLE.name);

  /** As the server sent it (its timestamps are strings; none is read). */
  private read(): Promise<V1ConfigMap> {
    return this.client.rest('GET', this.path);
  }

  async list(warn: (line: string) => void = () => undefined): Promise<TrustedCa[]> {
    const cm = await getOptional(this.client, `reading ${WHERE}`, () => this.read());
    if (!cm) throw notSupervisor();
    const bundle = cm.data?.[BUNDLE.key] ?? '';
    const damaged = damageNote(bundle, WHERE);
    if (damaged) warn(damaged);
    return certificatesIn(bundle).map((cert) => ({ name: '-', cert }));
  }

  async apply(entries: Entry[], o: ApplyOptions): Promise<Change[]> {
    const notes: string[] = [];
    try {
      const r = await update<V1ConfigMap>(this.client, {
        doing: `updating ${WHERE}`,
        read: () => this.read(),
        modify: (cm) => {
          const damaged = damageNote(cm.data?.[BUNDLE.key] ?? '', WHERE);
          if (damaged && !notes.includes(damaged)) notes.push(damaged);
          const next = editBundle(cm.data?.[BUNDLE.key] ?? '', entries, o.remove);
          return next === undefined ? undefined : { ...cm, data: { ...(cm.data ?? {}), [BUNDLE.key]: next } };
        },
        write: (body, dryRun) =>
          this.client.rest('PUT', this.path, { body, query: { dryRun, fieldManager: FIELD_MANAGER } }),
        dryRun: o.dryRun,
      });
      return [
        {
          // As the typed client returned it (field order, Dates): what -o json|yaml printed before.
          object: { apiVersion: 'v1', kind: 'ConfigMap', ...typedConfigMap(r.object) },
          action: r.changed ? 'configured' : 'unchanged',
          notes,
        },
      ];
    } catch (e) {
      if (isNotFound(e)) throw notSupervisor();
      throw e;
    }
  }
}
