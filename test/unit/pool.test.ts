// mapPool: results in input order, at most `limit` in flight, every item attempted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapPool } from '../../src/pool.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('results keep the input order even when later items finish first', async () => {
  const out = await mapPool([30, 5, 20, 1, 10], 3, async (ms, i) => (await sleep(ms), `${i}:${ms}`));
  assert.deepEqual(out, ['0:30', '1:5', '2:20', '3:1', '4:10']);
});

test('never more than limit in flight, and the limit is used', async () => {
  let now = 0;
  let peak = 0;
  await mapPool(
    Array.from({ length: 20 }, (_, i) => i),
    4,
    async (i) => {
      peak = Math.max(peak, ++now);
      await sleep(i % 3);
      now--;
    },
  );
  assert.equal(peak, 4);
});

test('every item is attempted exactly once; one slow item does not hold back the others', async () => {
  const seen: number[] = [];
  const order: number[] = [];
  await mapPool([0, 1, 2, 3, 4, 5], 2, async (i) => {
    seen.push(i);
    await sleep(i === 0 ? 40 : 1);
    order.push(i);
  });
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5]);
  assert.equal(order.at(-1), 0, 'the other worker finished the rest while item 0 was slow');
});

test('no items: no calls; a limit above the count or below 1 still works', async () => {
  let calls = 0;
  assert.deepEqual(await mapPool([], 5, async () => ++calls), []);
  assert.equal(calls, 0);
  assert.deepEqual(await mapPool([1, 2], 64, async (x) => x * 2), [2, 4]);
  assert.deepEqual(await mapPool([1, 2, 3], 0, async (x) => x + 1), [2, 3, 4]);
});

test('a rejected item rejects the pool (callers catch per item: a node fails alone)', async () => {
  await assert.rejects(
    mapPool([1, 2, 3], 2, async (x) => (x === 2 ? Promise.reject(new Error('boom')) : x)),
    /boom/,
  );
});
