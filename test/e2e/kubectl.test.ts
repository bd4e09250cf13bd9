// End to end: the built plugin/kubectl-harbor on PATH, run through the real kubectl
// (the machine's dispatcher picks kubectl 1.32 when no server is asked).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { e2e } from '../helpers/e2e.js';
import { KC } from '../helpers/kubeconfig.js';
import { PLUGIN, ROOT } from '../helpers/run.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const h = e2e('kubectl');
let bin: string;
let kubeconfig: string;

before(() => {
  assert.ok(fs.existsSync(PLUGIN), 'npm run build first');
  bin = path.join(h.home, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(PLUGIN, path.join(bin, 'kubectl-harbor'));
  kubeconfig = new KC()
    .vsphere('10.0.0.10', 'devops@vsphere.local', ['team-a'], { 'tkc-1': '10.0.0.20' })
    .use('team-a')
    .write(bin);
});

/** The harness environment with the plugin's directory first on PATH, where kubectl finds plugins. */
const onPath = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  ...extra,
});
// Not h.kubectl: kubectl takes no flags (--cache-dir) before a plugin's name.
const kubectl = (...args: string[]) => h.run('kubectl', args, { extra: onPath() });

test('kubectl plugin list finds kubectl-harbor', async () => {
  const r = await kubectl('plugin', 'list');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(path.join(bin, 'kubectl-harbor')), r.stdout);
  assert.doesNotMatch(r.stderr, /warning/i);
});

test('kubectl harbor --help: the overview on stdout, exit 0', async () => {
  const r = await kubectl('harbor', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Other Commands:/);
  assert.match(r.stdout, /Use "kubectl harbor <command> --help"/);
  assert.equal(r.stderr, '');
});

test('kubectl harbor version', async () => {
  const r = await kubectl('harbor', 'version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `kubectl-harbor v${pkg.version}\n`);
  const j = JSON.parse((await kubectl('harbor', 'version', '-o', 'json')).stdout);
  assert.equal(j.version, `v${pkg.version}`);
  assert.match(j.gitCommit, /^([0-9a-f]{7,}|unknown)$/);
});

test('kubectl harbor context reads the kubeconfig given in either flag form', async () => {
  for (const args of [['--kubeconfig', kubeconfig], [`--kubeconfig=${kubeconfig}`]]) {
    const r = await kubectl('harbor', 'context', ...args, '--context=tkc-1', '-o', 'yaml');
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout);
    assert.equal(doc.context, 'tkc-1');
    assert.equal(doc.vsphere.kind, 'tkc');
    assert.equal(doc.vsphere.supervisorContext, '10.0.0.10');
  }
});

test('exit codes: usage error 2, failure 1; errors on stderr only, without colour when not a TTY', async () => {
  const usage = await kubectl('harbor', 'nope');
  assert.equal(usage.code, 2);
  assert.equal(usage.stdout, '');
  assert.match(usage.stderr, /^error: unknown command "nope" for "kubectl harbor"\n/);
  const failed = await kubectl('harbor', 'context', '--kubeconfig', '/does/not/exist');
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, '');
  assert.equal(failed.stderr, 'error: kubeconfig file /does/not/exist does not exist\n');
  assert.doesNotMatch(usage.stderr + failed.stderr, /\u001b\[/);
});

test('colour on a TTY, none with NO_COLOR', {
  skip: !fs.existsSync('/usr/bin/script') && 'needs script(1)',
}, async () => {
  const run = (extra: NodeJS.ProcessEnv) =>
    h.run('script', ['-qec', `${PLUGIN} context --kubeconfig /does/not/exist`, '/dev/null'], {
      extra: onPath({ TERM: 'xterm', ...extra }),
    });
  assert.match((await run({})).stdout, /\u001b\[31merror:/);
  assert.doesNotMatch((await run({ NO_COLOR: '1' })).stdout, /\u001b\[/);
});

test('--help loads neither the network stack nor the Kubernetes client', async () => {
  const out = path.join(h.home, 'modules-help');
  const r = await h.run(
    process.execPath,
    ['--require', path.join(ROOT, 'test/helpers/modules-at-exit.cjs'), PLUGIN, '--help'],
    { extra: onPath({ MODULES_OUT: out }) },
  );
  assert.equal(r.code, 0);
  const loaded = fs.readFileSync(out, 'utf8');
  for (const m of ['https', 'http2', 'tls', 'zlib'])
    assert.doesNotMatch(loaded, new RegExp(`NativeModule ${m}\\b`), `${m} was loaded`);
  const ctx = path.join(h.home, 'modules-context');
  await h.run(
    process.execPath,
    ['--require', path.join(ROOT, 'test/helpers/modules-at-exit.cjs'), PLUGIN, 'context', '--kubeconfig', kubeconfig],
    { extra: onPath({ MODULES_OUT: ctx }) },
  );
  assert.match(
    fs.readFileSync(ctx, 'utf8'),
    /NativeModule https\b/,
    'the check itself can see the client being loaded',
  );
});

test('completion through kubectl: kubectl_complete-harbor answers for subcommands, flags and values', async () => {
  const install = await kubectl('harbor', 'completion', '--install');
  assert.equal(install.code, 0, install.stderr);
  assert.equal(install.stderr, `${path.join(bin, 'kubectl_complete-harbor')} created\n`);
  assert.equal(fs.statSync(path.join(bin, 'kubectl_complete-harbor')).mode & 0o777, 0o755);
  assert.match((await kubectl('harbor', 'completion', '--install')).stderr, / unchanged\n$/);

  const complete = async (...words: string[]) =>
    (await kubectl('__complete', 'harbor', ...words)).stdout.trim().split('\n');
  assert.deepEqual(await complete('ver'), ['version\tPrint the version of kubectl-harbor', ':4']);
  assert.ok(
    (await complete('')).includes('context\tShow the context, namespace and vSphere session that commands will use'),
  );
  assert.deepEqual(await complete('version', '--out'), ['--output\tOutput format: json, yaml, name or wide', ':4']);
  assert.deepEqual(await complete('version', '-o', 'y'), ['yaml', ':4']);
  assert.deepEqual(await complete('context', `--kubeconfig=${kubeconfig}`, '--context', 't'), [
    'team-a',
    'tkc-1',
    ':4',
  ]);
  assert.deepEqual(await complete('context', '--kubeconfig', kubeconfig, '--context=1'), ['--context=10.0.0.10', ':4']);
});

test('the bundle reaches the API from its lazily loaded part: namespaces complete from a live server', async () => {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/api/v1/namespaces') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: {},
        items: [
          { metadata: { name: 'team-a' } },
          { metadata: { name: 'team-b' } },
          { metadata: { name: 'kube-system' } },
        ],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const file = new KC()
      .cluster('live', `http://127.0.0.1:${port}`)
      .ctx('live', 'live', 'u')
      .use('live')
      .write(h.home, 'live.kubeconfig');
    const r = await h.harbor(['__complete', 'context', '--kubeconfig', file, '-n', 'team'], { extra: onPath() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['team-a', 'team-b', ':4']);
  } finally {
    server.close();
  }
});
