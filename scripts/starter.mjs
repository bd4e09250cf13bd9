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
      ...(common.plugins ?? []),
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

/**
 * The file after its `#!` line: start-loader.cjs (with the start-up part's cache name and the
 * stored help), then the start-up part as the body of a function that is never called, one line
 * comment per line. V8 skips comments faster than it scans and copies an 840 KB string literal
 * (~3 ms of every run), and the loader takes the text back from the function's source
 * (Function.prototype.toString: the script's own text, not a second read of the file).
 */
export async function buildStarter(root, { startText, startHash, help, lazyText }) {
  for (const [what, text] of [
    ['start-up', startText],
    ['lazy', lazyText],
  ])
    if (!/^[\x00-\x7f]*$/.test(text) || text.includes('\r'))
      throw new Error(`the ${what} part must be ASCII, without carriage returns, to travel as line comments`);
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
      __HARBOR_START_CACHE__: JSON.stringify(`start-${startHash}.v8`),
      __HARBOR_STORED_HELP__: JSON.stringify(help),
    },
  });
  const comments = (text) => `//${text.replaceAll('\n', '\n//')}`;
  // The lazy part the same way, as __harbor_lazy (scripts/lazy-loader.cjs): skipping ~1 MB of
  // comments costs every run ~1 ms; inflating it from gzip cost each command that loads it ~4 ms.
  return `${result.outputFiles[0].text.trimEnd()}\nfunction __harbor_start() {\n${comments(startText)}\n}\nfunction __harbor_lazy() {\n${comments(lazyText)}\n}\n`;
}
