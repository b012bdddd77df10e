import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/types.js';
import type { Transaction } from 'kysely';

/** Rows per statement: well under Postgres' 65,535 bind parameters, small enough to keep locks short. */
export const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // deadlock_detected, serialization_failure: two replicas touching the same rows in another order.
  return code === '40P01' || code === '40001';
}

/** A transaction retried when Postgres picks it as a deadlock victim (two scans at once). */
export async function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (attempt >= 3 || !isRetryable(err)) throw err;
    }
  }
}
