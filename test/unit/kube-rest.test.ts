// KubeClient.rest(): the plain-JSON path bind-sa takes (ServiceAccounts, namespaces). It must
// fail the way the typed clients fail (one translated line), keep every field the server sent,
// and log the same -v line. Against the in-process Supervisor emulator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SupervisorLab, startSupervisor, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { ApiError, NetworkError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { bindServiceAccount, serviceAccountNames, serviceAccountsEverywhere } from '../../src/kube/serviceaccounts.js';
import { getOptional } from '../../src/kube/write.js';
import { tempDir } from '../helpers/kubeconfig.js';

let sup: SupervisorLab;
let file: string;
const lines: string[] = [];
const make = (timeoutMs = 5000) =>
  new KubeClient(resolveTarget({ kubeconfig: file }, { env: {}, homedir: '/nonexistent' }), {
    timeoutMs,
    log: (l) => lines.push(l),
  });

before(async () => {
  sup = await startSupervisor({ namespaces: ['dev', 'qa'], clusters: [] });
  file = writeKubeconfig(tempDir(), sup.kubeconfig('admin'));
});
after(async () => {
  await sup?.close();
});

test('GET returns the object as sent; a missing one is undefined through getOptional; -v logs one line', async () => {
  const c = make();
  try {
    const sa = await c.rest<{ metadata: { name: string; creationTimestamp: unknown } }>(
      'GET',
      '/api/v1/namespaces/dev/serviceaccounts/default',
    );
    assert.equal(sa.metadata.name, 'default');
    assert.equal(typeof sa.metadata.creationTimestamp, 'string');
    const none = await getOptional(c, 'reading serviceaccount/nosuch', () =>
      c.rest('GET', '/api/v1/namespaces/dev/serviceaccounts/nosuch'),
    );
    assert.equal(none, undefined);
    assert.match(
      lines.at(-1) ?? '',
      /^GET https:\/\/\S+\/api\/v1\/namespaces\/dev\/serviceaccounts\/nosuch 404 in \d+ms$/,
    );
    assert.deepEqual(await serviceAccountNames(c, 'qa'), ['default']);
  } finally {
    c.close();
  }
});

test('server errors and timeouts become the same one-line errors as the typed clients', async () => {
  const c = make(300);
  try {
    sup.supervisor.faults.fail(1, 503);
    await assert.rejects(
      c.call('reading x', () => c.rest('GET', '/api/v1/namespaces/dev/serviceaccounts/default')),
      (e: unknown) => e instanceof ApiError && e.status === 503 && /^reading x: server answered 503/.test(e.message),
    );
    sup.supervisor.faults.latency(1000);
    await assert.rejects(
      c.call('reading y', () => c.rest('GET', '/api/v1/namespaces/dev/serviceaccounts/default')),
      (e: unknown) => e instanceof NetworkError && /^reading y: timed out talking to https:/.test(e.message),
    );
  } finally {
    sup.supervisor.faults.clear();
    c.close();
  }
});

test('bindServiceAccount through rest: conflicts retried, re-run unchanged, the typed shape returned', async () => {
  const c = make();
  try {
    sup.supervisor.faults.conflicts(2);
    const first = await bindServiceAccount(c, 'qa', 'default', ['harbor-pull']);
    assert.equal(first.action, 'bound');
    assert.ok(first.sa.metadata?.creationTimestamp instanceof Date, 'as the typed client returned it');
    assert.ok(first.sa.imagePullSecrets?.some((s) => s.name === 'harbor-pull'));
    const again = await bindServiceAccount(c, 'qa', 'default', ['harbor-pull']);
    assert.equal(again.action, 'unchanged');
  } finally {
    sup.supervisor.faults.clear();
    c.close();
  }
});

test('serviceAccountsEverywhere: one paged list by name; a stale one from it is retried on 409; no list, no map', async () => {
  const c = make();
  const lines: string[] = [];
  try {
    const all = await serviceAccountsEverywhere(c, 'default', (l) => lines.push(l));
    assert.ok(all && all.size >= 2, 'the default ServiceAccount of each namespace');
    assert.equal(all.get('qa')?.metadata?.name, 'default');
    const stale = all.get('qa')!;
    await bindServiceAccount(c, 'qa', 'default', ['other-pull']);
    // `stale` predates that write: its PUT is refused with 409, and the retry reads afresh.
    const b = await bindServiceAccount(c, 'qa', 'default', ['third-pull'], { current: stale });
    assert.equal(b.action, 'bound');
    const names = b.sa.imagePullSecrets?.map((s) => s.name) ?? [];
    assert.ok(names.includes('other-pull') && names.includes('third-pull'), 'nothing lost');
    sup.supervisor.faults.fail(1, 503, { path: /^\/api\/v1\/serviceaccounts$/ });
    assert.equal(await serviceAccountsEverywhere(c, 'default', (l) => lines.push(l)), undefined);
    assert.match(lines.join('\n'), /reading each instead/);
  } finally {
    sup.supervisor.faults.clear();
    c.close();
  }
});
