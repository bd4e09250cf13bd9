// The first lines of plugin/kubectl-harbor (see scripts/build.mjs and scripts/starter.mjs):
// they compile the start-up part with a V8 code cache, as scripts/lazy-loader.cjs does for the
// lazy part. Node 20 keeps no compile cache for a plain script, so every run would parse the
// start-up part and compile each function it calls (~10 ms of a 40 ms `--help`). The start-up
// part's source follows this code in the same file, as line comments after the line
// __HARBOR_START_MARK__ (its last one; scripts/starter.mjs), and is read back from the file. The build fills
// three placeholders through esbuild's `define`:
//   __HARBOR_START_MARK__    the line before the start-up part
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
  // ASCII (the build checks), so latin1 reads it as it was written; each line starts with `//`
  // (`\n//` after the mark).
  const own = fs.readFileSync(__filename, 'latin1');
  const at = own.lastIndexOf(__HARBOR_START_MARK__) + __HARBOR_START_MARK__.length + 3;
  const source = own.slice(at).replaceAll('\n//', '\n');
  const script = new vm.Script(`(function (require, module, exports, __dirname, __filename) {${source}\n})`, {
    filename: __filename,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) process.once('exit', writeCache);
  script.runInThisContext()(require, module, exports, __dirname, __filename);

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
