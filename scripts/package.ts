// npm run package: a Node single-executable binary (SEA, with a V8 start-up snapshot) for this
// machine's platform, the archive kubectl-harbor_<version>_<os>_<arch>.tar.gz
// (the binary and LICENSE) with its sha256, and the krew manifest rendered from
// krew-manifest.yaml into dist/krew/harbor.yaml and checked against krew's rules.
//
// Platforms other than this one cannot be built here (a SEA binary is the target's
// own node executable with the bundle injected). The release pipeline builds each
// on its own runner, gathers the archives into dist/release/ and runs
// `npm run package -- --skip-sea --all-platforms`, which renders all six.
//
// Options: --skip-sea (only
// render from the archives already in dist/release/), --all-platforms (fail unless
// every platform has an archive).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { archiveName, renderManifest, TARGETS, validateManifest, type Archive } from './krew.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const version = pkg.version;
const releaseBase =
  process.env.KUBECTL_HARBOR_RELEASE_URL ??
  `https://github.com/kubectl-harbor/kubectl-harbor/releases/download/v${version}`;
const dist = path.join(root, 'dist');
const releaseDir = path.join(dist, 'release');
const log = (s: string) => process.stderr.write(`${s}\n`);
const run = (cmd: string, argv: string[], opts: { cwd?: string; quiet?: boolean } = {}) =>
  execFileSync(cmd, argv, {
    cwd: opts.cwd ?? root,
    stdio: ['ignore', 'pipe', opts.quiet ? 'pipe' : 'inherit'],
    maxBuffer: 64 << 20,
  });

const hostOs = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[process.platform];
const hostArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];

function buildSea(): string {
  if (!hostOs || !hostArch) throw new Error(`no SEA target for ${process.platform}/${process.arch}`);
  const work = path.join(dist, 'sea');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const exe = path.join(work, hostOs === 'windows' ? 'kubectl-harbor.exe' : 'kubectl-harbor');
  const blob = path.join(work, 'kubectl-harbor.blob');
  const config = path.join(work, 'sea-config.json');
  // The start-up part is the SEA's main script, run once here to make a V8 start-up snapshot
  // (src/main.ts: modules loaded and clipanion's code compiled; `--help` ~1.8x -> ~1.5x of
  // `node -e 0` against the code cache alone; the two options exclude each other). The lazy
  // part is an asset. Node warns that `tty` is not verified in snapshots: the run's streams are
  // the deserialized process's own (clipanion's defaults are never used: runCli passes its own).
  // With the overview stored (src/output/stored-help.ts), measured interleaved against
  // `node -e 0` (CPU time): this snapshot `--help` ~1.08x, `login --bogus` ~1.4x; no snapshot with
  // useCodeCache ~1.15x and ~1.65x; a snapshot of only the overview, the start-up part compiled
  // from an asset with a code cache made here, ~0.97x but `login --bogus` ~5 ms slower. Kept.
  // Leaving out the warm-up parse in src/main.ts saves 80 KB of blob and makes `login` slower.
  run(process.execPath, ['scripts/build.mjs', '--sea', work]);
  fs.writeFileSync(
    config,
    JSON.stringify({
      main: path.join(work, 'main.cjs'),
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: true,
      assets: { 'lazy.js': path.join(work, 'lazy.js') },
    }),
  );
  run(process.execPath, ['--experimental-sea-config', config], { quiet: true });
  fs.copyFileSync(process.execPath, exe);
  fs.chmodSync(exe, 0o755);
  // The snapshot costs ~2 MB of archive; node's symbol table (not its dynamic symbols) ~12 MB.
  if (hostOs === 'linux') run('strip', ['-s', exe]);
  if (hostOs === 'darwin') run('codesign', ['--remove-signature', exe]);
  const postject = path.join(root, 'node_modules', '.bin', 'postject');
  const inject = [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'];
  // postject's ELF writer warns about note sections it leaves alone; only a failure matters.
  run(postject, hostOs === 'darwin' ? [...inject, '--macho-segment-name', 'NODE_SEA'] : inject, { quiet: true });
  if (hostOs === 'darwin') run('codesign', ['--sign', '-', exe]);
  const out = run(exe, ['version']).toString();
  if (!out.startsWith(`kubectl-harbor v${version}`)) throw new Error(`the SEA binary answered ${JSON.stringify(out)}`);
  log(`${path.relative(root, exe)}: ${(fs.statSync(exe).size / 1048576).toFixed(1)} MiB`);
  return exe;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function makeArchive(exe: string): void {
  const stage = path.join(dist, 'stage');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const names = [path.basename(exe), 'LICENSE'];
  fs.copyFileSync(exe, path.join(stage, names[0]!));
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
  fs.chmodSync(path.join(stage, names[0]!), 0o755);
  fs.chmodSync(path.join(stage, 'LICENSE'), 0o644);
  fs.mkdirSync(releaseDir, { recursive: true });
  const file = path.join(releaseDir, archiveName(version, hostOs!, hostArch!));
  // Reproducible: fixed order, times and owners, and gzip without a name or time.
  const tarFile = path.join(dist, 'stage.tar');
  const gnu = run('tar', ['--version']).toString().includes('GNU');
  const fixed = gnu
    ? ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner']
    : ['--uid', '0', '--gid', '0'];
  run('tar', [...fixed, '-cf', tarFile, ...names], { cwd: stage });
  run('gzip', ['-n', '-9', '-f', tarFile]);
  fs.renameSync(`${tarFile}.gz`, file);
  fs.writeFileSync(`${file}.sha256`, `${sha256(file)}  ${path.basename(file)}\n`);
  fs.rmSync(stage, { recursive: true, force: true });
  log(`${path.relative(root, file)}: sha256 ${sha256(file)}`);
}

function collectArchives(): Archive[] {
  const out: Archive[] = [];
  for (const [os, arch] of TARGETS) {
    const file = path.join(releaseDir, archiveName(version, os, arch));
    if (!fs.existsSync(file)) continue;
    const entries = run('tar', ['-tzf', file]).toString().split('\n').filter(Boolean);
    out.push({ os, arch, url: `${releaseBase}/${path.basename(file)}`, sha256: sha256(file), entries });
  }
  return out;
}

if (!args.has('--skip-sea')) makeArchive(buildSea());
const archives = collectArchives();
const rendered = renderManifest(fs.readFileSync(path.join(root, 'krew-manifest.yaml'), 'utf8'), version, archives);
const errors = validateManifest(rendered.manifest, 'harbor', archives);
if (rendered.missing.length) {
  const msg = `no archive for ${rendered.missing.join(', ')}: built by the release pipeline on native runners (.github/workflows/release.yml)`;
  if (args.has('--all-platforms')) errors.push(msg);
  else log(`note: ${msg}; left out of this manifest`);
}
const out = path.join(dist, 'krew', 'harbor.yaml');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, rendered.yaml);
if (errors.length) {
  for (const e of errors) log(`krew manifest: ${e}`);
  process.exit(1);
}
log(`${path.relative(root, out)}: valid krew manifest, ${archives.length} platform(s)`);
