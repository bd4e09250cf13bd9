// The first lines of plugin/kubectl-harbor (see scripts/build.mjs and scripts/starter.mjs):
// they compile the start-up part with a V8 code cache, as scripts/lazy-loader.cjs does for the
// lazy part. Node 20 keeps no compile cache for a plain script, so every run would parse the
// start-up part and compile each function it calls (~10 ms of a 40 ms `--help`). The start-up
// part's source follows this code in the same file, as the body of __harbor_start (never
// called), one `//` per line (scripts/starter.mjs). The build fills two placeholders through
// esbuild's `define`:
//   __HARBOR_START_CACHE__   the cache file's name, start-<hash>.v8 (per version and content)
//   __HARBOR_STORED_HELP__   the overview as the CLI prints it (scripts/help-texts.ts)
// The overview (no arguments, `--help`, `-h`, `help`) is printed from the stored text before
// any of that (src/output/stored-help.ts): compiling the start-up part and building the CLI
// cost more than the rest of such a run.
// The cache is written at exit of a run that found none (or one V8 rejected), so it holds
// the functions that run compiled; it never fails the command.
const { printStoredHelp } = require('../src/output/stored-help.ts');

if (!printStoredHelp(process.argv.slice(2), __HARBOR_STORED_HELP__, process, 1)) start();

/** Compile and run the start-up part. */
function start() {
  const vm = require('node:vm');
  const fs = require('node:fs');
  const path = require('node:path');
  const os = require('node:os');

  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubectl-harbor');
  const file = path.join(dir, __HARBOR_START_CACHE__);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {}
  // `function __harbor_start() {\n//…\n//…\n}`: the script's own text, without the wrapper and the `//`s.
  const own = __harbor_start.toString();
  const source = own.slice(own.indexOf('{') + 4, own.lastIndexOf('\n}')).replaceAll('\n//', '\n');
  const script = new vm.Script(
    `(function (require, module, exports, __dirname, __filename, __harbor_lazy) {${source}\n})`,
    {
      filename: __filename,
      cachedData,
    },
  );
  if (!cachedData || script.cachedDataRejected) process.once('exit', writeCache);
  script.runInThisContext()(require, module, exports, __dirname, __filename, __harbor_lazy);

  /** Atomically (temporary file, rename), 0600 in a 0700 directory; then the other start-*.v8 go. */
  function writeCache() {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
      for (const name of fs.readdirSync(dir)) {
        if (name === path.basename(file) || !/^start-[0-9a-z]+\.v8$/.test(name)) continue;
        try {
          fs.unlinkSync(path.join(dir, name));
        } catch {}
      }
    } catch {}
  }
}
