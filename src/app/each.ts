// Work on many targets at once (namespaces, ServiceAccounts): a bounded pool, every target
// attempted, and on a terminal a spinner that counts them (`login: 12/40 namespaces done,
// waiting on prod (4s), 9s`).
import { mapPool } from '../pool.js';
import type { Session } from './session.js';

export async function forEach<T>(
  s: Session,
  label: string,
  noun: string,
  items: readonly string[],
  parallel: number,
  work: (item: string) => Promise<T>,
): Promise<T[]> {
  const tally = await s.tally(label, items.length, noun);
  try {
    return await mapPool(items, parallel, (item) => tally.run(item, () => work(item)));
  } finally {
    tally.stop();
  }
}
