#!/usr/bin/env node
// npm run build: bundle src/main.ts into ONE CommonJS file, plugin/kubectl-harbor.
//  - Optional native modules (ssh2's cpu-features and sshcrypto.node, ws's
//    bufferutil and utf-8-validate) resolve to a stub that throws; every caller
//    wraps them in try/catch and falls back to pure JavaScript.
//  - Each command's heavy code is reached through import(), which esbuild turns
//    into a lazily initialised module, so --help loads neither the Kubernetes
//    client nor ssh2 nor ora.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const outfile = path.join(root, process.argv[2] ?? 'plugin/kubectl-harbor');

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export const OPTIONAL = /^(cpu-features|bufferutil|utf-8-validate|encoding|supports-color)$|\.node$/;

const optionalStub = {
  name: 'optional-stub',
  setup(b) {
    b.onResolve({ filter: OPTIONAL }, (a) => ({ path: a.path, namespace: 'optional-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-stub' }, (a) => ({
      contents: `throw new Error(${JSON.stringify(`optional module not bundled: ${a.path}`)});`,
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: false,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  define: {
    __HARBOR_VERSION__: JSON.stringify(pkg.version),
    __HARBOR_COMMIT__: JSON.stringify(gitCommit()),
  },
  metafile: true,
  logLevel: 'warning',
  plugins: [optionalStub],
});
// esbuild keeps the entry's own shebang too when it has one; one is enough.
const text = fs.readFileSync(outfile, 'utf8').replace(/^(#!.*\n)(#!.*\n)/, '$1');
fs.writeFileSync(outfile, text);
fs.chmodSync(outfile, 0o755);
fs.writeFileSync(path.join(root, 'dist-meta.json'), JSON.stringify(result.metafile));
const bytes = fs.statSync(outfile).size;
process.stderr.write(`${path.relative(root, outfile)}: ${(bytes / 1024).toFixed(0)} KiB\n`);
