// npm run package on this machine: the SEA binary, its archive and sha256, and the
// rendered krew manifest; then the binary itself as the plugin behind real kubectl.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { validateManifest } from '../../scripts/krew.js';
import { ROOT, baseEnv, exec } from '../helpers/run.js';
import { tempDir } from '../helpers/kubeconfig.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const os = process.platform === 'linux' ? 'linux' : process.platform;
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const archive = path.join(ROOT, 'dist/release', `kubectl-harbor_${pkg.version}_${os}_${arch}.tar.gz`);
let result: { code: number; stderr: string };

before(async () => {
  result = await exec(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/package.ts')], { ...process.env });
});

test('npm run package builds the archive, its sha256 and a valid krew manifest', () => {
  assert.equal(result.code, 0, result.stderr);
  const sum = crypto.createHash('sha256').update(fs.readFileSync(archive)).digest('hex');
  assert.equal(fs.readFileSync(`${archive}.sha256`, 'utf8'), `${sum}  ${path.basename(archive)}\n`);
  const manifest = parse(fs.readFileSync(path.join(ROOT, 'dist/krew/harbor.yaml'), 'utf8'));
  assert.equal(manifest.spec.version, `v${pkg.version}`);
  const platform = manifest.spec.platforms.find(
    (p: { selector: { matchLabels: Record<string, string> } }) =>
      p.selector.matchLabels.os === os && p.selector.matchLabels.arch === arch,
  );
  assert.equal(platform.sha256, sum);
  assert.match(platform.uri, new RegExp(`/v${pkg.version}/kubectl-harbor_${pkg.version}_${os}_${arch}\\.tar\\.gz$`));
  assert.deepEqual(validateManifest(manifest, 'harbor'), []);
  assert.match(result.stderr, /left out of this manifest/, 'the platforms not built here are named');
});

test('the archive holds the binary and LICENSE, and the binary works as the plugin through kubectl', async () => {
  const dir = tempDir('harbor-krew-');
  const untar = await exec('tar', ['-xzf', archive, '-C', dir], baseEnv());
  assert.equal(untar.code, 0, untar.stderr);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['LICENSE', 'kubectl-harbor']);
  const env = baseEnv({ PATH: `${dir}${path.delimiter}${process.env.PATH}` });
  const v = await exec('kubectl', ['harbor', 'version'], env);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `kubectl-harbor v${pkg.version}\n`);
  assert.equal(v.stderr, '', 'no SEA warning');
  const h = await exec(path.join(dir, 'kubectl-harbor'), ['--help'], env);
  assert.match(h.stdout, /Other Commands:/);
  // The lazy part is a SEA asset; its errors are the start-up part's classes (one line, exit 1).
  const c = await exec('kubectl', ['harbor', 'context', '--kubeconfig', '/does/not/exist'], env);
  assert.equal(c.code, 1);
  assert.equal(c.stderr, 'error: kubeconfig file /does/not/exist does not exist\n');
});
