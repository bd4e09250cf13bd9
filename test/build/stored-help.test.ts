// The built plugin prints the stored overview (scripts/start-loader.cjs) with the same bytes
// as the CLI in-process, colours off and on (a TTY through script(1)), with NO_COLOR; it does
// so without compiling the start-up part (no start-*.v8 is written); `--help | head` exits 0.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { OVERVIEW_FORMS, runHelp } from '../../scripts/help-texts.js';
import { tempDir } from '../helpers/kubeconfig.js';
import { baseEnv, PLUGIN, ROOT } from '../helpers/run.js';

const home = tempDir();
const env = baseEnv({ HOME: home, XDG_CACHE_HOME: path.join(home, 'cache') });

before(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
});

test('every stored form: the built plugin prints what the CLI prints, exit 0, nothing on stderr', async () => {
  for (const argv of OVERVIEW_FORMS) {
    const r = spawnSync(PLUGIN, argv, { env, encoding: 'utf8' });
    assert.equal(r.status, 0, JSON.stringify(argv));
    assert.equal(r.stderr, '', JSON.stringify(argv));
    assert.equal(r.stdout, (await runHelp(argv, false)).stdout, JSON.stringify(argv));
  }
  assert.ok(!fs.existsSync(path.join(home, 'cache', 'kubectl-harbor')), 'the start-up part was not compiled');
});

test('on a TTY, with and without NO_COLOR', {
  skip: !fs.existsSync('/usr/bin/script') && 'needs script(1)',
}, async () => {
  for (const argv of OVERVIEW_FORMS)
    for (const extra of [{ TERM: 'xterm' }, { TERM: 'xterm', NO_COLOR: '1' }, { TERM: 'dumb' }]) {
      const line = [PLUGIN, ...argv].join(' ');
      const r = spawnSync('script', ['-qec', line, '/dev/null'], { env: { ...env, ...extra }, encoding: 'utf8' });
      assert.equal(r.status, 0, line);
      const live = await runHelp(argv, true, extra);
      assert.equal(r.stdout.replace(/\r\n/g, '\n'), live.stdout, `${line} ${JSON.stringify(extra)}`);
    }
});

test('--help | head -1 and | true: the closed pipe is not an error', () => {
  for (const reader of ['head -1', 'true']) {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"$0" --help | ${reader}`, PLUGIN], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, reader);
    assert.equal(r.stderr, '', reader);
    if (reader === 'head -1') assert.match(r.stdout, /^kubectl-harbor makes pods pull from Harbor .*\n$/);
  }
});
