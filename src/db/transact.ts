import type { Transaction } from 'kysely';
import type { Db } from './connect.js';
import { isConnectionError } from './errors.js';
import type { Database } from './types.js';

/** The connection died while committing: the change may or may not have been stored. */
export class UncertainCommitError extends Error {
  constructor(override readonly cause: unknown) {
    super('the database connection was lost while committing');
    this.name = 'UncertainCommitError';
  }
}

/**
 * A transaction that tells "not stored" apart from "maybe stored": a connection lost after the
 * work was done (during COMMIT) becomes UncertainCommitError, so nobody is told "nothing was
 * recorded" about a change Postgres may have kept.
 */
export async function transact<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  let workDone = false;
  try {
    return await db.transaction().execute(async (trx) => {
      const result = await work(trx);
      workDone = true;
      return result;
    });
  } catch (err) {
    if (workDone && isConnectionError(err)) throw new UncertainCommitError(err);
    throw err;
  }
}
