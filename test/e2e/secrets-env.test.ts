// The session passwords (KUBECTL_VSPHERE_PASSWORD, VCF_CLI_VSPHERE_PASSWORD) never reach a
// process the plugin starts: a kubeconfig exec credential plugin and a docker credential
// helper each write the environment they were given, and neither holds them. The
// plugin itself still reads them (login takes the vSphere password from its variable).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { e2e, supervisorFixture } from '../helpers/e2e.js';

const SECRETS = { KUBECTL_VSPHERE_PASSWORD: 'vsphere-secret-123', VCF_CLI_VSPHERE_PASSWORD: 'vcf-secret-456' };

describe('children never see the session passwords', () => {
  const h = e2e('secrets-env');
  const fx = supervisorFixture(h, { namespaces: ['dev'] });
  let bin: string;
  const dumped = (name: string): string => fs.readFileSync(path.join(h.home, `${name}.env`), 'utf8');

  before(() => {
    bin = path.join(h.home, 'bin');
    fs.mkdirSync(bin);
    const dump = (name: string, then: string) =>
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nenv > "${h.home}/${name}.env"\n${then}\n`, { mode: 0o755 });
    dump(
      'exec-credential',
      `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'`,
    );
    dump('docker-credential-dump', 'cat > /dev/null');
  });

  test('an exec credential plugin gets the environment without them', async () => {
    const kubeconfig = path.join(h.home, 'exec.kubeconfig');
    const user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: path.join(bin, 'exec-credential'),
        interactiveMode: 'Never',
      },
    };
    fs.writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'x',
        clusters: [{ name: 'x', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'x', user }],
        contexts: [{ name: 'x', context: { cluster: 'x', user: 'x', namespace: 'dev' } }],
      }),
    );
    const r = await h.harbor(['bind-sa', 'pull', '--kubeconfig', kubeconfig], {
      extra: { ...SECRETS, MARKER: 'seen' },
    });
    assert.equal(r.code, 1, r.stderr);
    const env = dumped('exec-credential');
    assert.match(env, /^MARKER=seen$/m);
    for (const [k, v] of Object.entries(SECRETS)) {
      assert.doesNotMatch(env, new RegExp(k));
      assert.ok(!env.includes(v), k);
    }
  });

  test('a docker credential helper gets the environment without them; login still used the vSphere password', async () => {
    const docker = path.join(h.home, 'docker');
    fs.mkdirSync(docker);
    fs.writeFileSync(path.join(docker, 'config.json'), JSON.stringify({ credsStore: 'dump' }));
    const r = await h.harbor(
      [
        'login',
        'harbor.example.com',
        '-u',
        'someone',
        '--password-stdin',
        '--skip-verify',
        '--docker-config',
        '-n',
        'dev',
      ],
      {
        input: 'registry-password\n',
        extra: { ...SECRETS, MARKER: 'seen', DOCKER_CONFIG: docker, PATH: `${bin}:${process.env.PATH}` },
        kubeconfig: fx.kubeconfigs.admin,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const env = dumped('docker-credential-dump');
    assert.match(env, /^MARKER=seen$/m);
    for (const [k, v] of Object.entries(SECRETS)) {
      assert.doesNotMatch(env, new RegExp(k));
      assert.ok(!env.includes(v), k);
    }
  });
});
