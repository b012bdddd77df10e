import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Each person's own time. A person (per platform) has the zone their profile gives (Slack), the one
// they chose with `/me tz:`, and an optional reminder slot (a weekday and a time in their zone).
// A learner's reminder for a round is due at a moment computed once, when the round opens or when
// their zone or slot changes, and kept here, indexed, so a tick reads only what is due.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('profile_tz', 'text')
    .addColumn('chosen_tz', 'text')
    .addColumn('remind_weekday', 'integer', (c) => c.check(sql`remind_weekday between 1 and 7`))
    .addColumn('remind_time', 'text', (c) => c.check(sql`remind_time ~ '^[0-2][0-9]:[0-5][0-9]$'`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('people_pkey', ['platform', 'user_id'])
    .execute();
  await db.schema
    .createTable('reminder_schedule')
    .addColumn('round_id', 'integer', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .addPrimaryKeyConstraint('reminder_schedule_pkey', ['round_id', 'member_id'])
    .execute();
  await sql`create index reminder_schedule_due_idx on reminder_schedule (due_at) where done_at is null`.execute(db);
  // An alert held back by the reader's night waits from when it reached them: the 48 h before it is
  // sent again, and before it goes to the organizers, count from its delivery.
  await db.schema.alterTable('stall_flags').addColumn('alerted_at', 'timestamptz').addColumn('resend_alerted_at', 'timestamptz').execute();
  // A DM the bot starts carries its reader's zone: whenever it can go (late, after an outage), it
  // goes in their daytime.
  await db.schema.alterTable('outbox').addColumn('quiet_zone', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('quiet_zone').execute();
  await db.schema.alterTable('stall_flags').dropColumn('resend_alerted_at').dropColumn('alerted_at').execute();
  await db.schema.dropTable('reminder_schedule').ifExists().execute();
  await db.schema.dropTable('people').ifExists().execute();
}
