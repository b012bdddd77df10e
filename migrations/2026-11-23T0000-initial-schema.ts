import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('cohorts')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('platform', 'text', (c) => c.notNull().check(sql`platform in ('slack', 'discord', 'local')`))
    .addColumn('workspace_id', 'text')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull().check(sql`start_date ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addColumn('weekday', 'smallint', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('slot_time', 'text', (c) => c.notNull().check(sql`slot_time ~ '^\\d{2}:\\d{2}$'`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'paused', 'finished')`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resumed_at', 'timestamptz')
    .addUniqueConstraint('cohorts_platform_channel_key', ['platform', 'channel_id'])
    .execute();

  await db.schema
    .createTable('members')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cohort_id', 'integer', (c) => c.notNull().references('cohorts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('learner', 'mentor')`))
    .addColumn('away_until', 'text', (c) => c.check(sql`away_until ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz')
    .addUniqueConstraint('members_cohort_user_key', ['cohort_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user_idx').on('members').column('user_id').execute();

  await db.schema
    .createTable('skipped_dates')
    .addColumn('cohort_id', 'integer', (c) => c.notNull().references('cohorts.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull().check(sql`date ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addPrimaryKeyConstraint('skipped_dates_pkey', ['cohort_id', 'date'])
    .execute();

  await db.schema
    .createTable('rounds')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('cohort_id', 'integer', (c) => c.notNull().references('cohorts.id').onDelete('cascade'))
    .addColumn('week', 'integer', (c) => c.notNull().check(sql`week >= 1`))
    .addColumn('milestone_id', 'text', (c) => c.notNull())
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addUniqueConstraint('rounds_cohort_week_key', ['cohort_id', 'week'])
    .execute();
  await db.schema.createIndex('rounds_pending_reminder_idx').on('rounds').column('opens_at').where(sql.ref('reminded_at'), 'is', null).execute();

  await db.schema
    .createTable('checkins')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('round_id', 'integer', (c) => c.notNull().references('rounds.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('on-track', 'behind', 'blocked', 'done')`))
    .addColumn('confidence', 'smallint', (c) => c.check(sql`confidence between 1 and 5`))
    .addColumn('blocker', 'text')
    .addColumn('note', 'text')
    .addColumn('late', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('button', 'form', 'quick')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('checkins_round_member_key', ['round_id', 'member_id'])
    .execute();
  await db.schema.createIndex('checkins_member_idx').on('checkins').columns(['member_id', 'round_id']).execute();

  // Every version of every answer, so an edit never loses what was said before.
  await db.schema
    .createTable('checkin_history')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('checkin_id', 'integer', (c) => c.notNull().references('checkins.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('confidence', 'smallint')
    .addColumn('blocker', 'text')
    .addColumn('note', 'text')
    .addColumn('milestones', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('late', 'boolean', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkin_history_checkin_idx').on('checkin_history').column('checkin_id').execute();

  await db.schema
    .createTable('milestone_completions')
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('milestone_id', 'text', (c) => c.notNull())
    .addColumn('checkin_id', 'integer', (c) => c.references('checkins.id').onDelete('set null'))
    .addColumn('completed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('milestone_completions_pkey', ['member_id', 'milestone_id'])
    .execute();

  await db.schema
    .createTable('stall_flags')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('cohort_id', 'integer', (c) => c.notNull().references('cohorts.id').onDelete('cascade'))
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'acknowledged', 'resolved')`))
    .addColumn('mentor_member_id', 'integer', (c) => c.references('members.id').onDelete('set null'))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    .addColumn('resent_at', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text', (c) => c.check(sql`resolution in ('mentor', 'auto', 'removed')`))
    .execute();
  await db.schema
    .createIndex('stall_flags_one_open_per_member')
    .on('stall_flags')
    .column('member_id')
    .unique()
    .where(sql.ref('status'), '<>', 'resolved')
    .execute();
  await db.schema.createIndex('stall_flags_cohort_status_idx').on('stall_flags').columns(['cohort_id', 'status']).execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull().check(sql`target_kind in ('channel', 'user', 'message')`))
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('platform_message_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['available_at', 'id']).where(sql.ref('status'), '=', 'pending').execute();

  await db.schema
    .createTable('processed_events')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('processed_events_pkey', ['platform', 'event_id'])
    .execute();

  await db.schema
    .createTable('faq_questions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('cohort_id', 'integer', (c) => c.references('cohorts.id').onDelete('set null'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('normalized', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull().check(sql`via in ('command', 'mention', 'checkin', 'cli')`))
    .addColumn('matched_id', 'text')
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('answered', 'boolean', (c) => c.notNull())
    .addColumn('feedback', 'text', (c) => c.check(sql`feedback in ('helpful', 'not_helpful')`))
    .addColumn('feedback_at', 'timestamptz')
    .addColumn('asked_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('faq_questions_gaps_idx').on('faq_questions').columns(['answered', 'normalized']).execute();

  // A lease row per singleton role (the Discord gateway), so only one replica holds it.
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'leases',
    'faq_questions',
    'processed_events',
    'outbox',
    'stall_flags',
    'milestone_completions',
    'checkin_history',
    'checkins',
    'rounds',
    'skipped_dates',
    'members',
    'cohorts',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
