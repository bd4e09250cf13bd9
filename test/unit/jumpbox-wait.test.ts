// Waiting for the jumpbox pod to run: a spinner meanwhile, stopped before the call returns
// or throws; an abort (Ctrl-C) stops the wait at once and deletes the pod this call created.
// Against the in-process Supervisor emulator, whose kubelet here takes a minute to start a pod.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SupervisorLab, startSupervisor, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { ensureJumpbox, readJumpbox } from '../../src/kube/jumpbox.js';
import { tempDir } from '../helpers/kubeconfig.js';

let sup: SupervisorLab;
let client: KubeClient;

before(async () => {
  sup = await startSupervisor({ server: { kubelet: { startDelayMs: 60_000 } } });
  const file = writeKubeconfig(tempDir(), sup.kubeconfig('admin'));
  client = new KubeClient(resolveTarget({ kubeconfig: file }, { env: {}, homedir: '/nonexistent' }), {
    timeoutMs: 5000,
  });
});
after(async () => {
  client?.close();
  await sup?.close();
});

test('an abort while the pod starts: interrupted, the spinner stopped, the pod it created deleted', async () => {
  const spins: string[] = [];
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  await assert.rejects(
    ensureJumpbox(client, 'dev', 'tkc-1', {
      image: 'photon:3.0',
      pullSecrets: [],
      ttlSeconds: 60,
      signal: ac.signal,
      spin: async (text) => {
        spins.push(text);
        return { stop: () => spins.push('stopped') };
      },
    }),
    /^CliError: interrupted while waiting for pod\/harbor-jumpbox-tkc-1 in namespace "dev" to run$/,
  );
  assert.deepEqual(spins, ['waiting for pod/harbor-jumpbox-tkc-1 to run', 'stopped']);
  const left = await readJumpbox(client, 'dev', 'tkc-1');
  assert.ok(!left || left.metadata?.deletionTimestamp, 'deleted (or being deleted)');
});
