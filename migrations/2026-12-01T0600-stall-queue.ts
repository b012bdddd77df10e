import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// A learner's stall flag can only change when something about them changes. Triggers record what
// needs a look in the same transaction as the change, whoever writes it (chat, CLI, another
// replica): the learner (member_id, cohort_id 0) or a whole cohort (cohort_id, member_id 0), due at
// once ('-infinity') or at a moment the rules read (a round closing, a break ending). A row that
// is touched again gets a new seq, so an evaluation that read the old one does not delete it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence stall_queue_seq`.execute(db);
  await sql`
    create table stall_queue (
      cohort_id integer not null default 0,
      member_id integer not null default 0,
      due_at timestamptz not null,
      seq bigint not null default nextval('stall_queue_seq'),
      primary key (cohort_id, member_id, due_at)
    )`.execute(db);
  await sql`create index stall_queue_due_idx on stall_queue (due_at)`.execute(db);
  // Each tick asks which open flags are due a re-send; resolved flags pile up over a program.
  await sql`create index stall_flags_open_idx on stall_flags (opened_at) where status = 'open'`.execute(db);

  await sql`
    create function stall_queue_member(member integer, due timestamptz) returns void language sql as $$
      insert into stall_queue (member_id, due_at) values (member, due)
      on conflict (cohort_id, member_id, due_at) do update set seq = excluded.seq
    $$`.execute(db);
  await sql`
    create function stall_queue_cohort(cohort integer, due timestamptz) returns void language sql as $$
      insert into stall_queue (cohort_id, due_at) values (cohort, due)
      on conflict (cohort_id, member_id, due_at) do update set seq = excluded.seq
    $$`.execute(db);

  // Answers, completions, breaks and linked work: the learner they belong to.
  await sql`
    create function stall_touch_by_member_id() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform stall_queue_member(old.member_id, '-infinity');
      else
        perform stall_queue_member(new.member_id, '-infinity');
        if tg_op = 'UPDATE' and old.member_id <> new.member_id then
          perform stall_queue_member(old.member_id, '-infinity');
        end if;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ['checkins', 'milestone_completions', 'away_periods', 'evidence_links']) {
    await sql`create trigger stall_touch after insert or update or delete on ${sql.table(table)} for each row execute function stall_touch_by_member_id()`.execute(db);
  }

  // Membership, role, removal and the current break; a break's end is a moment the rules read.
  await sql`
    create function stall_touch_member() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform stall_queue_member(old.id, '-infinity');
        return null;
      end if;
      perform stall_queue_member(new.id, '-infinity');
      if new.away_until is not null then
        perform stall_queue_member(new.id, new.away_until::date::timestamp at time zone co.timezone)
        from cohorts co where co.id = new.cohort_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger stall_touch after insert or update or delete on members for each row execute function stall_touch_member()`.execute(db);

  // A mentor's acknowledge or resolve.
  await sql`
    create function stall_touch_flag() returns trigger language plpgsql as $$
    begin
      perform stall_queue_member(new.member_id, '-infinity');
      return null;
    end $$`.execute(db);
  await sql`create trigger stall_touch after update of status on stall_flags for each row when (old.status is distinct from new.status) execute function stall_touch_flag()`.execute(db);

  // A recorded week closes the one before it at its slot; the program's last week closes 7 days on.
  await sql`
    create function stall_touch_round() returns trigger language plpgsql as $$
    begin
      perform stall_queue_cohort(new.cohort_id, new.opens_at);
      perform stall_queue_cohort(new.cohort_id, new.opens_at + interval '7 days');
      return null;
    end $$`.execute(db);
  await sql`create trigger stall_touch after insert or update of state on rounds for each row execute function stall_touch_round()`.execute(db);

  // Pause, resume and the end of the program.
  await sql`
    create function stall_touch_cohort() returns trigger language plpgsql as $$
    begin
      perform stall_queue_cohort(new.id, '-infinity');
      return null;
    end $$`.execute(db);
  await sql`create trigger stall_touch after update of status on cohorts for each row when (old.status is distinct from new.status) execute function stall_touch_cohort()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['checkins', 'milestone_completions', 'away_periods', 'evidence_links', 'members', 'stall_flags', 'rounds', 'cohorts']) {
    await sql`drop trigger if exists stall_touch on ${sql.table(table)}`.execute(db);
  }
  for (const fn of ['stall_touch_by_member_id', 'stall_touch_member', 'stall_touch_flag', 'stall_touch_round', 'stall_touch_cohort']) {
    await sql`drop function if exists ${sql.raw(fn)}()`.execute(db);
  }
  await sql`drop function if exists stall_queue_member(integer, timestamptz)`.execute(db);
  await sql`drop function if exists stall_queue_cohort(integer, timestamptz)`.execute(db);
  await sql`drop index if exists stall_flags_open_idx`.execute(db);
  await sql`drop table if exists stall_queue`.execute(db);
  await sql`drop sequence if exists stall_queue_seq`.execute(db);
}
