// The runtime of the lazy (heavy) part, bundled into the start-up part as the module
// `harbor:heavy` (see scripts/build.mjs). build.mjs fills three placeholders through
// esbuild's `define`:
//   __HARBOR_LAZY_SEA__     true in a SEA build, where the source is the `lazy.js` asset
// In the plugin file the source is the body of __harbor_lazy, a function that is never called,
// one `//` per line (scripts/starter.mjs), which the start-up part receives as a parameter:
// its text comes back through Function.prototype.toString, with nothing to inflate or decode.
//   __HARBOR_LAZY_CACHE__   the V8 cache file's name, lazy-<hash>.v8 (per version and content)
//
// The lazy part is compiled only when a command first imports from it, with a V8 code
// cache in the user's cache directory: compiling 4 MB of JavaScript on every run costs
// more than the work. V8 checks the cache against the source and ignores one that does
// not match.

const shared = {};
let modules;

/** The entry wrapper registers the light modules the lazy part shares (one instance of each). */
exports.share = (k, m) => {
  shared[k] = m;
};

/** The exports of lazy module `k`; the first call compiles the lazy part. */
exports.load = (k) => {
  if (!modules) modules = compile();
  return modules[k]();
};

function compile() {
  const vm = require('node:vm');
  const fs = require('node:fs');
  const path = require('node:path');
  const os = require('node:os');
  const source = __HARBOR_LAZY_SEA__ ? require('node:sea').getAsset('lazy.js', 'utf8') : fromComments();
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kubectl-harbor');
  const file = path.join(dir, __HARBOR_LAZY_CACHE__);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {}
  // __dirname and __filename as a CommonJS module has them (ssh2's wasm loader reads them).
  const script = new vm.Script(
    `(function (require, module, exports, __harbor_shared, __dirname, __filename) {${source}\n})`,
    { filename: 'kubectl-harbor/lazy.js', cachedData },
  );
  const m = { exports: {} };
  script.runInThisContext()(require, m, m.exports, (s) => shared[s], __dirname, __filename);
  if (!cachedData || script.cachedDataRejected) {
    // Written at exit, so the functions this run compiled lazily are in it too.
    process.once('exit', () => writeCache(fs, path, dir, file, script));
  }
  return m.exports;
}

/** `function __harbor_lazy() {\n//…\n//…\n}`: the text without the wrapper and the `//`s. */
function fromComments() {
  const own = __harbor_lazy.toString();
  return own.slice(own.indexOf('{') + 4, own.lastIndexOf('\n}')).replaceAll('\n//', '\n');
}

/** Atomically (temporary file, rename), 0600 in a 0700 directory; never fails the command. */
function writeCache(fs, path, dir, file, script) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    return;
  }
  // The caches of other versions or builds are dead weight (4 MB or more each): remove them.
  // Temporary files (lazy-*.v8.<pid>) belong to running processes and stay.
  try {
    for (const name of fs.readdirSync(dir)) {
      if (name === path.basename(file) || !/^lazy-[0-9a-z]+\.v8$/.test(name)) continue;
      try {
        fs.unlinkSync(path.join(dir, name));
      } catch {}
    }
  } catch {}
}
