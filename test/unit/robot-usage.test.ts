// The robot commands' and login's new flags: every bad value is a usage error (exit 2)
// before any file, network or API access (no kubeconfig exists here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from '../helpers/run.js';

const usage = async (argv: string[], pattern: RegExp): Promise<void> => {
  const r = await cli(argv, { KUBECONFIG: '/nonexistent/kubeconfig' });
  assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr.split('\n')[0]!, pattern, argv.join(' '));
  assert.equal(r.stdout, '');
};

test('robot create: bad --duration, --name, missing --project are usage errors', async () => {
  const base = ['robot', 'create', 'h.example.com', '-u', 'admin', '--password-stdin'];
  await usage([...base], /--project is required/);
  await usage(
    [...base, '--project', 'p', '--duration', '0'],
    /--duration "0" must be a whole number of days from 1 to 3650/,
  );
  await usage([...base, '--project', 'p', '--duration', '100000'], /--duration "100000" must be/);
  await usage([...base, '--project', 'p', '--duration=-1'], /--duration "-1" must be/);
  await usage([...base, '--project', 'p', '--duration', '2.5'], /--duration "2.5" must be/);
  await usage([...base, '--project', 'p', '--name', 'a+b'], /--name "a\+b" is not a valid robot name/);
  await usage([...base, '--project', 'p', '--name', 'robot$x'], /--name "robot\$x" is not a valid robot name/);
  await usage([...base, '--project', 'P!'], /--project "P!" is not a Harbor project name/);
  await usage([...base, '--project', 'p', '-p', 'x'], /either --password-stdin or -p/);
  await usage([...base, '--project', 'p', '-n', 'a', '-A'], /only one of/);
  await usage([...base, '--project', 'p', '--bind-sa', 'Bad_SA'], /--bind-sa "Bad_SA" is not a valid/);
});

test('robot refresh/delete/list: bad flags are usage errors', async () => {
  await usage(['robot', 'refresh', 'Bad_Name'], /SECRET "Bad_Name" is not a valid/);
  await usage(['robot', 'delete', '-n', 'a', '--namespaces', 'b'], /only one of/);
  await usage(['robot', 'list', '-o', 'name'], /does not support -o name/);
});

test('login: --warn-days, --project and --image are checked before anything', async () => {
  const base = ['login', 'h.example.com:8443', '-u', 'u', '--password-stdin'];
  await usage([...base, '--warn-days', '0'], /--warn-days "0" must be a whole number/);
  await usage([...base, '--warn-days', 'soon'], /--warn-days "soon" must be/);
  await usage([...base, '--project', 'a+b'], /--project "a\+b" is not a Harbor project name/);
  await usage([...base, '--image', 'other.example.com/lab/tiny:1'], /is on other\.example\.com, not on the registry/);
  await usage([...base, '--image', 'h.example.com:8443/tiny'], /not an image reference on a Harbor/);
  await usage([...base, '--image', 'h.example.com:8443/Lab/tiny:1'], /not an image reference/);
});
