// npm run demo [-- --keep]: the whole story against the lab, with the real kubectl and the
// built plugin, each command printed before its output, each step checked.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labConfig, paths } from '../lab/config.js';
import { criPull } from '../lab/cri.js';
import { down, status, up } from '../lab/lab.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const cfg = labConfig();
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'harbor-demo-'));
fs.symlinkSync(path.join(root, 'plugin/kubectl-harbor'), path.join(bin, 'kubectl-harbor'));
const bold = (s: string): string => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[1m${s}\x1b[0m` : s);
const rows: Array<{ step: string; result: string; ms: number }> = [];
let failed = false;

const wasUp = (await status(cfg)).up;
process.stdout.write(
  bold(
    wasUp
      ? '# the lab is already up; using it\n'
      : '# booting the lab (registry, Supervisor and TKC API, SSH nodes with containerd)\n',
  ),
);
const { info: lab, ms } = await up(cfg, (s) => process.stdout.write(`# ${s}\n`));
if (!wasUp) process.stdout.write(`# lab up in ${(ms / 1000).toFixed(1)} s\n`);
const env = {
  PATH: `${bin}:${process.env.PATH}`,
  HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'harbor-demo-home-')),
  KUBECONFIG: lab.adminKubeconfig,
  NO_COLOR: process.env.NO_COLOR ?? '',
};
const fp = `sha256:${new crypto.X509Certificate(fs.readFileSync(lab.ca)).fingerprint256.replace(/:/g, '').toLowerCase()}`;

/** Run one command line as the reader would type it; show it and its output. */
function sh(line: string, input?: string): Promise<{ code: number; out: string }> {
  process.stdout.write(`\n${bold(`$ ${line}`)}\n`);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    for (const s of [child.stdout, child.stderr]) {
      s.on('data', (d: Buffer) => {
        out += d.toString();
        process.stdout.write(d);
      });
    }
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
    child.stdin.end(input ?? '');
  });
}

async function step(name: string, fn: () => Promise<string>): Promise<void> {
  const t0 = Date.now();
  try {
    rows.push({ step: name, result: await fn(), ms: Date.now() - t0 });
  } catch (e) {
    failed = true;
    rows.push({ step: name, result: `FAILED: ${(e as Error).message}`, ms: Date.now() - t0 });
    process.stdout.write(`\n!! ${name}: ${(e as Error).message}\n`);
  }
}
const check = (ok: boolean, why: string): void => {
  if (!ok) throw new Error(why);
};
const until = async (what: string, fn: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 60; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const podEvents = async (): Promise<string> =>
  (
    await sh(
      `kubectl --context ${lab.cluster.name} get events --field-selector involvedObject.name=app -o custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message`,
    )
  ).out;

const story = async (rerun: boolean): Promise<void> => {
  const tag = rerun ? ' (re-run)' : '';
  await step(`1. a TKC pod cannot pull from Harbor${tag}`, async () => {
    if (rerun) return 'skipped';
    await sh(`kubectl --context ${lab.cluster.name} run app --image=${lab.publicImage} --restart=Never`);
    await until('the pull to fail', async () => /x509/.test(await podEvents()));
    check(/x509: certificate signed by unknown authority/.test(await podEvents()), 'no x509 event');
    return 'x509: certificate signed by unknown authority';
  });
  await step(`1b. doctor says why, and prints the fix${tag}`, async () => {
    if (rerun) return 'skipped';
    const r = await sh(`kubectl harbor --context ${lab.cluster.name} doctor app`);
    check(r.code === 1, `exit ${r.code}, not 1`);
    check(/error ca-untrusted: /.test(r.out), 'no ca-untrusted finding');
    const fix = `kubectl harbor push-ca ${lab.cluster.name} -n ${lab.cluster.namespace} --from-registry ${lab.harbor} --fingerprint ${fp}`;
    check(r.out.includes(`fix: ${fix}`), `the fix printed is not: ${fix}`);
    return 'ca-untrusted; fix: push-ca (run in step 3)';
  });
  await step(`2. trust the registry CA on the Supervisor and for new clusters${tag}`, async () => {
    if (!rerun) await sh(`kubectl harbor trust ${lab.harbor}`);
    const r = await sh(
      `kubectl harbor --context ${lab.cluster.namespace} trust ${lab.harbor} --supervisor --tkgs --fingerprint ${fp}`,
    );
    check(r.code === 0, `exit ${r.code}`);
    const unchanged = !/ configured/.test(r.out);
    check(!rerun || unchanged, 'a re-run changed something');
    return unchanged ? 'unchanged' : 'configured';
  });
  await step(`3. push the CA to every node of ${lab.cluster.name} over the jumpbox${tag}`, async () => {
    const r = await sh(
      `kubectl harbor --context ${lab.cluster.namespace} push-ca ${lab.cluster.name} --from-registry ${lab.harbor} --fingerprint ${fp}`,
    );
    check(r.code === 0, `exit ${r.code}`);
    const installed = (r.out.match(/\binstalled\s+(yes|no)\s/g) ?? []).length;
    check(!rerun || installed === 0, 'a re-run installed something');
    process.stdout.write(`\n${bold('# a real containerd pull (CRI PullImage, as the kubelet does) on every node:')}\n`);
    for (const n of lab.nodes) {
      const p = await criPull(n.containerdSocket, lab.image, { username: 'reader', password: lab.users.reader! });
      process.stdout.write(`#   ${n.name} (${n.os}): ${p.ok ? `pulled ${p.ref}` : p.error}\n`);
      check(p.ok, `pull on ${n.name} failed`);
    }
    if (!rerun) {
      await sh(
        `kubectl --context ${lab.cluster.name} delete pod app --wait=false && kubectl --context ${lab.cluster.name} run app --image=${lab.publicImage} --restart=Never`,
      );
      await until(
        'the pod to run',
        async () =>
          (await sh(`kubectl --context ${lab.cluster.name} get pod app -o jsonpath='{.status.phase}'`)).out.trim() ===
          'Running',
      );
    }
    return rerun ? 'unchanged' : `installed on ${installed} nodes; pulls work`;
  });
  await step(`4. log in with a robot account from a pipe, two namespaces, bind to default${tag}`, async () => {
    const r = await sh(
      `printf '%s\\n' "$ROBOT_SECRET" | kubectl harbor --context ${lab.cluster.namespace} login ${lab.harbor} -u 'robot$ci' --password-stdin --ca-file ${lab.ca} --namespaces dev,prod --bind-sa default`.replace(
        '"$ROBOT_SECRET"',
        `'${lab.users['robot$ci']}'`,
      ),
    );
    check(r.code === 0, `exit ${r.code}`);
    const sa = await sh(
      `kubectl --context ${lab.cluster.namespace} get sa default -o jsonpath='{.imagePullSecrets[*].name}'`,
    );
    check(
      sa.out.includes(`${lab.cluster.namespace}-default-image-pull-secret`) && sa.out.includes('harbor-'),
      'the ServiceAccount lost or lacks a secret',
    );
    const changed = /created|configured|bound/.test(r.out);
    check(!rerun || !changed, 'a re-run changed something');
    return changed ? 'secrets created, ServiceAccounts bound' : 'unchanged';
  });
};

try {
  await story(false);
  process.stdout.write(`\n${bold('# every step again: nothing changes')}\n`);
  await story(true);
} finally {
  process.stdout.write(`\n${bold('Summary')}\n`);
  const w = Math.max(...rows.map((r) => r.step.length)) + 2;
  for (const r of rows)
    process.stdout.write(`  ${r.step.padEnd(w)}${r.result.padEnd(48)}${(r.ms / 1000).toFixed(1)} s\n`);
  fs.rmSync(bin, { recursive: true, force: true });
  fs.rmSync(env.HOME, { recursive: true, force: true });
  if (keep || wasUp) {
    process.stdout.write(
      `\nThe lab is still up. Play with it:\n  source ${path.join(paths(cfg).state, 'env.sh')}\n  export PATH=${path.join(root, 'plugin')}:$PATH\n  kubectl harbor context; kubectl harbor trust list\n  npm run lab -- down   # when done\n`,
    );
  } else {
    await down(cfg);
    process.stdout.write('\nThe lab is down (npm run demo -- --keep leaves it up).\n');
  }
}
process.exit(failed ? 1 : 0);
