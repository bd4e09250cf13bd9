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

/** The line before the start-up part; the last one in the file (scripts/start-loader.cjs looks from the end). */
const MARK = '//!harbor-start';

/**
 * The file after its `#!` line: start-loader.cjs (with the start-up part's cache name and the
 * stored help), then the start-up part as line comments, one `//` per line: V8 skips a comment
 * faster than it scans and copies an 840 KB string literal (~3 ms of every run), and the loader
 * reads its own file to take the text back.
 */
export async function buildStarter(root, { startText, startHash, help }) {
  if (!/^[\x00-\x7f]*$/.test(startText) || startText.includes('\r') || startText.includes(MARK))
    throw new Error(`the start-up part must be ASCII, without carriage returns or ${MARK}, to travel as line comments`);
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
      __HARBOR_START_MARK__: JSON.stringify(MARK),
      __HARBOR_START_CACHE__: JSON.stringify(`start-${startHash}.v8`),
      __HARBOR_STORED_HELP__: JSON.stringify(help),
    },
  });
  return `${result.outputFiles[0].text.trimEnd()}\n${MARK}\n//${startText.replaceAll('\n', '\n//')}`;
}
