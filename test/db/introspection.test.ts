import { randomBytes } from 'node:crypto';
import { PostgresIntrospector, sql, type Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/connect.js';
import type { Database } from '../../src/db/types.js';
import { testDbKind, useTestDb } from '../helpers/db.js';

const t = useTestDb();

// The Postgres test files share one database, a schema each, and each drops its schema when done.
// A migration that read another file's schema under a snapshot taken before that schema was dropped
// failed with `schema "t_…" does not exist` (see src/db/search-path-dialect.ts). A repeatable-read
// transaction holds such a snapshot on purpose, so the race is shown every time.
describe.skipIf(testDbKind !== 'postgres')('introspection while another session drops a schema (Postgres)', () => {
  async function withOtherSchemaDroppedUnderSnapshot<T>(read: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const other = `gone_${randomBytes(5).toString('hex')}`;
    const admin = await createDb({ databaseUrl: t.databaseUrl, dataDir: null, poolSize: 1 });
    try {
      await sql.raw(`create schema ${other}; create table ${other}.learners (id serial primary key, name text)`).execute(admin.db);
      return await t.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          await sql.raw(`drop schema ${other} cascade`).execute(admin.db);
          return read(trx);
        });
    } finally {
      await sql.raw(`drop schema if exists ${other} cascade`).execute(admin.db);
      await admin.close();
    }
  }

  it("fails kysely's own introspector, which reads every schema in the database", async () => {
    await expect(withOtherSchemaDroppedUnderSnapshot((trx) => new PostgresIntrospector(trx).getTables({ withInternalKyselyTables: true }))).rejects.toThrow(
      /schema "gone_[0-9a-f]+" does not exist/,
    );
  });

  it("leaves the bot's introspector, which reads only the schemas on its search_path, answering for its own tables", async () => {
    const tables = await withOtherSchemaDroppedUnderSnapshot((trx) => trx.introspection.getTables({ withInternalKyselyTables: true }));
    const names = tables.map((x) => `${x.schema}.${x.name}`);
    expect(names).toContain(`${t.schema}.kysely_migration`);
    expect(names).toContain(`${t.schema}.cohorts`);
    expect(names.some((n) => n.startsWith('gone_'))).toBe(false);
    const cohorts = tables.find((x) => x.name === 'cohorts')!;
    expect(cohorts.columns.find((c) => c.name === 'id')).toMatchObject({ dataType: 'int4', isAutoIncrementing: true, isNullable: false, hasDefaultValue: true });
    expect(cohorts.columns.find((c) => c.name === 'workspace_id')).toMatchObject({ dataType: 'text', isNullable: true, isAutoIncrementing: false });
  });
});
