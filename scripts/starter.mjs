// The first lines of plugin/kubectl-harbor: scripts/start-loader.cjs, bundled with the stored
// overview (scripts/help-texts.ts, printed by src/output/stored-help.ts) so that `--help` is
// answered before the start-up part is even compiled. Called by scripts/build.mjs.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * The overview as the CLI prints it, for esbuild's `define`: scripts/help-texts.ts is bundled
 * from the sources (what its commands import lazily is left out: help never runs it) and run here.
 */
export async function storedHelp(root, common) {
  const result = await build({
    ...common,
    minify: false,
    metafile: false,
    entryPoints: [path.join(root, 'scripts/help-texts.ts')],
    plugins: [
      {
        name: 'no-lazy',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (a) =>
            a.kind === 'dynamic-import' ? { path: a.path, external: true } : undefined,
          );
        },
      },
    ],
  });
  const file = path.join(root, 'scripts/help-texts.cjs');
  const m = { exports: {} };
  vm.runInThisContext(`(function (module, exports, require) {${result.outputFiles[0].text}\n})`, { filename: file })(
    m,
    m.exports,
    createRequire(file),
  );
  return m.exports.storedHelp();
}

/** The loader's code: start-loader.cjs with the start-up part's source, its cache name and the stored help. */
export async function buildStarter(root, { startText, startHash, help }) {
  const result = await build({
    entryPoints: [path.join(root, 'scripts/start-loader.cjs')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: {
      __HARBOR_START_SOURCE__: JSON.stringify(startText),
      __HARBOR_START_CACHE__: JSON.stringify(`start-${startHash}.v8`),
      __HARBOR_STORED_HELP__: JSON.stringify(help),
    },
  });
  return result.outputFiles[0].text;
}
