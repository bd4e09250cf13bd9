// push-ca when things go wrong mid-run, with the built plugin against the lab's real nodes:
// Ctrl-C (SIGINT) and SIGTERM stop cleanly (in-flight nodes end, the rest are reported as
// skipped, the jumpbox pod is deleted, exit 130/143, no temp file left on a node); a
// jumpbox pod deleted under the run fails every unfinished node with a reason (exit 1,
// never a silent 0); a node that already trusts the CA under another file name gets only
// what it lacks, and no restart.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type LabConfig, netnsName } from '../../lab/config.js';
import type { LabInfo } from '../../lab/lab.js';
import { nodeExec, setFault } from '../../lab/nodes/nodes.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab, UNTRUST_NODE } from '../helpers/lab.js';
import { baseEnv, exec, PLUGIN, type Result, runAndActWhen } from '../helpers/run.js';

/** Every node without the lab CA, and without this file's slow awk. */
const RESET = `rm -f /usr/local/sbin/awk /tmp/harbor-test-started; ${UNTRUST_NODE}`;

/**
 * A node made slow: every awk (node-trust.sh calls it to compare certificates) first leaves
 * a mark that the script started on this node, then sleeps a second.
 */
const SLOW =
  'printf "#!/bin/sh\\ntouch /tmp/harbor-test-started\\nsleep 1\\nexec /usr/bin/awk \\"\\$@\\"\\n" > /usr/local/sbin/awk && chmod 755 /usr/local/sbin/awk';

describe('push-ca under faults', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let lab: LabInfo;
  let cfg: LabConfig;
  let home: string;
  const env = () => baseEnv({ HOME: home, KUBECONFIG: lab.adminKubeconfig });
  const args = (extra: string[]) => [
    '--context',
    lab.cluster.namespace,
    'push-ca',
    lab.cluster.name,
    '--ca-file',
    lab.ca,
    '--registry',
    lab.harbor,
    ...extra,
  ];
  const kubectl = (a: string[]): Promise<Result> =>
    exec('kubectl', ['--cache-dir', path.join(home, 'kcache'), '--context', lab.cluster.namespace, ...a], env());
  const onEvery = async (script: string) => {
    for (let i = 1; i <= cfg.nodes; i++) {
      const r = await nodeExec(cfg, i, ['sh', '-c', script]);
      assert.equal(r.code, 0, r.stderr);
    }
  };
  const restarts = async (i: number) =>
    ((await nodeExec(cfg, i, ['cat', '/var/log/systemctl.log'])).stdout.match(/systemctl restart containerd/g) ?? [])
      .length;
  const strayTempFiles = async () => {
    const found: string[] = [];
    for (let i = 1; i <= cfg.nodes; i++)
      found.push(
        ...(await nodeExec(cfg, i, ['find', '/etc', '-name', '.harbor.*'])).stdout.split('\n').filter(Boolean),
      );
    return found;
  };
  /** Wait until no node script (`sudo -n -- sh -s`) runs in any node's network namespace: one whose connection was lost goes on alone. */
  const scriptsEnded = async () => {
    for (let tries = 0; tries < 300; tries++) {
      let running = 0;
      for (let i = 1; i <= cfg.nodes; i++) {
        const pids = (await exec('ip', ['netns', 'pids', netnsName(cfg, i)], process.env)).stdout.split('\n');
        for (const pid of pids.filter(Boolean)) {
          const cmd = fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
          if (cmd.split('\0').join(' ').includes('sh -s')) running++;
        }
      }
      if (running === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('a node script is still running after 30 s');
  };
  const podGone = async () => (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.cluster.name}`])).code === 1;

  /** How many nodes the script has started on (the marks SLOW leaves). */
  const started = async () => {
    let n = 0;
    for (let i = 1; i <= cfg.nodes; i++)
      if ((await nodeExec(cfg, i, ['test', '-e', '/tmp/harbor-test-started'])).code === 0) n++;
    return n;
  };

  /**
   * The plugin as a child process, and `act` on it (a signal, a pod deletion) once the
   * script has started on a second node: with --parallel 1 the first node is then done and
   * the second one in flight.
   */
  const runWhile = (a: string[], act: (child: ChildProcess) => void): Promise<Result & { signalled: boolean }> =>
    runAndActWhen(PLUGIN, args(a), env(), async () => (await started()) >= 2, act);

  before(async () => {
    ({ info: lab, cfg } = await sharedLab());
  });
  beforeEach(async () => {
    // A fresh HOME: every node is a first connection, so stderr says when each one starts.
    if (home) fs.rmSync(home, { recursive: true, force: true });
    home = tempDir('harbor-pushca-faults-');
    await scriptsEnded();
    await onEvery(RESET);
  });
  after(async () => {
    if (cfg) await onEvery(RESET).catch(() => undefined);
    for (let i = 1; i <= (cfg?.nodes ?? 0); i++) await setFault(cfg, i, 'clear').catch(() => undefined);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('SIGINT after the first node: the node in flight ends, the last is skipped, the pod is deleted, exit 130', async () => {
    await onEvery(SLOW);
    const r = await runWhile(['--parallel', '1'], (child) => child.kill('SIGINT'));
    assert.equal(r.signalled, false, `the plugin handled the signal: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^tkc-1-/.test(l));
    assert.equal(rows.length, 3, r.stdout);
    assert.match(rows[0]!, /\sinstalled\s/, 'the first node was done');
    assert.match(rows[1]!, /\sinstalled\s/, 'the node in flight ended');
    assert.match(rows[2]!, /\sskipped \(interrupted\)\s/, 'the last node was never started');
    assert.match(r.stderr, /interrupted/);
    assert.match(r.stderr, /push-ca: 3 nodes: 2 installed, 1 skipped \(interrupted\)/);
    assert.ok(await podGone(), 'the jumpbox pod this run created is deleted');
    assert.deepEqual(await strayTempFiles(), []);
  });

  test('SIGTERM with -o json: the skipped node is in the document, exit 143', async () => {
    await onEvery(SLOW);
    const r = await runWhile(['--parallel', '1', '-o', 'json'], (child) => child.kill('SIGTERM'));
    assert.equal(r.code, 143, r.stderr);
    const nodes = JSON.parse(r.stdout).nodes as Array<{ node: string; result: string; error?: string }>;
    assert.deepEqual(
      nodes.map((n) => n.result),
      ['installed', 'installed', 'skipped'],
      r.stdout,
    );
    assert.equal(nodes[2]!.error, 'interrupted');
    assert.ok(await podGone());
    assert.deepEqual(await strayTempFiles(), []);
  });

  test('the jumpbox pod deleted mid-run: every unfinished node failed with a reason, the table printed, exit 1', async () => {
    await onEvery(SLOW);
    const r = await runWhile(['--parallel', '1'], () => {
      void kubectl(['delete', 'pod', `harbor-jumpbox-${lab.cluster.name}`, '--grace-period=0', '--force']);
    });
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const rows = r.stdout.split('\n').filter((l) => /^tkc-1-/.test(l));
    assert.equal(rows.length, 3, r.stdout);
    assert.match(rows[0]!, /\sinstalled\s/);
    assert.match(rows[1]!, /\sfailed\s/);
    assert.match(rows[2]!, /\sfailed\s/);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    assert.equal(errors.length, 2, r.stderr);
    for (const e of errors) assert.match(e, /jumpbox|relay|connection/, e);
    assert.match(r.stderr, /push-ca: 3 nodes: 1 installed, 2 failed/);
    assert.doesNotMatch(r.stderr, /internal error/);
    await scriptsEnded();
    assert.deepEqual(await strayTempFiles(), []);
  });

  test('a node that already trusts the CA under another file name gets only certs.d, no restart, the CA once', async () => {
    const pem = fs.readFileSync(lab.ca, 'utf8');
    for (let i = 1; i <= cfg.nodes; i++) {
      // What the manual procedure in the docs leaves behind, then the OS's own update.
      const plant =
        lab.nodes[i - 1]!.os === 'photon'
          ? 'cat > /etc/ssl/certs/harbor-ca.pem && rehash_ca_certificates.sh >/dev/null'
          : 'cat > /usr/local/share/ca-certificates/harbor-ca.crt && update-ca-certificates >/dev/null 2>&1';
      const r = await nodeExec(cfg, i, ['sh', '-c', plant], pem);
      assert.equal(r.code, 0, r.stderr);
    }
    const before = await Promise.all(lab.nodes.map((_, i) => restarts(i + 1)));
    const r = await exec(PLUGIN, args(['-o', 'json']), env());
    assert.equal(r.code, 0, r.stderr);
    const nodes = JSON.parse(r.stdout).nodes as Array<{ ip: string; restarted: boolean; changes: string[] }>;
    for (const n of nodes) {
      assert.deepEqual(n.changes, ['containerd-certs.d'], JSON.stringify(n));
      assert.equal(n.restarted, false, JSON.stringify(n));
    }
    assert.deepEqual(await Promise.all(lab.nodes.map((_, i) => restarts(i + 1))), before, 'containerd not restarted');
    const der = new crypto.X509Certificate(pem).raw.toString('base64');
    for (let i = 1; i <= cfg.nodes; i++) {
      const photon = lab.nodes[i - 1]!.os === 'photon';
      const bundle = photon ? '/etc/pki/tls/certs/ca-bundle.crt' : '/etc/ssl/certs/ca-certificates.crt';
      const text = (await nodeExec(cfg, i, ['cat', bundle])).stdout.replace(/[\r\n]/g, '');
      assert.equal(text.split(der).length - 1, 1, `node ${i}: the CA is in ${bundle} exactly once`);
      const own = photon
        ? `/etc/ssl/certs/${lab.harbor.replace(/:/g, '-')}.pem`
        : `/usr/local/share/ca-certificates/${lab.harbor.replace(/:/g, '-')}.crt`;
      assert.equal((await nodeExec(cfg, i, ['test', '-e', own])).code, 1, `node ${i}: no second copy at ${own}`);
    }
  });
});
