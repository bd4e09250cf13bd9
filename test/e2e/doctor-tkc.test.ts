// `kubectl harbor doctor` (issue 18) from a TKC context: a pod of the lab daemon's tkc-1
// pulls through its node's real containerd (CRI PullImage) and fails on containerd's own
// x509 error while the nodes lack the lab CA; doctor says ca-untrusted (the node's words
// confirm what this workstation sees; with --from-node, a handshake from the node against its
// own trust files says it), prints `kubectl harbor push-ca tkc-1 -n dev ...`, and running
// exactly that makes a fresh pod pull.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { before, describe, test } from 'node:test';
import { nodeExec } from '../../lab/nodes/nodes.js';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import { UNTRUST_NODE } from '../helpers/lab.js';
import type { Result } from '../helpers/run.js';

interface Finding {
  code: string;
  severity: string;
  evidence: string;
  fix: string[];
}
interface Pod {
  name: string;
  node: string;
  nodeKind: string;
  findings: Finding[];
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('kubectl harbor doctor: a TKC pod on real containerd', needsLab, () => {
  const h = e2e('doctor-tkc');
  const lab = labFixture(h, { admin: true });
  const run = `d${crypto.randomBytes(3).toString('hex')}`;
  const tkc = (): string => lab.info.cluster.name;
  const kubectl = (args: string[]): Promise<Result> => h.kubectl(['--context', tkc(), '-n', 'default', ...args]);
  const doctor = async (pod: string, extra: string[] = []): Promise<{ r: Result; pod: Pod }> => {
    const r = await h.harbor(['--context', tkc(), 'doctor', pod, '-n', 'default', '-o', 'json', ...extra]);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const pods = (JSON.parse(r.stdout) as { pods: Pod[] }).pods;
    assert.equal(pods.length, 1, r.stdout);
    return { r, pod: pods[0]! };
  };
  const startPod = async (name: string, image = lab.info.publicImage): Promise<void> => {
    const r = await kubectl(['run', name, `--image=${image}`, '--restart=Never']);
    assert.equal(r.code, 0, r.stderr);
  };
  /** Until the pod runs (true) or has a containerd pull failure event (false). */
  const outcome = async (name: string): Promise<boolean> => {
    for (let i = 0; i < 100; i++) {
      const phase = await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']);
      if (phase.stdout.trim() === 'Running') return true;
      const ev = await kubectl(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
      if (/Failed to pull image/.test(ev.stdout)) return false;
      await wait(200);
    }
    throw new Error(`pod ${name}: neither running nor failing`);
  };

  before(async () => {
    for (let i = 1; i <= lab.cfg.nodes; i++) {
      const r = await nodeExec(lab.cfg, i, ['sh', '-c', UNTRUST_NODE]);
      assert.equal(r.code, 0, r.stderr);
    }
    await startPod(`${run}-web`);
    assert.equal(await outcome(`${run}-web`), false, 'untrusted nodes: the pull fails');
  });

  test('ca-untrusted from containerd itself; --from-node says it from the trust of the node; the printed push-ca makes a fresh pod pull', async () => {
    const [{ r, pod }, viaNode, text] = await Promise.all([
      doctor(`${run}-web`),
      doctor(`${run}-web`, ['--from-node']),
      // As the demo's doctor step runs it: the text form, the context's namespace.
      h.harbor(['--context', tkc(), 'doctor', `${run}-web`]),
    ]);
    const fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.info.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;
    const fixLine = `kubectl harbor push-ca ${tkc()} -n ${lab.info.cluster.namespace} --from-registry ${lab.info.harbor} --fingerprint ${fp}`;
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /error ca-untrusted: /);
    assert.ok(text.stdout.includes(`fix: ${fixLine}`), text.stdout);
    // --from-node: the handshake from the pod's node, against that node's own trust files.
    assert.equal(viaNode.r.code, 1, viaNode.r.stderr);
    const n = viaNode.pod.findings[0]!;
    assert.equal(n.code, 'ca-untrusted', viaNode.r.stdout);
    assert.equal(n.severity, 'error');
    assert.match(
      n.evidence,
      /^from node \S+ \([\d.]+\) through the jumpbox, against its own trust \(\/etc\/.*\): verify error (19|20|21) /,
    );
    assert.deepEqual(n.fix, pod.findings[0]!.fix);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(pod.nodeKind, 'tkc-node');
    assert.match(pod.node, /\S/);
    const f = pod.findings[0]!;
    assert.equal(f.code, 'ca-untrusted', r.stdout);
    assert.equal(f.severity, 'error');
    assert.match(f.evidence, /the node reported: .*x509: certificate signed by unknown authority/);
    assert.match(
      f.fix[0]!,
      new RegExp(
        `^kubectl harbor push-ca ${tkc()} -n ${lab.info.cluster.namespace} --from-registry ${lab.info.harbor} --fingerprint sha256:[0-9a-f]{64}$`,
      ),
    );
    const fix = await h.harbor(['--context', tkc(), ...f.fix[0]!.replace(/^kubectl harbor /, '').split(' ')]);
    assert.equal(fix.code, 0, fix.stderr);
    await startPod(`${run}-fresh`);
    assert.equal(await outcome(`${run}-fresh`), true, 'after the fix a fresh pod pulls');
    // One after the other: a --from-node run removes the jumpbox it made when done.
    const again = await doctor(`${run}-fresh`, ['--ca-file', lab.info.ca, '--from-node']);
    const hereOnly = await doctor(`${run}-fresh`, ['--from-node']);
    assert.equal(again.r.code, 0, again.r.stdout);
    assert.deepEqual(again.pod.findings, [], 'the node verifies the chain now, and every other probe passes');
    // Without --ca-file this workstation does not trust the lab CA: not blamed on the node.
    assert.equal(hereOnly.r.code, 0, hereOnly.r.stdout);
    assert.deepEqual(
      hereOnly.pod.findings.map((x) => [x.code, x.severity]),
      [['unknown', 'warning']],
    );
    assert.match(hereOnly.pod.findings[0]!.evidence, /^TLS verifies from node .*, but not from this workstation/);
    await kubectl(['delete', 'pod', `${run}-web`, `${run}-fresh`, '--wait=false']);
  });

  test('ip-san-missing from containerd (pulled by IP from the certificate without an IP SAN); the name it holds pulls', async () => {
    // The nodes trust the lab CA now (the fix above); only the missing IP SAN remains.
    const byIp = `${lab.info.harborNoIpSan}/library/tiny:1`;
    await startPod(`${run}-ip`, byIp);
    assert.equal(await outcome(`${run}-ip`), false);
    const { r, pod } = await doctor(`${run}-ip`, ['--ca-file', lab.info.ca]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(pod.findings[0]?.code, 'ip-san-missing', r.stdout);
    assert.match(pod.findings[0]!.evidence, /it is valid for harbor\.lab: use harbor\.lab:\d+ instead/);
    assert.match(pod.findings[0]!.evidence, /the node reported: .*doesn't contain any IP SANs/);
    // The fix: name the registry by the name its certificate holds (the nodes resolve it).
    const port = lab.info.harborNoIpSan.split(':')[1];
    await startPod(`${run}-named`, `harbor.lab:${port}/library/tiny:1`);
    assert.equal(await outcome(`${run}-named`), true, 'by its name the image pulls');
    await kubectl(['delete', 'pod', `${run}-ip`, `${run}-named`, '--wait=false']);
  });
});
