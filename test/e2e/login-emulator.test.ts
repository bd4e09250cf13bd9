// `kubectl harbor login`, the cases that need only a Supervisor emulator of this file's own
// (no registry, no lab): these run without root. The cases that need the lab's registries
// are in login.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2e, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

describe('kubectl harbor login (API emulator only)', () => {
  const h = e2e('login-emulator');
  supervisorFixture(h, { namespaces: ['dev', 'prod', 'locked', 'team-a'] });
  const harbor = (args: string[], opts: { input?: string } = {}): Promise<Result> =>
    h.harbor(args, { input: opts.input });

  test('bad input is a usage error (exit 2): a path, user info, http:// without --plain-http', async () => {
    for (const [reg, msg] of [
      ['harbor.example.com/library', /has a path/],
      ['user@harbor.example.com', /contains user info/],
      ['http://harbor.example.com', /pass --plain-http/],
    ] as const) {
      const r = await harbor(['login', reg, '-u', 'x', '--password-stdin'], { input: 'x\n' });
      assert.equal(r.code, 2, reg);
      assert.match(r.stderr, msg);
    }
  });
});
