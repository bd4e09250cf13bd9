// Environment failures through the BUILT plugin against the lab: the Harbor served with a
// certificate without an IP SAN (the line names the DNS name to use and the other fix), a
// docker config on a read-only file system or with a missing credential helper (refused
// before the first cluster write: the cluster is untouched), a kubeconfig that is a FIFO
// (refused, no hang), an exec credential plugin that fails (worded like kubectl).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { LabInfo } from '../../lab/lab.js';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { canRunLab, sharedLab } from '../helpers/lab.js';
import type { Result } from '../helpers/run.js';

/** One `error:` line (status lines such as the closing summary may follow), no internal error, no stack. */
function oneErrorLine(r: Result, expected: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(errors[0]!, expected);
}

describe('environment failures (built plugin, lab)', { skip: !canRunLab && 'needs root for the lab' }, () => {
  let lab: LabInfo;
  const h = e2e('envfail');
  const fx = supervisorFixture(h, { namespaces: ['dev'] });
  const secrets = async (): Promise<string[]> => {
    const r = await h.kubectl(['get', 'secrets', '-n', 'dev', '-o', 'name'], { kubeconfig: fx.kubeconfigs.admin });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').sort();
  };
  const login = (registry: string, extra: string[]) =>
    h.harbor(['login', registry, '-u', 'admin', '--password-stdin', '-n', 'dev', '--ca-file', lab.ca, ...extra], {
      input: `${lab.users.admin}\n`,
    });

  before(async () => {
    ({ info: lab } = await sharedLab());
  });

  test('no IP SAN: names the DNS name the certificate holds and both fixes; nothing written', async () => {
    const before = await secrets();
    const ip = lab.harborNoIpSan.split(':')[0]!.replace(/\./g, '\\.');
    oneErrorLine(
      await login(lab.harborNoIpSan, []),
      new RegExp(
        `^error: logging in to ${lab.harborNoIpSan}: x509: certificate is not valid for IP ${ip} \\(it has no matching IP SAN\\); it is valid for harbor\\.lab: use harbor\\.lab:8444 instead \\(in DNS or /etc/hosts\\), or re-issue the certificate with an IP SAN for ${ip}$`,
      ),
    );
    assert.deepEqual(await secrets(), before);
  });

  test('login/logout --docker-config: a missing credential helper or a read-only file system leaves the cluster untouched', async () => {
    const before = await secrets();
    const rev = fx.sup.supervisor.store.revision;
    const helper = path.join(h.home, 'helper.json');
    fs.writeFileSync(helper, JSON.stringify({ credsStore: 'not-installed' }));
    oneErrorLine(
      await login(lab.harbor, [`--docker-config=${helper}`]),
      /sends .* to the credential helper "not-installed", but docker-credential-not-installed is not on PATH; install it/,
    );
    const ro = tempDir('harbor-ro-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,ro', 'tmpfs', ro]);
    try {
      oneErrorLine(
        await login(lab.harbor, [`--docker-config=${ro}`]),
        /^error: cannot write .*config\.json: read-only file system \(EROFS\); use a file on a writable file system, or pass --docker-config with another file, or set DOCKER_CONFIG; the file was not changed$/,
      );
    } finally {
      execFileSync('umount', ['-l', ro]);
    }
    assert.equal(fx.sup.supervisor.store.revision, rev, 'no cluster write');
    assert.deepEqual(await secrets(), before);
    // Once the secret exists, logout with the same broken helper refuses before deleting it.
    const ok = await login(lab.harbor, ['--secret-name', 'kept']);
    assert.equal(ok.code, 0, ok.stderr);
    const r = await h.harbor(['logout', lab.harbor, '-n', 'dev', '--secret-name', 'kept', `--docker-config=${helper}`]);
    oneErrorLine(r, /docker-credential-not-installed is not on PATH/);
    assert.ok((await secrets()).includes('secret/kept'), 'logout deleted nothing');
  });

  test('a kubeconfig that is a FIFO is refused at once; an exec plugin that fails reads like kubectl', async () => {
    const fifo = path.join(h.home, 'kubeconfig.fifo');
    execFileSync('mkfifo', [fifo]);
    oneErrorLine(
      await h.harbor(['logout', lab.harbor, '-n', 'dev'], { kubeconfig: fifo }),
      /^error: cannot read kubeconfig .*kubeconfig\.fifo: it is a named pipe \(FIFO\); pass --kubeconfig \(or KUBECONFIG\) with a kubeconfig file$/,
    );
    const plugin = path.join(h.home, 'broken-plugin');
    fs.writeFileSync(plugin, '#!/bin/sh\necho "token expired, run: login" >&2\nexit 2\n', { mode: 0o755 });
    const kc = path.join(h.home, 'exec.kubeconfig');
    fs.writeFileSync(
      kc,
      fs
        .readFileSync(fx.kubeconfigs.devops, 'utf8')
        .replace(/token: .*/g, `exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ${plugin}}`),
    );
    oneErrorLine(
      await h.harbor(['logout', lab.harbor, '-n', 'dev'], { kubeconfig: kc }),
      /^error: getting credentials: exec: executable .*broken-plugin failed with exit code 2: token expired, run: login$/,
    );
  });
});
