import { type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Learners own their data: an erased learner's membership stays only as an anonymous row (so the
// cohort's counts stay whole) marked when it was erased. Organizer and mentor actions are kept on
// record, with the cohort's name copied so the record outlives the cohort.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('erased_at', 'timestamptz').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('cohort_id', 'integer', (c) => c.references('cohorts.id').onDelete('set null'))
    .addColumn('cohort_name', 'text')
    .addColumn('subject', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_cohort_idx').on('audit_log').columns(['cohort_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').ifExists().execute();
  await db.schema.alterTable('members').dropColumn('erased_at').execute();
}
