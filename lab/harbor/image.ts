// A tiny image built by hand as an OCI layout (one layer, reproducible: sorted tar,
// mtime 0, gzip -n), then pushed with the real skopeo.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { must } from '../sh.js';

function blob(dir: string, data: Buffer): { digest: string; size: number } {
  const hex = crypto.createHash('sha256').update(data).digest('hex');
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

export async function buildImage(dir: string, tag: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(path.dirname(dir), '.image-'));
  try {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.mkdirSync(path.join(work, 'rootfs'));
    fs.writeFileSync(path.join(work, 'rootfs', 'hello.txt'), `hello from the kubectl-harbor lab, tag ${tag}\n`);
    await must('tar', [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mtime=@0',
      '-C',
      path.join(work, 'rootfs'),
      '-cf',
      path.join(work, 'layer.tar'),
      'hello.txt',
    ]);
    const tar = fs.readFileSync(path.join(work, 'layer.tar'));
    const diffId = `sha256:${crypto.createHash('sha256').update(tar).digest('hex')}`;
    await must('gzip', ['-n', '-9', path.join(work, 'layer.tar')]);
    const layer = blob(dir, fs.readFileSync(path.join(work, 'layer.tar.gz')));
    const config = blob(
      dir,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Cmd: ['/bin/cat', '/hello.txt'] },
          rootfs: { type: 'layers', diff_ids: [diffId] },
        }),
      ),
    );
    const manifest = blob(
      dir,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
        }),
      ),
    );
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
