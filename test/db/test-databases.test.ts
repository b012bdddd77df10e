import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.js';
import { openTestDb, testDbKind, type OpenedTestDb } from '../helpers/db.js';
import { testEngine } from '../helpers/engine.js';

/**
 * A test file's database is kept for the next file in the same worker (helpers/pglite-pool.ts,
 * helpers/pg-schema-pool.ts). What the next file must find is what a fresh migrated database
 * holds: no rows, sequences from 1, and the make-up the migrations gave it, whatever the file did.
 */

/** Which database this is: the schema on Postgres, the embedded instance's start on PGlite. */
async function identity(t: OpenedTestDb): Promise<string> {
  if (t.schema) return t.schema;
  const { rows } = await sql<{ at: string }>`select pg_postmaster_start_time()::text as at`.execute(t.db);
  return rows[0]!.at;
}

async function rowsIn(db: Db, table: 'cohorts' | 'members' | 'stall_queue' | 'audit_log'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

async function cohortWithALearner(db: Db): Promise<void> {
  const e = await testEngine(db, '2027-01-01T10:00:00Z', { admins: [{ platform: 'local', userId: 'olga' }] });
  await e.run(e.as('olga', { admin: true }), '/cohort create name:Spring program:ds-to-mle start:2027-01-04 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(e.as('maria'), '/cohort join');
}

describe(`a test database given back (${testDbKind})`, () => {
  it('is the same database, with every table empty and every sequence restarted, for the next file', async () => {
    const first = await openTestDb();
    await cohortWithALearner(first.db);
    expect(await rowsIn(first.db, 'members')).toBe(1);
    // The join queued the learner for the stall evaluation (a trigger), under a sequence no table owns.
    expect(await rowsIn(first.db, 'stall_queue')).toBeGreaterThan(0);
    const was = await identity(first);
    await first.close();

    const next = await openTestDb();
    try {
      expect(await identity(next)).toBe(was);
      for (const table of ['cohorts', 'members', 'stall_queue', 'audit_log'] as const) expect(await rowsIn(next.db, table), table).toBe(0);
      await cohortWithALearner(next.db);
      const ids = await next.db.selectFrom('members').select('id').execute();
      expect(ids).toEqual([{ id: 1 }]);
      const { rows } = await sql<{ seq: string }>`select min(seq)::text as seq from stall_queue`.execute(next.db);
      expect(rows[0]!.seq).toBe('1');
    } finally {
      await next.close();
    }
  });

  it('is not kept when the file changed its make-up: the next file gets a fresh one', async () => {
    const changed = await openTestDb();
    await sql`alter table cohorts add column scratch text`.execute(changed.db);
    const was = await identity(changed);
    await changed.close();

    const next = await openTestDb();
    try {
      expect(await identity(next)).not.toBe(was);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.columns where table_schema = current_schema() and table_name = 'cohorts' and column_name = 'scratch'`.execute(next.db);
      expect(rows[0]!.n).toBe(0);
      if (testDbKind === 'postgres') {
        const gone = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${was}`.execute(next.db);
        expect(gone.rows[0]!.n).toBe(0);
      }
    } finally {
      await next.close();
    }
  });
});
