import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// members.away_until only holds the latest absence; the digest grid needs every one of them to
// tell an announced break from a missed week.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('away_periods')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('starts_on', 'text', (c) => c.notNull().check(sql`starts_on ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addColumn('ends_on', 'text', (c) => c.notNull().check(sql`ends_on ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('away_periods_member_idx').on('away_periods').column('member_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('away_periods').ifExists().execute();
}
