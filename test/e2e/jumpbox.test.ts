// `kubectl harbor jumpbox`: the built plugin, through the lab daemon's Supervisor
// emulator (whose pods/exec runs in the lab's pod network) to the real sshd nodes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { e2e, labFixture, needsLab } from '../helpers/e2e.js';
import { PLUGIN, type Result } from '../helpers/run.js';
import { setFault } from '../../lab/nodes/nodes.js';

describe('kubectl harbor jumpbox', needsLab, () => {
  const h = e2e('jumpbox');
  const lab = labFixture(h, { admin: true, clusterContext: true, clearFaults: true });
  let started: number;
  const harbor = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Result> =>
    h.harbor(['jumpbox', ...args], { extra });
  const kubectl = (args: string[]): Promise<Result> => h.kubectl(args);
  const hostnames = (out: string): string[] =>
    out
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\[[^\]]+\] /, ''))
      .sort();

  before(() => {
    started = Date.now();
  });

  test('exec --all through the jumpbox returns every node name; host keys are pinned on first use; the pod is gone afterwards', async () => {
    const r = await harbor(['exec', lab.info.cluster.name, '--all', '--', 'hostname']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(hostnames(r.stdout), lab.info.nodes.map((n) => n.name).sort());
    assert.equal((r.stderr.match(/first connection, pinned host key SHA256:/g) ?? []).length, lab.info.nodes.length);
    const known = fs.readFileSync(path.join(h.home, '.config/kubectl-harbor/known_hosts'), 'utf8');
    for (const n of lab.info.nodes)
      assert.match(known, new RegExp(`^${lab.info.cluster.name} ${n.ip.replace(/\./g, '\\.')} `, 'm'));
    assert.equal(
      (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.info.cluster.name}`])).code,
      1,
      'deleted: this run created it',
    );
    const again = await harbor(['exec', lab.info.cluster.name, '--role', 'controlplane', '--sudo', '--', 'id', '-u']);
    assert.equal(again.stdout.trim(), `[${again.stdout.slice(1, again.stdout.indexOf(']'))}] 0`, again.stderr);
    assert.doesNotMatch(again.stderr, /pinned/, 'no new pins on a second run');
  });

  test('the jumpbox pod: relay only, non-root, no capabilities, read-only, no token, a deadline, labels', async () => {
    const r = await harbor(['create', lab.info.cluster.name, '--ttl', '30m', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const pod = JSON.parse(
      (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.info.cluster.name}`, '-o', 'json'])).stdout,
    );
    const c = pod.spec.containers[0];
    assert.equal(pod.spec.automountServiceAccountToken, false);
    assert.equal(pod.spec.activeDeadlineSeconds, 1800);
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.deepEqual(c.resources.requests, { cpu: '10m', memory: '16Mi' });
    assert.equal(pod.metadata.labels['app.kubernetes.io/managed-by'], 'kubectl-harbor');
    assert.equal(pod.metadata.labels['kubectl-harbor/cluster'], lab.info.cluster.name);
    assert.equal(c.image, 'photon:3.0');
    assert.match(
      (await harbor(['list'])).stdout,
      new RegExp(`harbor-jumpbox-${lab.info.cluster.name}\\s+${lab.info.cluster.name}\\s+Running`),
    );
    assert.match((await harbor(['status', lab.info.cluster.name])).stdout, /^Jumpbox: harbor-jumpbox-tkc-1 Running/);
    const reuse = await harbor(['exec', lab.info.cluster.name, '--node', lab.info.nodes[0]!.ip, '--', 'true']);
    assert.equal(reuse.code, 0, reuse.stderr);
    assert.doesNotMatch(reuse.stderr, /creating pod/, 'a running jumpbox is reused');
    assert.equal(
      (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.info.cluster.name}`])).code,
      0,
      'and kept: this run did not create it',
    );
    assert.equal((await harbor(['delete', '--all'])).stdout, `pod/harbor-jumpbox-${lab.info.cluster.name} deleted\n`);
  });

  test('a changed host key is refused, with the rebuilt-node explanation; --accept-new-host-key takes it', async () => {
    const file = path.join(h.home, '.config/kubectl-harbor/known_hosts');
    const ip = lab.info.nodes[1]!.ip;
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      original.replace(
        new RegExp(`^(${lab.info.cluster.name} ${ip.replace(/\./g, '\\.')} ).*$`, 'm'),
        `$1${Buffer.from('not the real key').toString('base64')}`,
      ),
    );
    const r = await harbor(['exec', lab.info.cluster.name, '--all', '--', 'hostname']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `the host key of ${ip.replace(/\./g, '\\.')} \\(cluster tkc-1\\) has changed: it was SHA256:.*A node that was rebuilt .* gets a new key; .*--accept-new-host-key`,
      ),
    );
    assert.equal(hostnames(r.stdout).length, lab.info.nodes.length - 1, 'the other nodes still ran');
    const ok = await harbor(['exec', lab.info.cluster.name, '--node', ip, '--accept-new-host-key', '--', 'hostname']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /accepted the new host key/);
  });

  test('a refused key and an unreachable node fail alone; exit 1', async () => {
    await setFault(lab.cfg, 2, 'refuse-key');
    await setFault(lab.cfg, 3, 'unreachable');
    try {
      const r = await harbor(['exec', lab.info.cluster.name, '--all', '--request-timeout', '5s', '--', 'hostname'], {});
      assert.equal(r.code, 1);
      assert.deepEqual(hostnames(r.stdout), ['n1']);
      assert.match(
        r.stderr,
        new RegExp(
          `${lab.info.nodes[1]!.ip.replace(/\./g, '\\.')}: vmware-system-user was refused \\(the key from secret tkc-1-ssh is not accepted\\)`,
        ),
      );
      assert.match(r.stderr, new RegExp(lab.info.nodes[2]!.ip.replace(/\./g, '\\.')));
    } finally {
      await setFault(lab.cfg, 2, 'clear');
      await setFault(lab.cfg, 3, 'clear');
    }
  });

  test('clear messages: an image that cannot be pulled (event text), a missing <cluster>-ssh secret, no node chosen', async () => {
    const img = await harbor([
      'exec',
      lab.info.cluster.name,
      '--all',
      '--image',
      `${lab.info.harbor}/lab/tiny:1`,
      '--',
      'true',
    ]);
    assert.equal(img.code, 1);
    assert.match(
      img.stderr,
      /error: the jumpbox image .* cannot be pulled: Failed to pull image .*x509: certificate signed by unknown authority; pass --image/,
    );
    assert.equal(
      (await kubectl(['get', 'pod', `harbor-jumpbox-${lab.info.cluster.name}`])).code,
      1,
      'the failed pod is cleaned up',
    );
    const ghost = await harbor(['exec', 'ghost', '--all', '--', 'true']);
    assert.match(ghost.stderr, /no VirtualMachines of cluster "ghost" in namespace "dev"/);
    await kubectl(['get', 'secret', 'tkc-1-ssh', '-o', 'json']).then(async (s) => {
      const secret = JSON.parse(s.stdout);
      await kubectl(['delete', 'secret', 'tkc-1-ssh', 'tkc-1-ssh-password']);
      try {
        const r = await harbor(['exec', lab.info.cluster.name, '--all', '--', 'true']);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /neither secret\/tkc-1-ssh \(ssh-privatekey\) nor secret\/tkc-1-ssh-password \(ssh-passwordkey\) is readable in namespace "dev"/,
        );
      } finally {
        delete secret.metadata.resourceVersion;
        delete secret.metadata.uid;
        await h.kubectl(['create', '-f', '-'], { context: '', input: JSON.stringify(secret) });
      }
    });
    const none = await harbor(['exec', lab.info.cluster.name, '--', 'true']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /choose the nodes: --node NAME/);
  });

  test('jumpbox ssh: an interactive shell with a PTY (driven through script(1)) and its exit code; without a terminal, plain stdin', async () => {
    const node = lab.info.nodes[0]!;
    const feed = `(sleep 3; printf 'tty; hostname\\n'; sleep 1; printf 'exit 5\\n')`;
    const r = await h.run('sh', [
      '-c',
      `${feed} | script -qec "${PLUGIN} --context dev jumpbox ssh ${lab.info.cluster.name} ${node.ip}" /dev/null`,
    ]);
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    assert.match(r.stdout, new RegExp(`\\b${node.name}\\b`));
    const piped = await h.harbor(['jumpbox', 'ssh', lab.info.cluster.name, node.ip], { input: 'hostname\nexit 3\n' });
    assert.equal(piped.code, 3, piped.stderr);
    assert.equal(piped.stdout.trim(), node.name);
  });

  test('--direct works from a machine that routes to the nodes (here: inside the pod network)', async () => {
    const hostIp = lab.info.harbor.split(':')[0]!;
    const kc = path.join(h.home, 'bridge.kubeconfig');
    fs.writeFileSync(
      kc,
      fs.readFileSync(lab.info.adminKubeconfig, 'utf8').replace(/https:\/\/127\.0\.0\.1:/g, `https://${hostIp}:`),
      { mode: 0o600 },
    );
    const r = await h.run(
      'ip',
      [
        'netns',
        'exec',
        lab.info.podNetns,
        process.execPath,
        PLUGIN,
        '--context',
        'dev',
        'jumpbox',
        'exec',
        lab.info.cluster.name,
        '--all',
        '--direct',
        '--',
        'hostname',
      ],
      { kubeconfig: kc },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(hostnames(r.stdout), lab.info.nodes.map((n) => n.name).sort());
    assert.doesNotMatch(r.stderr, /creating pod/);
  });

  test('the node key never reaches the disk: no file under home, tmp or the working directory written since the start holds it', () => {
    const key = fs.readFileSync(lab.info.sshKey, 'utf8');
    const body = key.split('\n').filter((l) => l && !l.startsWith('-----'))[2]!;
    const hits: string[] = [];
    const scan = (dir: string, depth: number): void => {
      if (depth > 6 || dir.startsWith('/tmp/kubectl-harbor-lab')) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) scan(p, depth + 1);
        else if (e.isFile()) {
          const st = fs.statSync(p);
          if (st.mtimeMs >= started && st.size < 4 << 20 && fs.readFileSync(p, 'utf8').includes(body)) hits.push(p);
        }
      }
    };
    for (const d of [h.home, '/tmp', process.cwd()]) scan(d, 0);
    assert.deepEqual(hits, []);
  });
});
