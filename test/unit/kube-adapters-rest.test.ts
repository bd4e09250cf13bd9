// The kube adapters on KubeClient.rest() against the in-process Supervisor emulator: pull
// secrets (created, unchanged on a re-run, robot entries replaced, taken out), jumpbox pods
// (created, listed in one namespace and in all, deleted), the Harbor Supervisor Service, and
// what each returns (pull secrets in the typed client's shape, as -o json|yaml printed them).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SupervisorLab, startSupervisor, writeKubeconfig } from '../../lab/apiserver/supervisor.js';
import { KubeClient } from '../../src/kube/client.js';
import { resolveTarget } from '../../src/kube/config.js';
import { findHarborService } from '../../src/kube/harborservice.js';
import { deleteJumpbox, jumpboxName, jumpboxPod, listJumpboxes, readJumpbox } from '../../src/kube/jumpbox.js';
import {
  readPullSecret,
  removeFromPullSecret,
  replaceRobotEntry,
  robotSecrets,
  upsertPullSecret,
} from '../../src/kube/pullsecret.js';
import { tempDir } from '../helpers/kubeconfig.js';

let sup: SupervisorLab;
let file: string;
const lines: string[] = [];
const make = () =>
  new KubeClient(resolveTarget({ kubeconfig: file }, { env: {}, homedir: '/nonexistent' }), {
    timeoutMs: 5000,
    log: (l) => lines.push(l),
  });
const entry = (username: string, password: string) => ({
  username,
  password,
  auth: Buffer.from(`${username}:${password}`).toString('base64'),
});

before(async () => {
  sup = await startSupervisor({ namespaces: ['dev', 'qa'], clusters: [] });
  file = writeKubeconfig(tempDir(), sup.kubeconfig('admin'));
});
after(async () => {
  await sup?.close();
});

test('pull secrets through rest: created, unchanged on a re-run, robot entry replaced, taken out', async () => {
  const c = make();
  const robot = { registry: 'harbor.test', id: 7, name: 'robot$p+ci', expiresAt: 'never' };
  try {
    const o = { overwrite: false, dryRun: undefined, robot };
    const first = await upsertPullSecret(c, 'pull', 'dev', 'harbor.test', entry('robot$p+ci', 'one'), o);
    assert.equal(first.action, 'created');
    assert.ok(first.secret.metadata?.creationTimestamp instanceof Date, "printed in the typed client's shape");
    const again = await upsertPullSecret(c, 'pull', 'dev', 'harbor.test', entry('robot$p+ci', 'one'), o);
    assert.equal(again.action, 'unchanged');
    const found = await robotSecrets(c, 'dev');
    assert.deepEqual(
      found.map((x) => [x.secret.metadata?.name, x.robot]),
      [['pull', robot]],
    );
    assert.ok(
      lines.some((l) => /^GET \S+\/api\/v1\/namespaces\/dev\/secrets\?labelSelector=\S+ 200 in \d+ms$/.test(l)),
    );
    const replaced = await replaceRobotEntry(c, 'pull', 'dev', robot, entry('robot$p+ci', 'two'), undefined);
    assert.equal(replaced.action, 'configured');
    assert.equal(
      (await replaceRobotEntry(c, 'pull', 'dev', robot, entry('robot$p+ci', 'two'), undefined)).action,
      'unchanged',
    );
    const other = { ...robot, name: 'robot$p+other' };
    await assert.rejects(
      replaceRobotEntry(c, 'pull', 'dev', other, entry('robot$p+other', 'x'), undefined),
      /no longer holds robot "robot\$p\+other" for harbor.test \(it holds "robot\$p\+ci"\); not touching it/,
    );
    assert.equal((await removeFromPullSecret(c, 'pull', 'dev', 'harbor.test', undefined)).action, 'deleted');
    assert.equal((await removeFromPullSecret(c, 'pull', 'dev', 'harbor.test', undefined)).action, 'unchanged');
  } finally {
    c.close();
  }
});

test('upsertPullSecret with a read made earlier: stale or absent by now, nothing is lost', async () => {
  const c = make();
  const o = { overwrite: false, dryRun: undefined };
  try {
    // Read as absent, created by someone else since: the POST gets AlreadyExists, then a merge.
    const absent = readPullSecret(c, 'early', 'dev');
    assert.equal(await absent, undefined);
    await upsertPullSecret(c, 'early', 'dev', 'other.test', entry('u1', 'p1'), o);
    const merged = await upsertPullSecret(c, 'early', 'dev', 'harbor.test', entry('u2', 'p2'), { ...o, read: absent });
    assert.equal(merged.action, 'configured');
    // Read, then changed by someone else: the PUT from the stale copy gets 409 and reads afresh.
    const stale = readPullSecret(c, 'early', 'dev');
    await stale;
    await upsertPullSecret(c, 'early', 'dev', 'third.test', entry('u3', 'p3'), o);
    const last = await upsertPullSecret(c, 'early', 'dev', 'harbor.test', entry('u4', 'p4'), { ...o, read: stale });
    assert.equal(last.action, 'configured');
    const auths = JSON.parse(Buffer.from(last.secret.data!['.dockerconfigjson']!, 'base64').toString()).auths;
    assert.deepEqual(Object.keys(auths).sort(), ['harbor.test', 'other.test', 'third.test']);
    assert.equal(auths['harbor.test'].username, 'u4');
  } finally {
    c.close();
  }
});

test('jumpbox pods through rest: listed in one namespace and in all, read, deleted once', async () => {
  const c = make();
  const o = { image: 'relay:1', pullSecrets: [], ttlSeconds: 60 };
  try {
    for (const ns of ['dev', 'qa']) {
      await c.rest('POST', `/api/v1/namespaces/${ns}/pods`, { body: jumpboxPod(ns, `tkc-${ns}`, o) });
    }
    assert.deepEqual(
      (await listJumpboxes(c, 'dev')).map((p) => p.metadata?.name),
      [jumpboxName('tkc-dev')],
    );
    const all = (await listJumpboxes(c, undefined)).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort();
    assert.deepEqual(all, [`dev/${jumpboxName('tkc-dev')}`, `qa/${jumpboxName('tkc-qa')}`]);
    assert.equal((await readJumpbox(c, 'qa', 'tkc-qa'))?.spec?.activeDeadlineSeconds, 60);
    assert.equal(await readJumpbox(c, 'qa', 'tkc-none'), undefined);
    assert.equal(await deleteJumpbox(c, 'qa', 'tkc-qa'), true);
    assert.ok(
      lines.some((l) => /^DELETE \S+\/pods\/harbor-jumpbox-tkc-qa\?gracePeriodSeconds=1 200 in \d+ms$/.test(l)),
    );
    assert.equal(await deleteJumpbox(c, 'qa', 'tkc-none'), false);
    await deleteJumpbox(c, 'dev', 'tkc-dev');
  } finally {
    c.close();
  }
});

test('findHarborService through rest: none on a Supervisor without it', async () => {
  const c = make();
  try {
    assert.equal(await findHarborService(c), undefined);
  } finally {
    c.close();
  }
});
