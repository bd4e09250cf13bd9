// The jumpbox pod spec (a relay only: non-root, no capabilities, read-only, no token, a
// deadline, pull secrets, our labels), its name, and the relay command (the IP travels as
// $0, nothing is interpolated into the script), and the command line sent to a node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { remoteCommand } from '../../src/app/jumpbox-exec.js';
import { jumpboxCluster, jumpboxName, jumpboxPod } from '../../src/kube/jumpbox.js';
import { relayCommand } from '../../src/ssh/tunnel.js';
import { tempDir } from '../helpers/kubeconfig.js';

const pod = jumpboxPod('dev', 'tkc-1', { image: 'photon:3.0', pullSecrets: [], ttlSeconds: 1800 });

test('jumpboxPod: non-root, every capability dropped, no privilege escalation, read-only root', () => {
  assert.equal(pod.spec!.securityContext!.runAsNonRoot, true);
  assert.equal(pod.spec!.securityContext!.runAsUser, 65534);
  assert.deepEqual(pod.spec!.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
  const c = pod.spec!.containers[0]!;
  assert.deepEqual(c.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  assert.deepEqual(c.resources?.requests, { cpu: '10m', memory: '16Mi' });
});

test('jumpboxPod: no ServiceAccount token; the deadline is --ttl, and so is the sleep; never restarted', () => {
  assert.equal(pod.spec!.automountServiceAccountToken, false);
  assert.equal(pod.spec!.activeDeadlineSeconds, 1800);
  assert.deepEqual(pod.spec!.containers[0]!.command, ['sleep', '1800']);
  assert.equal(pod.spec!.restartPolicy, 'Never');
});

test('jumpboxPod: pull secrets only when given; the image as given', () => {
  assert.equal('imagePullSecrets' in pod.spec!, false);
  const air = jumpboxPod('dev', 'tkc-1', {
    image: '10.0.0.5/library/busybox:1.36',
    pullSecrets: ['a', 'b'],
    ttlSeconds: 60,
  });
  assert.deepEqual(air.spec!.imagePullSecrets, [{ name: 'a' }, { name: 'b' }]);
  assert.equal(air.spec!.containers[0]!.image, '10.0.0.5/library/busybox:1.36');
});

test('jumpboxPod: name, namespace and labels (managed-by, component, cluster)', () => {
  assert.equal(pod.metadata!.name, 'harbor-jumpbox-tkc-1');
  assert.equal(pod.metadata!.namespace, 'dev');
  assert.deepEqual(pod.metadata!.labels, {
    'app.kubernetes.io/managed-by': 'kubectl-harbor',
    'app.kubernetes.io/component': 'jumpbox',
    'kubectl-harbor/cluster': 'tkc-1',
  });
  assert.equal(jumpboxCluster(pod), 'tkc-1');
});

test('jumpboxName: at most 63 characters, never ending in - or .', () => {
  const long = jumpboxName(`${'a'.repeat(47)}-b`);
  assert.ok(long.length <= 63);
  assert.doesNotMatch(long, /[-.]$/);
  assert.equal(jumpboxName('tkc-1'), 'harbor-jumpbox-tkc-1');
});

test('relayCommand: sh -c with a fixed script; the IP is the last argument ($0) and never in the script', () => {
  const evil = '1.2.3.4; touch /tmp/pwned $(id)';
  const cmd = relayCommand(evil);
  assert.deepEqual(cmd.slice(0, 2), ['sh', '-c']);
  assert.equal(cmd[3], evil);
  assert.equal(cmd.length, 4);
  assert.ok(!cmd[2]!.includes('1.2.3.4'));
  assert.equal(cmd[2], relayCommand('10.0.0.1')[2], 'the script does not depend on the IP');
  assert.match(cmd[2]!, /exec nc "\$0" 22/);
  assert.match(relayCommand('10.0.0.1', 2222)[2]!, /nc "\$0" 2222/);
});

test('relayCommand: run by a real sh, nc receives the IP as one word, untouched', async () => {
  const dir = tempDir('harbor-relay-');
  try {
    const out = path.join(dir, 'args');
    fs.writeFileSync(path.join(dir, 'nc'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${out}\n`, {
      mode: 0o755,
    });
    const evil = '10.0.0.1 $(touch pwned) `id` ;x';
    const [file, ...args] = relayCommand(evil);
    await promisify(execFile)(file!, args, { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin` } });
    assert.deepEqual(fs.readFileSync(out, 'utf8').split('\n').filter(Boolean), [evil, '22']);
    assert.equal(fs.existsSync(path.join(dir, 'pwned')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('remoteCommand: words quoted for the remote shell, through sudo -n when asked', () => {
  assert.equal(remoteCommand(['hostname'], false), 'hostname');
  assert.equal(remoteCommand(['sh', '-c', "echo 'hi' $HOME"], false), `sh -c 'echo '\\''hi'\\'' $HOME'`);
  assert.equal(
    remoteCommand(['systemctl', 'is-active', 'containerd'], true),
    'sudo -n -- systemctl is-active containerd',
  );
});
