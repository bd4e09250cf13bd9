// The krew manifest checks, rule by rule (krew's validate.go plus krew-index's CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { renderManifest, validateManifest, type Archive, type Manifest } from '../../scripts/krew.js';
import { ROOT } from '../helpers/run.js';

const template = fs.readFileSync(path.join(ROOT, 'krew-manifest.yaml'), 'utf8');
const sha = 'a'.repeat(64);
const archive = (os: string, arch: string): Archive => ({
  os,
  arch,
  url: `https://example.invalid/v1.2.3/kubectl-harbor_1.2.3_${os}_${arch}.tar.gz`,
  sha256: sha,
  entries: [os === 'windows' ? 'kubectl-harbor.exe' : 'kubectl-harbor', 'LICENSE'],
});
const all = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['darwin', 'amd64'],
  ['darwin', 'arm64'],
  ['windows', 'amd64'],
  ['windows', 'arm64'],
].map(([o, a]) => archive(o!, a!));

test('the template renders to a valid manifest for all six platforms', () => {
  const r = renderManifest(template, '1.2.3', all);
  assert.deepEqual(r.missing, []);
  assert.equal(r.manifest.spec?.version, 'v1.2.3');
  assert.equal(r.manifest.spec?.platforms?.length, 6);
  assert.deepEqual(validateManifest(r.manifest, 'harbor', all), []);
});

test('platforms without an archive are left out and named', () => {
  const r = renderManifest(template, '1.2.3', [all[0]!]);
  assert.deepEqual(r.missing, ['linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64', 'windows/arm64']);
  assert.deepEqual(validateManifest(r.manifest, 'harbor', [all[0]!]), []);
});

test('each rule catches what it should', () => {
  const good = () => structuredClone(renderManifest(template, '1.2.3', all).manifest) as Manifest;
  const broken: Array<[string, (m: Manifest) => void, RegExp]> = [
    ['apiVersion', (m) => (m.apiVersion = 'v1'), /apiVersion must be/],
    ['kind', (m) => (m.kind = 'Thing'), /kind must be Plugin/],
    ['name', (m) => (m.metadata = { name: 'bad name' }), /is not allowed/],
    ['windows name', (m) => (m.metadata = { name: 'CON' }), /is not allowed/],
    ['semver', (m) => (m.spec!.version = '1.2.3'), /not a semver with a leading v/],
    ['short description', (m) => (m.spec!.shortDescription = 'two\nlines'), /line breaks/],
    ['sha256', (m) => (m.spec!.platforms![0]!.sha256 = 'ABC'), /`sha256` value ABC is not valid/],
    ['uri', (m) => (m.spec!.platforms![0]!.uri = 'https://x/kubectl-harbor.exe'), /not a .tar.gz or .zip/],
    [
      'selector key',
      (m) => (m.spec!.platforms![0]!.selector = { matchLabels: { os: 'linux', cpu: 'x' } }),
      /selector key "cpu" not supported/,
    ],
    ['empty selector', (m) => (m.spec!.platforms![0]!.selector = {}), /empty selector/],
    [
      'overlap',
      (m) =>
        (m.spec!.platforms![1]!.selector = { matchExpressions: [{ key: 'os', operator: 'In', values: ['linux'] }] }),
      /two platforms match linux\/amd64/,
    ],
    [
      'license',
      (m) => (m.spec!.platforms![0]!.files = [{ from: 'kubectl-harbor', to: '.' }]),
      /LICENSE file is not extracted/,
    ],
    ['bin', (m) => (m.spec!.platforms![0]!.bin = 'kubectl-other'), /bin kubectl-other is not in the archive/],
    ['no platforms', (m) => (m.spec!.platforms = []), /should have a platform specified/],
  ];
  for (const [what, breakIt, re] of broken) {
    const m = good();
    breakIt(m);
    const errs = validateManifest(m, 'harbor', all);
    assert.ok(
      errs.some((e) => re.test(e)),
      `${what}: ${errs.join('; ') || 'no error'}`,
    );
  }
  const wrongSum = validateManifest(good(), 'harbor', [{ ...all[0]!, sha256: 'b'.repeat(64) }]);
  assert.ok(wrongSum.some((e) => /sha256 does not match/.test(e)));
});
