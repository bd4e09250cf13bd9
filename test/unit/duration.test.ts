// kubectl's duration syntax (parseDuration, for --request-timeout and --ttl), and the
// --ttl rule (parseSeconds: a duration of at least a minimum, in whole seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeconds } from '../../src/commands/options.js';
import { parseDuration } from '../../src/duration.js';
import { isUsageError } from '../../src/errors.js';

test('parseDuration: bare seconds, units, compounds, fractions, in milliseconds', () => {
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1h2m3s4ms'), 3_723_004);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration(' 10s '), 10_000);
});

test('parseDuration: anything else is undefined', () => {
  for (const bad of ['', ' ', 's', '1d', '10 s', '-5s', '1m 30s', '5sx', 'abc', '1.5', '1e3'])
    assert.equal(parseDuration(bad), undefined, bad);
});

test('parseSeconds: whole seconds at or above the minimum', () => {
  assert.equal(parseSeconds('--ttl', '1h', 60, '30m or 2h'), 3600);
  assert.equal(parseSeconds('--ttl', '60', 60, '30m or 2h'), 60);
  assert.equal(parseSeconds('--ttl', '1m', 60, '30m or 2h'), 60);
  assert.equal(parseSeconds('--ttl', '90500ms', 60, '30m or 2h'), 91);
});

test('parseSeconds: too short or not a duration is a usage error that names the flag, the minimum and an example', () => {
  for (const bad of ['5s', '59s', '0', 'soon', '']) {
    assert.throws(
      () => parseSeconds('--ttl', bad, 60, '30m or 2h'),
      (e: unknown) =>
        isUsageError(e) &&
        (e as Error).message === `--ttl "${bad}" must be a duration of at least 1m, such as 30m or 2h`,
      bad,
    );
  }
  assert.throws(
    () => parseSeconds('--wait', '1s', 5, '10s'),
    /--wait "1s" must be a duration of at least 5s, such as 10s/,
  );
});
