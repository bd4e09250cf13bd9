// `kubectl harbor push-ca`: the built plugin, through the lab daemon's Supervisor and the
// jumpbox tunnel, onto real nodes (Photon-like and Ubuntu-like) with real containerd;
// kubelet-style CRI pulls are the judge.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import { UNTRUST_NODE } from '../helpers/lab.js';
import type { Result } from '../helpers/run.js';
import { criPull } from '../../lab/cri.js';
import { nodeExec, setFault } from '../../lab/nodes/nodes.js';
import { makeCert, makeCa } from '../../lab/pki.js';

describe('kubectl harbor push-ca', needsLab, () => {
  const h = e2e('pushca');
  const lab = labFixture(h, { admin: true, clusterContext: true, clearFaults: true });
  let fp: string;
  const push = (args: string[]): Promise<Result> => h.harbor(['push-ca', lab.info.cluster.name, ...args]);
  const pullAll = async () =>
    Promise.all(
      lab.info.nodes.map((n) =>
        criPull(n.containerdSocket, lab.info.image, { username: 'admin', password: lab.info.users.admin! }),
      ),
    );
  const restarts = async (i: number) =>
    (
      (await nodeExec(lab.cfg, i, ['cat', '/var/log/systemctl.log'])).stdout.match(/systemctl restart containerd/g) ??
      []
    ).length;

  before(async () => {
    fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.info.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;
    // Start from untrusted nodes, whatever an earlier run left behind.
    for (let i = 1; i <= lab.cfg.nodes; i++) {
      const r = await nodeExec(lab.cfg, i, ['sh', '-c', UNTRUST_NODE]);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  test('bad CAs and a wrong pin change nothing on any node', async () => {
    const leaf = path.join(h.home, 'leaf.pem');
    fs.writeFileSync(leaf, makeCert({ cn: 'leaf', issuer: makeCa('x') }).certPem);
    const notCa = await push(['--ca-file', leaf, '--registry', lab.info.harbor]);
    assert.equal(notCa.code, 1);
    assert.match(notCa.stderr, /is not a CA/);
    const pin = await push(['--from-registry', lab.info.harbor, '--fingerprint', `sha256:${'1'.repeat(64)}`]);
    assert.equal(pin.code, 1);
    assert.match(pin.stderr, /not the pinned/);
    for (const r of await pullAll()) assert.equal(r.ok, false, 'still untrusted everywhere');
  });

  test('--dry-run reports what each node would change and changes nothing', async () => {
    const r = await push(['--from-registry', lab.info.harbor, '--fingerprint', fp, '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stdout.match(/would-install/g) ?? []).length, lab.info.nodes.length, r.stdout);
    for (const x of await pullAll()) assert.equal(x.ok, false);
  });

  test('one node unreachable: the others get the CA, exit 1; a re-run after it returns fixes only it', async () => {
    await setFault(lab.cfg, 3, 'unreachable');
    const before = [await restarts(1), await restarts(2)];
    const r = await push([
      '--from-registry',
      lab.info.harbor,
      '--fingerprint',
      fp,
      '--request-timeout',
      '5s',
      '-o',
      'json',
    ]);
    await setFault(lab.cfg, 3, 'clear');
    assert.equal(r.code, 1);
    const rows = JSON.parse(r.stdout).nodes as Array<{
      ip: string;
      result: string;
      restarted: boolean;
      verified: string;
      changes: string[];
    }>;
    const by = (ip: string) => rows.find((x) => x.ip === ip)!;
    assert.equal(by(lab.info.nodes[0]!.ip).result, 'installed');
    assert.equal(by(lab.info.nodes[1]!.ip).result, 'installed');
    assert.equal(by(lab.info.nodes[2]!.ip).result, 'failed');
    assert.equal(by(lab.info.nodes[0]!.ip).restarted, true, 'the system bundle changed: containerd restarted');
    assert.equal(by(lab.info.nodes[0]!.ip).verified, 'yes');
    assert.ok(
      by(lab.info.nodes[1]!.ip).changes.includes('ubuntu-ca-certificates'),
      JSON.stringify(by(lab.info.nodes[1]!.ip)),
    );
    assert.ok(by(lab.info.nodes[0]!.ip).changes.includes('photon-rehash'));
    assert.deepEqual([await restarts(1), await restarts(2)], [before[0]! + 1, before[1]! + 1]);
    const pulls = await pullAll();
    assert.deepEqual(
      pulls.map((p) => p.ok),
      [true, true, false],
    );
    const again = await push(['--from-registry', lab.info.harbor, '--fingerprint', fp, '-o', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout).nodes as Array<{ ip: string; result: string }>;
    assert.deepEqual(
      lab.info.nodes.map((n) => second.find((x) => x.ip === n.ip)!.result),
      ['unchanged', 'unchanged', 'installed'],
    );
    for (const p of await pullAll()) assert.equal(p.ok, true, JSON.stringify(p));
  });

  test('a second run is unchanged everywhere and restarts nothing; the host /etc is untouched', async () => {
    const hostBundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt');
    const before = await Promise.all(lab.info.nodes.map((_, i) => restarts(i + 1)));
    const r = await push(['--from-registry', lab.info.harbor, '--fingerprint', fp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NODE\s+ROLE\s+IP\s+RESULT\s+RESTARTED\s+VERIFIED/);
    assert.equal((r.stdout.match(/unchanged\s+no\s+yes/g) ?? []).length, lab.info.nodes.length, r.stdout);
    assert.deepEqual(await Promise.all(lab.info.nodes.map((_, i) => restarts(i + 1))), before);
    assert.ok(fs.readFileSync('/etc/ssl/certs/ca-certificates.crt').equals(hostBundle));
    const bundle = (await nodeExec(lab.cfg, 1, ['cat', '/etc/pki/tls/certs/ca-bundle.crt'])).stdout;
    const body = fs.readFileSync(lab.info.ca, 'utf8').split(/\r?\n/)[3]!;
    assert.equal(bundle.split(body).length - 1, 1, 'the CA is in the Photon bundle exactly once');
    assert.ok(
      (await nodeExec(lab.cfg, 1, ['test', '-f', `/etc/containerd/certs.d/${lab.info.harbor}/hosts.toml`])).code === 0,
    );
  });

  test('Ubuntu: what update-ca-certificates would do, done directly; the tool itself where the node has hooks', async () => {
    const node2 = lab.info.nodes[1]!.ip;
    const one = async (): Promise<string[]> => {
      const r = await push(['--from-registry', lab.info.harbor, '--fingerprint', fp, '--nodes', node2, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout).nodes as Array<{ changes: string[] }>)[0]!.changes;
    };
    const sh = async (script: string): Promise<string> => {
      const r = await nodeExec(lab.cfg, 2, ['sh', '-c', script], fs.readFileSync(lab.info.ca, 'utf8'));
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    await sh(UNTRUST_NODE);
    assert.ok((await one()).includes('ubuntu-ca-certificates'));
    // The tool, run afterwards, finds nothing to add, and its rebuilt bundle keeps the CA; the
    // hash links find it (openssl -CApath) as they would after the tool.
    assert.match(await sh('update-ca-certificates 2>&1 | grep added'), /0 added, 0 removed/);
    const body = fs.readFileSync(lab.info.ca, 'utf8').split(/\r?\n/)[3]!;
    assert.ok((await sh('cat /etc/ssl/certs/ca-certificates.crt')).includes(body));
    assert.match(await sh('cat > /tmp/lab-ca.pem; openssl verify -CApath /etc/ssl/certs /tmp/lab-ca.pem'), /: OK/);
    // With a hook (a Java keystore, say), the tool runs, and so does the hook.
    await sh(UNTRUST_NODE);
    await sh(
      'mkdir -p /etc/ca-certificates/update.d && printf "#!/bin/sh\\ncat > /tmp/hook-ran\\n" > /etc/ca-certificates/update.d/lab-hook && chmod 755 /etc/ca-certificates/update.d/lab-hook',
    );
    try {
      assert.ok((await one()).includes('ubuntu-update-ca-certificates'));
      assert.match(await sh('cat /tmp/hook-ran'), /^\+\/etc\/ssl\/certs\/.*\.pem$/m);
    } finally {
      await sh('rm -f /etc/ca-certificates/update.d/lab-hook /tmp/hook-ran /tmp/lab-ca.pem');
    }
    for (const p of await pullAll()) assert.equal(p.ok, true, JSON.stringify(p));
  });

  test('a node whose containerd has no config_path gets the system bundle and a restart, and pulls', async () => {
    const node3 = lab.info.nodes[2]!.ip;
    const sh = async (script: string): Promise<string> => {
      const r = await nodeExec(lab.cfg, 3, ['sh', '-c', script]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    await sh(
      `${UNTRUST_NODE}; cp /etc/containerd/config.toml /root/config.toml.lab; sed -i '/config_path/d' /etc/containerd/config.toml; systemctl restart containerd`,
    );
    try {
      const before = await restarts(3);
      const r = await push(['--from-registry', lab.info.harbor, '--fingerprint', fp, '--nodes', node3, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const row = (JSON.parse(r.stdout).nodes as Array<{ restarted: boolean; changes: string[] }>)[0]!;
      assert.equal(row.restarted, true, JSON.stringify(row));
      assert.ok(!row.changes.includes('containerd-certs.d'), JSON.stringify(row));
      assert.equal(await restarts(3), before + 1);
      const pull = await criPull(lab.info.nodes[2]!.containerdSocket, lab.info.image, {
        username: 'admin',
        password: lab.info.users.admin!,
      });
      assert.equal(pull.ok, true, JSON.stringify(pull));
    } finally {
      await sh(
        'cp /root/config.toml.lab /etc/containerd/config.toml && rm /root/config.toml.lab && systemctl restart containerd',
      );
    }
  });

  test('sudo denied and a read-only /etc fail on that node alone, with a clear line', async () => {
    const other = path.join(h.home, 'other-ca.pem');
    fs.writeFileSync(other, makeCa('Another registry CA').certPem);
    await setFault(lab.cfg, 2, 'deny-sudo');
    await setFault(lab.cfg, 3, 'readonly-etc');
    try {
      const r = await push(['--ca-file', other, '--registry', 'other.example:5000', '-o', 'json']);
      assert.equal(r.code, 1);
      const rows = JSON.parse(r.stdout).nodes as Array<{ ip: string; result: string; error?: string }>;
      assert.equal(rows.find((x) => x.ip === lab.info.nodes[0]!.ip)!.result, 'installed');
      assert.match(rows.find((x) => x.ip === lab.info.nodes[1]!.ip)!.error ?? '', /sudo was denied/);
      assert.match(rows.find((x) => x.ip === lab.info.nodes[2]!.ip)!.error ?? '', /Read-only file system/);
    } finally {
      await setFault(lab.cfg, 2, 'clear');
      await setFault(lab.cfg, 3, 'clear');
    }
  });
});
