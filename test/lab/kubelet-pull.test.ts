// The lab daemon's kubelet stand-ins pull for real: a TKC pod through its node's containerd
// (CRI PullImage with the pod's pull secrets), a vSphere Pod through the Supervisor's image
// fetcher against image-fetcher-ca-bundle. The events carry the runtime's own error text,
// and a fixed cause makes the pod pull on the next retry. 429 and 412 come from the lab
// Harbor's lab/ratelimited and lab/blocked.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { nodeExec } from '../../lab/nodes/nodes.js';
import type { LabInfo } from '../../lab/lab.js';
import type { LabConfig } from '../../lab/config.js';
import { canRunLab, sharedLab, UNTRUST_NODE } from '../helpers/lab.js';

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

function client(kubeconfig: string, context: string): Api {
  const kc = parse(fs.readFileSync(kubeconfig, 'utf8'));
  const ctx = kc.contexts.find((c: any) => c.name === context).context;
  const server = kc.clusters.find((c: any) => c.name === ctx.cluster).cluster.server as string;
  const token = kc.users.find((u: any) => u.name === ctx.user).user.token as string;
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        `${server}${path}`,
        {
          method,
          rejectUnauthorized: false,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(text
              ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
              : {}),
          },
        },
        (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? JSON.parse(data) : undefined }));
        },
      );
      req.on('error', reject);
      req.end(text);
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dockerconfig = (registry: string, username: string, password: string) => ({
  '.dockerconfigjson': Buffer.from(
    JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }),
  ).toString('base64'),
});

/** Pods in `ns` through `api`: create, then wait for Running or a pull failure. */
function pods(api: () => Api, ns: string) {
  const made: string[] = [];
  after(async () => {
    for (const name of made) await api()('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`).catch(() => undefined);
  });
  const run = async (image: string, o: { secret?: string; nodeName?: string } = {}): Promise<string> => {
    const name = `p-${crypto.randomBytes(3).toString('hex')}`;
    const r = await api()('POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name },
      spec: {
        containers: [{ name: 'c', image }],
        ...(o.secret ? { imagePullSecrets: [{ name: o.secret }] } : {}),
        ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    made.push(name);
    return name;
  };
  const settle = async (name: string, want: 'Running' | 'Failed' = 'Failed'): Promise<any> => {
    for (let i = 0; i < 300; i++) {
      const p = (await api()('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).body;
      const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (p.status?.phase === 'Running' || (want === 'Failed' && waiting === 'ErrImagePull')) return p;
      await sleep(100);
    }
    throw new Error(`pod ${name} never got ${want}`);
  };
  const failure = async (name: string): Promise<string> => {
    const sel = encodeURIComponent(`involvedObject.name=${name},type=Warning`);
    const ev = (await api()('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${sel}`)).body.items;
    return ev.map((e: any) => e.message).find((m: string) => m.startsWith('Failed to pull image')) ?? '';
  };
  const fails = async (image: string, o: { secret?: string } = {}): Promise<string> => {
    const name = await run(image, o);
    const p = await settle(name);
    assert.notEqual(p.status.phase, 'Running', `${image} should not pull`);
    return failure(name);
  };
  return { run, settle, failure, fails };
}

describe('the lab kubelets pull for real', { skip: canRunLab ? false : 'needs root for the lab' }, () => {
  let cfg: LabConfig;
  let info: LabInfo;
  let tkc: Api;
  let sup: Api;
  let bundle: string;
  const certsD = (on: boolean) =>
    Promise.all(
      info.nodes.map((_, k) =>
        nodeExec(
          cfg,
          k + 1,
          [
            'sh',
            '-c',
            on
              ? `mkdir -p /etc/containerd/certs.d/${info.harbor} && cat > /etc/containerd/certs.d/${info.harbor}/ca.crt`
              : 'rm -rf /etc/containerd/certs.d/*',
          ],
          on ? fs.readFileSync(info.ca, 'utf8') : undefined,
        ),
      ),
    );

  before(async () => {
    ({ cfg, info } = await sharedLab());
    tkc = client(info.adminKubeconfig, info.cluster.name);
    sup = client(info.adminKubeconfig, info.cluster.namespace);
    // Untrusted nodes, whatever an earlier run left behind (as push-ca.test.ts starts).
    for (let i = 1; i <= cfg.nodes; i++) {
      assert.equal((await nodeExec(cfg, i, ['sh', '-c', UNTRUST_NODE])).code, 0);
    }
    const secrets = {
      good: ['robot$lab+puller', 'robot-lab-puller-0001'],
      wrongpw: ['reader', 'not-the-password'],
      expired: ['robot$lab+old', 'robot-lab-old-0001'],
    };
    for (const [api, ns] of [
      [tkc, 'default'],
      [sup, info.cluster.namespace],
    ] as const) {
      for (const [name, [u, pw]] of Object.entries(secrets))
        await api('POST', `/api/v1/namespaces/${ns}/secrets`, {
          metadata: { name: `pull-${name}` },
          type: 'kubernetes.io/dockerconfigjson',
          data: dockerconfig(info.harbor, u!, pw!),
        });
      await api('POST', `/api/v1/namespaces/${ns}/secrets`, {
        metadata: { name: 'pull-otherhost' },
        type: 'kubernetes.io/dockerconfigjson',
        data: dockerconfig(`harbor.lab:${info.harbor.split(':')[1]}`, 'robot$lab+puller', 'robot-lab-puller-0001'),
      });
    }
    const cm = await sup('GET', '/api/v1/namespaces/kube-system/configmaps/image-fetcher-ca-bundle');
    bundle = cm.body.data['ca-bundle'];
  });
  after(async () => {
    if (!sup) return;
    await sup('PATCH', '/api/v1/namespaces/kube-system/configmaps/image-fetcher-ca-bundle', {
      data: { 'ca-bundle': bundle },
    }).catch(() => undefined);
  });

  describe("a TKC pod, through its node's containerd", () => {
    const p = pods(() => tkc, 'default');
    const image = () => info.image;

    test("an untrusted registry: containerd's x509 text; the CA in certs.d makes the retry pull", async () => {
      const name = await p.run(image(), { secret: 'pull-good' });
      const pod = await p.settle(name);
      const msg = await p.failure(name);
      assert.equal(
        msg.startsWith(
          `Failed to pull image "${image()}": failed to pull and unpack image "${image()}": failed to resolve reference "${image()}": `,
        ),
        true,
        msg,
      );
      assert.match(
        msg,
        /failed to do request: Head "https:\/\/[^"]+\/v2\/lab\/tiny\/manifests\/1": (tls: failed to verify certificate: )?x509: certificate signed by unknown authority$/,
      );
      assert.match(
        pod.status.containerStatuses[0].state.waiting.message,
        /x509: certificate signed by unknown authority/,
      );
      const node = info.nodes.find((n) => n.name === pod.spec.nodeName);
      assert.ok(node, `scheduled on a lab node, not ${pod.spec.nodeName}`);
      assert.equal(pod.status.hostIP, node.ip);
      await certsD(true);
      const ran = await p.settle(name, 'Running');
      assert.equal(ran.status.phase, 'Running');
    });

    test('with trust: a good secret runs, on the node named in spec.nodeName', async () => {
      await certsD(true);
      const name = await p.run(image(), { secret: 'pull-good', nodeName: 'n2' });
      const pod = await p.settle(name, 'Running');
      assert.equal(pod.spec.nodeName, 'n2');
      assert.equal(pod.status.hostIP, info.nodes[1]!.ip);
    });

    test('credentials: wrong password, expired robot, unbound secret, secret for another host', async () => {
      await certsD(true);
      for (const secret of ['pull-wrongpw', 'pull-expired', undefined, 'pull-otherhost']) {
        const msg = await p.fails(image(), { secret });
        assert.match(
          msg,
          /pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed/,
          `${secret}: ${msg}`,
        );
      }
    });

    test('a missing tag is not found; lab/ratelimited is 429, lab/blocked 412', async () => {
      await certsD(true);
      const at = (repo: string) => `${info.harbor}/${repo}`;
      assert.match(
        await p.fails(at('lab/tiny:nope'), { secret: 'pull-good' }),
        /: failed to resolve reference "[^"]+": [^ ]+\/lab\/tiny:nope: not found$/,
      );
      assert.match(await p.fails(at('lab/ratelimited:1'), { secret: 'pull-good' }), /429 Too Many Requests/);
      assert.match(await p.fails(at('lab/blocked:1'), { secret: 'pull-good' }), /412 Precondition Failed/);
    });

    test("images elsewhere (the jumpbox's photon:3.0) are taken as present", async () => {
      const pod = await p.settle(await p.run('photon:3.0'), 'Running');
      assert.equal(pod.status.phase, 'Running');
    });
  });

  describe("a vSphere Pod, through the Supervisor's image fetcher", () => {
    const p = pods(() => sup, 'dev');
    const setBundle = (pem: string) =>
      sup('PATCH', '/api/v1/namespaces/kube-system/configmaps/image-fetcher-ca-bundle', { data: { 'ca-bundle': pem } });

    test('x509 until the CA is in image-fetcher-ca-bundle, then the retry pulls', async () => {
      await setBundle(fs.readFileSync(info.otherCa, 'utf8'));
      const name = await p.run(info.image, { secret: 'pull-good' });
      await p.settle(name);
      const msg = await p.failure(name);
      assert.match(
        msg,
        /failed to do request: Head "https:\/\/.*\/v2\/lab\/tiny\/manifests\/1": tls: failed to verify certificate: x509: certificate signed by unknown authority/,
      );
      await setBundle(`${fs.readFileSync(info.otherCa, 'utf8')}${fs.readFileSync(info.ca, 'utf8')}`);
      assert.equal((await p.settle(name, 'Running')).status.phase, 'Running');
    });

    test('credentials, a missing tag, 429 and 412, as a registry client says them', async () => {
      await setBundle(fs.readFileSync(info.ca, 'utf8'));
      for (const secret of ['pull-wrongpw', 'pull-expired', undefined, 'pull-otherhost'])
        assert.match(await p.fails(info.image, { secret }), /pull access denied.*insufficient_scope/, String(secret));
      const at = (repo: string) => `${info.harbor}/${repo}`;
      assert.match(await p.fails(at('lab/tiny:nope'), { secret: 'pull-good' }), /: not found$/);
      assert.match(await p.fails(at('lab/ratelimited:1'), { secret: 'pull-good' }), /429 Too Many Requests/);
      assert.match(await p.fails(at('lab/blocked:1'), { secret: 'pull-good' }), /412 Precondition Failed/);
    });
  });
});
