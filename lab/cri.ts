// A kubelet-style image pull (CRI PullImage over a node's containerd socket), so tests see
// what a real kubelet would: certs.d applies at once, a system bundle change only after
// containerd restarts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cri.proto');

export async function criPull(
  socket: string,
  image: string,
  auth?: { username: string; password: string },
): Promise<{ ok: true; ref: string } | { ok: false; error: string }> {
  const def = loader.loadSync(PROTO, { keepCase: false, longs: String });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    runtime: { v1: { ImageService: grpc.ServiceClientConstructor } };
  };
  const client = new pkg.runtime.v1.ImageService(`unix://${socket}`, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.PullImage!(
        { image: { image }, ...(auth ? { auth } : {}) },
        { deadline: Date.now() + 30_000 },
        (err: grpc.ServiceError | null, res: { imageRef: string }) => {
          resolve(err ? { ok: false, error: err.details || err.message } : { ok: true, ref: res.imageRef });
        },
      );
    });
  } finally {
    client.close();
  }
}
