import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// The platform changes under the bot. A member who leaves the channel, the workspace or the server
// (or whose account is deactivated) is "left" from a moment, reversibly; the time they are gone is
// kept as an absence beside the breaks they announce, so it counts like a break. A cohort whose
// channel cannot be used (archived, deleted, the bot removed or lacking permission) is unreachable
// from a moment; a platform whose access was revoked holds its messages until access returns. Every
// outbox row names its cohort, so failures can be reported to the people who can act on them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('members')
    .addColumn('left_at', 'timestamptz')
    .addColumn('left_reason', 'text')
    .execute();
  await db.schema
    .alterTable('away_periods')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('break').check(sql`kind in ('break', 'left')`))
    .execute();
  await db.schema
    .alterTable('cohorts')
    .addColumn('unreachable_at', 'timestamptz')
    .addColumn('unreachable_reason', 'text')
    // When rounds were last held back (an unreachable channel, revoked access): the start of that
    // outage for the next round's "posted late" line, cleared once a round is recorded after it.
    .addColumn('held_since', 'timestamptz')
    .addColumn('held_cause', 'text', (c) => c.check(sql`held_cause in ('unreachable', 'no-access')`))
    .execute();
  await db.schema
    .alterTable('rounds')
    .addColumn('late_cause', 'text')
    .execute();
  await db.schema
    .createTable('platform_access')
    .addColumn('platform', 'text', (c) => c.primaryKey())
    .addColumn('lost_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('probed_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('cohort_id', 'integer')
    .addColumn('reported_at', 'timestamptz')
    .execute();
  await sql`alter table outbox drop constraint if exists outbox_status_check`.execute(db);
  await sql`alter table outbox add constraint outbox_status_check check (status in ('pending', 'sent', 'dead', 'dropped'))`.execute(db);
  await sql`alter table stall_flags drop constraint if exists stall_flags_resolution_check`.execute(db);
  await sql`alter table stall_flags add constraint stall_flags_resolution_check check (resolution in ('mentor', 'auto', 'removed', 'ended', 'left'))`.execute(db);
  await sql`alter table rounds drop constraint if exists rounds_not_run_reason_check`.execute(db);
  await sql`alter table rounds add constraint rounds_not_run_reason_check check (not_run_reason in ('offline', 'no-learners', 'unreachable'))`.execute(db);
  // A reply in a message's thread: a learner whose DMs are closed is reminded under the round post.
  await sql`alter table outbox drop constraint if exists outbox_target_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_target_kind_check check (target_kind in ('channel', 'user', 'message', 'reply'))`.execute(db);
  // Failed rows not yet reported to the organizers: the daily report finds them without a scan.
  await sql`create index outbox_unreported_failures_idx on outbox (cohort_id) where status in ('dead', 'dropped') and reported_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_unreported_failures_idx`.execute(db);
  await sql`alter table rounds drop constraint if exists rounds_not_run_reason_check`.execute(db);
  await sql`alter table rounds add constraint rounds_not_run_reason_check check (not_run_reason in ('offline', 'no-learners'))`.execute(db);
  await sql`alter table stall_flags drop constraint if exists stall_flags_resolution_check`.execute(db);
  await sql`alter table stall_flags add constraint stall_flags_resolution_check check (resolution in ('mentor', 'auto', 'removed', 'ended'))`.execute(db);
  await sql`alter table outbox drop constraint if exists outbox_status_check`.execute(db);
  await sql`alter table outbox add constraint outbox_status_check check (status in ('pending', 'sent', 'dead'))`.execute(db);
  await sql`alter table outbox drop constraint if exists outbox_target_kind_check`.execute(db);
  await sql`alter table outbox add constraint outbox_target_kind_check check (target_kind in ('channel', 'user', 'message'))`.execute(db);
  await db.schema.alterTable('outbox').dropColumn('reported_at').dropColumn('cohort_id').execute();
  await db.schema.dropTable('platform_access').ifExists().execute();
  await db.schema.alterTable('rounds').dropColumn('late_cause').execute();
  await db.schema.alterTable('cohorts').dropColumn('held_cause').dropColumn('held_since').dropColumn('unreachable_reason').dropColumn('unreachable_at').execute();
  await db.schema.alterTable('away_periods').dropColumn('kind').execute();
  await db.schema.alterTable('members').dropColumn('left_reason').dropColumn('left_at').execute();
}
