// `kubectl harbor status` (issue 17, part 4) against the lab's Harbor: every managed pull
// secret with its user, robot expiry and ServiceAccounts; --check-access contacts Harbor
// (authenticates? may still pull?); --check exits 1 for anything expired, expiring within
// --warn-days, or failing, so cron and CI can run it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { e2e, labFixture, needsLab, supervisorFixture } from '../helpers/e2e.js';
import type { Result } from '../helpers/run.js';

interface Row {
  namespace: string;
  secret: string;
  user: string;
  kind: string;
  expiresAt: string | null;
  daysLeft: number | null;
  serviceAccounts: string[];
  authenticates: string;
  mayPull: string;
  problem: string | null;
}

describe('kubectl harbor status', needsLab, () => {
  // Robots live on in the lab's Harbor between runs: a new name each run.
  const robotName = `status-${Date.now().toString(36)}`;
  const h = e2e('status');
  const lab = labFixture(h);
  const fx = supervisorFixture(h, () => ({ harbor: lab.info.harbor, namespaces: ['st-a', 'st-b'] }));
  const admin = (args: string[], input?: string): Promise<Result> =>
    h.harbor([...args, '-u', 'admin', '--password-stdin', '--ca-file', lab.info.ca], {
      input: input ?? `${lab.info.users.admin}\n`,
    });
  const status = async (...args: string[]): Promise<{ r: Result; rows: Row[] }> => {
    const r = await h.harbor(['status', '--namespaces', 'st-a,st-b', '--ca-file', lab.info.ca, ...args], {
      kubeconfig: fx.kubeconfigs.admin,
    });
    return { r, rows: args.includes('json') ? (JSON.parse(r.stdout).items as Row[]) : [] };
  };

  test('a robot made by robot create: kind, expiry, bound ServiceAccount; authenticates and pulls; --check with --warn-days', async () => {
    const made = await admin([
      'robot',
      'create',
      lab.info.harbor,
      '--project',
      'lab',
      '--name',
      robotName,
      '--duration',
      '30',
      '-n',
      'st-a',
      '--bind-sa',
      'default',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const { r, rows } = await status('--check-access', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const row = rows.find((x) => x.namespace === 'st-a' && x.user.endsWith(`lab+${robotName}`))!;
    assert.ok(row, r.stdout);
    assert.equal(row.kind, 'robot');
    assert.ok(row.daysLeft === 29 || row.daysLeft === 30, String(row.daysLeft));
    assert.deepEqual(row.serviceAccounts, ['default']);
    assert.deepEqual([row.authenticates, row.mayPull, row.problem], ['yes', 'yes', null]);
    assert.equal((await status('--check')).r.code, 0);
    const soon = await status('--check', '--warn-days', '40');
    assert.equal(soon.r.code, 1);
    assert.match(soon.r.stderr, /expires in \d+ days/);
  });

  test('an expired robot and a robot deleted in Harbor no longer authenticate: --check-access --check exits 1', async () => {
    const old = lab.info.robots.find((x) => x.expired)!;
    const r = await h.harbor(
      ['login', lab.info.harbor, '-u', old.name, '--password-stdin', '--skip-verify', '-n', 'st-b'],
      {
        kubeconfig: fx.kubeconfigs.admin,
        input: `${old.secret}\n`,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const { r: checked, rows } = await status('--check-access', '--check', '-o', 'json');
    assert.equal(checked.code, 1);
    const row = rows.find((x) => x.namespace === 'st-b')!;
    assert.equal(row.authenticates, 'no', JSON.stringify(row));
    assert.match(row.problem ?? '', /wrong username or password|refused|Unauthorized/i);
    // Text form: a table on stdout, the problem on stderr, exit 1 with --check.
    const text = await status('--check-access', '--check');
    assert.equal(text.r.code, 1);
    assert.match(
      text.r.stdout,
      /^NAMESPACE\s+SECRET\s+REGISTRY\s+USER\s+KIND\s+EXPIRES\s+SERVICEACCOUNTS\s+AUTH\s+PULL/m,
    );
    assert.match(text.r.stderr, /need attention/);
  });
});
