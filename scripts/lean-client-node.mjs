// An esbuild plugin for scripts/build.mjs: @kubernetes/client-node as the plugin uses it.
//
// The plugin keeps client-node for what it does well (kubeconfig loading, auth providers,
// exec plugins, TLS options, the exec websocket) and sends every REST call through
// KubeClient.rest() (src/kube/rest.ts): plain JSON. So the bundle needs none of the
// generated API and model classes (`dist/gen`, 1.2 MB) nor node-fetch (whose URL parser
// brings 0.5 MB of Unicode tables): compiling and initialising them was most of what a
// command paid to load the lazy part. Here:
// - `import { ... } from '@kubernetes/client-node'` in src/ resolves to the few classes
//   the plugin uses; a value import of anything else (CoreV1Api, say) fails the build;
// - Exec, and config.js's proxy agents, load their modules (ws; socks, hpagent) when the first
//   instance is made, not at every start (~3 ms);
// - config.js's import of `./gen/index.js` (only for makeApiClient) becomes a stub that
//   throws, as does node-fetch (config.js's Headers serve applyToFetchOptions, the generated
//   fetch library the typed clients; the plugin calls neither);
// - checkLean() fails the build if any other generated module got in after all.
import fs from 'node:fs';
import path from 'node:path';

const NS = 'lean-client-node';
const LEAN = [
  'KubeConfig from config.js',
  'RequestContext from gen/http/http.js',
  'ApiException from gen/apis/exception.js',
];
// The generated modules RequestContext and ApiException live in, and nothing else.
const ALLOWED_GEN = /\/dist\/gen\/(http\/http|http\/isomorphic-fetch|apis\/exception|rxjsStub)\.js$/;

export function leanClientNode(root) {
  // Real paths, as esbuild reports importers (node_modules may be a symlink, as in a git worktree).
  const dist = fs.realpathSync(path.join(root, 'node_modules/@kubernetes/client-node/dist'));
  const fromSrc = (importer) => importer.startsWith(path.join(root, 'src') + path.sep);
  const fromDist = (importer) => importer.startsWith(dist + path.sep);
  const stub = (what) =>
    `() => { throw new Error(${JSON.stringify(`${what} is not bundled (see scripts/lean-client-node.mjs)`)}); }`;
  return {
    name: NS,
    setup(b) {
      b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (a) =>
        fromSrc(a.importer) ? { path: 'index', namespace: NS } : undefined,
      );
      b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (a) =>
        a.importer === path.join(dist, 'config.js') ? { path: 'gen', namespace: NS } : undefined,
      );
      b.onResolve({ filter: /^node-fetch$/ }, (a) =>
        fromDist(a.importer) ? { path: 'node-fetch', namespace: NS } : undefined,
      );
      // Proxy agents only for a kubeconfig with proxy-url: loaded when one is made.
      b.onResolve({ filter: /^(socks-proxy-agent|hpagent)$/ }, (a) =>
        a.importer === path.join(dist, 'config.js') ? { path: a.path, namespace: NS } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: NS }, (a) => {
        const contents = {
          // Exec (pods/exec over a websocket: ws) is loaded when the first one is made.
          index: [
            ...LEAN.map((l) => {
              const [name, file] = l.split(' from ');
              return `export { ${name} } from ${JSON.stringify(path.join(dist, file))};`;
            }),
            lazyClass('Exec', path.join(dist, 'exec.js')),
          ].join('\n'),
          'socks-proxy-agent': lazyClass('SocksProxyAgent', 'socks-proxy-agent'),
          hpagent: [lazyClass('HttpProxyAgent', 'hpagent'), lazyClass('HttpsProxyAgent', 'hpagent')].join('\n'),
          gen: `const no = ${stub('the generated API client')};\nexport const createConfiguration = no;\nexport class ServerConfiguration { constructor() { no(); } }`,
          // Not `= globalThis.Headers`: reading that global loads node's fetch (undici), ~20 ms.
          'node-fetch': `const no = ${stub('node-fetch')};\nexport default no;\nexport class Headers { constructor(init) { return new globalThis.Headers(init); } }`,
        }[a.path];
        return { contents, loader: 'js', resolveDir: dist };
      });
    },
  };
}

/**
 * A class whose module is required (and initialised) when the first instance is made: esbuild
 * wraps a module reached through require() so that its code runs only then.
 */
const lazyClass = (name, from) =>
  `export class ${name} { constructor(...a) { return new (require(${JSON.stringify(from)}).${name})(...a); } }`;

/** Throws if a build's metafile holds generated client-node code or node-fetch after all. */
export function checkLean(metafile) {
  const bad = Object.keys(metafile.inputs).filter(
    (f) =>
      (f.includes('/client-node/dist/gen/') && !ALLOWED_GEN.test(f)) ||
      /node_modules\/(node-fetch|whatwg-url|tr46)\//.test(f),
  );
  if (bad.length) throw new Error(`the lazy part holds generated client-node code: ${bad.slice(0, 5).join(', ')}`);
}
