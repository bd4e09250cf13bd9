#!/usr/bin/env node
// npm run build: bundle src/main.ts into ONE CommonJS file, plugin/kubectl-harbor.
//
// Start-up matters for a kubectl plugin (`--help`, completion), so the file has two
// parts. The light part is what every run needs: clipanion, the command classes,
// the printer. Everything the commands reach through `import()` (the Kubernetes
// client, ssh2, node-forge, yaml, ora, ...) is the heavy part: bundled separately
// and carried as comment text (scripts/starter.mjs) that is compiled only when a command
// first imports from it: parsing it costs ~20 ms that `--help` never pays. The code that
// compiles it (with a V8 code cache) is scripts/lazy-loader.cjs. @kubernetes/client-node comes
// without its generated API and model classes (scripts/lean-client-node.mjs): every request
// goes through KubeClient.rest().
//
// Modules the light part already holds (errors, printer, clipanion) are not bundled
// twice: the heavy part gets the light part's instances, so `instanceof CliError`
// holds across the two.
//
// Optional native modules (ssh2's cpu-features and sshcrypto.node, ws's bufferutil
// and utf-8-validate) resolve to a stub that throws; every caller wraps them in
// try/catch and falls back to pure JavaScript.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLean, leanClientNode } from './lean-client-node.mjs';
import { buildStarter, storedHelp } from './starter.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// --sea DIR: also write DIR/main.cjs and DIR/lazy.js for a single-executable build,
// where the lazy part is a SEA asset rather than a string inside the main script.
const seaDir = process.argv.includes('--sea')
  ? path.resolve(process.argv[process.argv.indexOf('--sea') + 1])
  : undefined;
const outfile = path.join(root, 'plugin/kubectl-harbor');

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

const OPTIONAL = /^(cpu-features|bufferutil|utf-8-validate|encoding|supports-color)$|\.node$/;
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

const common = {
  bundle: true,
  // Scripts that run on remote nodes (src/**/*.sh) travel inside the bundle as text.
  loader: { '.sh': 'text' },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  write: false,
  define: {
    __HARBOR_VERSION__: JSON.stringify(pkg.version),
    __HARBOR_COMMIT__: JSON.stringify(gitCommit()),
  },
};

const LOADER = path.join(root, 'scripts/lazy-loader.cjs');
const key = (file) => path.relative(root, file).split(path.sep).join('/');

/**
 * The light part. Dynamic imports become `load(key)` from the heavy part; `shared`
 * lists the light modules the heavy part may use, registered by the entry wrapper.
 */
async function buildLight(shared, sea = false, heavyHash = 'none') {
  const lazy = new Set();
  const entry = [
    ...shared.map((k, i) => `import * as m${i} from ${JSON.stringify(path.join(root, k))};`),
    `import { share } from 'harbor:heavy';`,
    ...shared.map((k, i) => `share(${JSON.stringify(k)}, m${i});`),
    `import ${JSON.stringify(path.join(root, 'src/main.ts'))};`,
  ].join('\n');
  const result = await build({
    ...common,
    define: {
      ...common.define,
      __HARBOR_LAZY_SEA__: JSON.stringify(sea),
      __HARBOR_LAZY_CACHE__: JSON.stringify(`lazy-${heavyHash}.v8`),
      // The overview, printed by src/main.ts in a SEA (the plugin file's loader prints it first).
      __HARBOR_STORED_HELP__: sea ? JSON.stringify(help) : 'undefined',
    },
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    plugins: [
      optionalStub,
      {
        name: 'lazy',
        setup(b) {
          // The loader runtime (scripts/lazy-loader.cjs); its placeholders are defines above.
          b.onResolve({ filter: /^harbor:heavy$/ }, () => ({ path: LOADER }));
          b.onResolve({ filter: /.*/ }, async (a) => {
            if (a.kind !== 'dynamic-import' || a.namespace === 'lazy') return undefined;
            const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: 'import-statement' });
            if (r.errors.length) return { errors: r.errors };
            lazy.add(r.path);
            return { path: key(r.path), namespace: 'lazy' };
          });
          b.onLoad({ filter: /.*/, namespace: 'lazy' }, (a) => ({
            loader: 'js',
            contents: `module.exports = require('harbor:heavy').load(${JSON.stringify(a.path)});`,
          }));
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes(':') && fs.existsSync(path.join(root, f)))
    .map((f) => key(path.join(root, f)));
  // Sorted: esbuild resolves in parallel, so `lazy` fills in a different order each run,
  // and this order becomes the heavy entry's code (and so the V8 cache name).
  return { text: result.outputFiles[0].text, lazy: [...lazy].map(key).sort(), inputs: inputs.sort() };
}

/** The heavy part: a CommonJS module whose exports map each lazy key to a loader. */
async function buildHeavy(lazyKeys, lightInputs) {
  // Sorted here too, whatever the caller passed: the entry's order is the bundle's order.
  lazyKeys = [...lazyKeys].sort();
  const light = new Set(lightInputs);
  const used = new Set();
  const entry = `module.exports = {${lazyKeys.map((k) => `${JSON.stringify(k)}: () => require(${JSON.stringify(path.join(root, k))})`).join(',\n')}};`;
  const result = await build({
    ...common,
    stdin: { contents: entry, resolveDir: root, loader: 'js', sourcefile: 'lazy-entry.js' },
    plugins: [
      optionalStub,
      leanClientNode(root),
      {
        name: 'shared',
        setup(b) {
          b.onResolve({ filter: /.*/ }, async (a) => {
            if (a.namespace === 'shared' || a.pluginData === 'probe' || a.kind === 'entry-point') return undefined;
            const r = await b.resolve(a.path, {
              resolveDir: a.resolveDir,
              kind: a.kind,
              importer: a.importer,
              pluginData: 'probe',
            });
            if (r.errors.length || r.external || !r.path.startsWith('/')) return undefined;
            const k = key(r.path);
            if (!light.has(k) || lazyKeys.includes(k)) return undefined;
            used.add(k);
            return { path: k, namespace: 'shared' };
          });
          b.onLoad({ filter: /.*/, namespace: 'shared' }, (a) => ({
            loader: 'js',
            contents: `module.exports = __harbor_shared(${JSON.stringify(a.path)});`,
          }));
        },
      },
    ],
  });
  checkLean(result.metafile);
  return { text: result.outputFiles[0].text, used: [...used].sort() };
}

// The overview as the CLI prints it (scripts/starter.mjs).
const help = await storedHelp(root, common);
// 1: find what the light part imports lazily and what it holds; 2: the heavy part;
// 3: the light part again, with the heavy source and the shared modules it needs.
const probe = await buildLight([]);
const heavy = await buildHeavy(probe.lazy, probe.inputs);
const heavyHash = createHash('sha256').update(heavy.text).update(process.version).digest('hex').slice(0, 16);
const final = await buildLight(heavy.used, false, heavyHash);
if (final.lazy.join() !== probe.lazy.join()) throw new Error('lazy imports changed between passes');

// Written to a temporary file and renamed: a test may build while others run the plugin,
// and they must see the old file or the new one, never half of one.
function writeAtomic(file, text, mode = 0o644) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

if (seaDir) {
  const sea = await buildLight(heavy.used, true, heavyHash);
  fs.mkdirSync(seaDir, { recursive: true });
  writeAtomic(path.join(seaDir, 'main.cjs'), sea.text);
  writeAtomic(path.join(seaDir, 'lazy.js'), heavy.text);
}
// The file: scripts/start-loader.cjs, which prints the stored overview or compiles the start-up
// part with a V8 code cache; then the start-up part and the lazy part as comment text.
const startText = final.text.replace(/^#!.*\n/, '');
const startHash = createHash('sha256').update(startText).update(process.version).digest('hex').slice(0, 16);
const starter = await buildStarter(root, { startText, startHash, help, lazyText: heavy.text });
fs.mkdirSync(path.dirname(outfile), { recursive: true });
writeAtomic(outfile, `#!/usr/bin/env node\n${starter}`, 0o755);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
process.stderr.write(
  `${path.relative(root, outfile)}: ${kib(fs.statSync(outfile).size)} (start-up part ${kib(Buffer.byteLength(final.text))}, lazy part ${kib(Buffer.byteLength(heavy.text))}; shared: ${heavy.used.join(', ')})\n`,
);
