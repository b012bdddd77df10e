import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// The calendar is fixed: a week whose slot passed while the bot was down (or with no learners) is
// recorded as not run instead of sliding the program. Each posted week's digest is claimed once.
// A flag's reasons carry a version so every change edits its alerts once; a program's end closes
// its flags as "ended". Pauses are kept so the schedule can show them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rounds')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('posted').check(sql`state in ('posted', 'not-run')`))
    .addColumn('not_run_reason', 'text', (c) => c.check(sql`not_run_reason in ('offline', 'no-learners')`))
    .addColumn('offline_since', 'timestamptz')
    .addColumn('digest_at', 'timestamptz')
    .execute();
  // Weeks already past their digest when this runs were reported by the old latest-round rule.
  await sql`update rounds set digest_at = now() where opens_at < now() - interval '6 days'`.execute(db);

  await db.schema.alterTable('cohorts').addColumn('finished_at', 'timestamptz').execute();
  await db.schema
    .createTable('cohort_pauses')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cohort_id', 'integer', (c) => c.notNull().references('cohorts.id').onDelete('cascade'))
    .addColumn('paused_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resumed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('cohort_pauses_cohort_idx').on('cohort_pauses').column('cohort_id').execute();

  await db.schema.alterTable('stall_flags').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`alter table stall_flags drop constraint if exists stall_flags_resolution_check`.execute(db);
  await sql`alter table stall_flags add constraint stall_flags_resolution_check check (resolution in ('mentor', 'auto', 'removed', 'ended'))`.execute(db);

  await db.schema
    .createTable('heartbeats')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('heartbeats').ifExists().execute();
  await sql`alter table stall_flags drop constraint if exists stall_flags_resolution_check`.execute(db);
  await sql`update stall_flags set resolution = 'auto' where resolution = 'ended'`.execute(db);
  await sql`alter table stall_flags add constraint stall_flags_resolution_check check (resolution in ('mentor', 'auto', 'removed'))`.execute(db);
  await db.schema.alterTable('stall_flags').dropColumn('version').execute();
  await db.schema.dropTable('cohort_pauses').ifExists().execute();
  await db.schema.alterTable('cohorts').dropColumn('finished_at').execute();
  await db.schema.alterTable('rounds').dropColumn('state').dropColumn('not_run_reason').dropColumn('offline_since').dropColumn('digest_at').execute();
}
