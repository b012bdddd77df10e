import { sql, type Transaction } from 'kysely';
import type { Content, Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Cohort, Database, Round } from '../db/types.js';
import { reminderDm, roundPost } from './messages/rounds.js';
import { enqueueMany, type Executor } from './outbox.js';
import { addHours, localDate, nextSlot, type Slot } from './schedule.js';

const WEEK_MS = 7 * 24 * 3_600_000;

/** The latest round of each cohort, in one query. */
export async function latestRounds(db: Executor, cohortIds: number[]): Promise<Map<number, Round>> {
  if (cohortIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('rounds')
    .selectAll()
    .distinctOn('cohort_id')
    .where('cohort_id', 'in', cohortIds)
    .orderBy('cohort_id')
    .orderBy('week', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.cohort_id, r]));
}

export async function latestRound(db: Executor, cohortId: number): Promise<Round | undefined> {
  return (await latestRounds(db, [cohortId])).get(cohortId);
}

export interface OpenedRound {
  cohortId: number;
  roundId: number;
  week: number;
}

interface DueRound {
  cohort: Cohort;
  program: Program;
  week: number;
  milestoneId: string;
  slot: Slot;
}

/** Cohorts per transaction when many rounds open in the same minute. */
const BATCH = 500;

/**
 * Opens every round whose slot has come. Round rows (unique per cohort and week) and their posts in
 * the outbox commit together, a batch of cohorts per transaction, so any number of schedulers may
 * run this at once: a second one finds the rows there and writes nothing.
 */
export async function openDueRounds(db: Db, content: Content, now: Date): Promise<OpenedRound[]> {
  const cohorts = await db.selectFrom('cohorts').selectAll().where('status', '=', 'active').orderBy('id').execute();
  if (cohorts.length === 0) return [];
  const ids = cohorts.map((c) => c.id);
  const latest = await latestRounds(db, ids);
  const skippedRows = await db.selectFrom('skipped_dates').selectAll().where('cohort_id', 'in', ids).execute();
  const skipped = new Map<number, Set<string>>();
  for (const row of skippedRows) {
    if (!skipped.has(row.cohort_id)) skipped.set(row.cohort_id, new Set());
    skipped.get(row.cohort_id)!.add(row.date);
  }

  const due: DueRound[] = [];
  for (const cohort of cohorts) {
    const program = content.programs.get(cohort.program_id);
    if (!program) continue;
    const last = latest.get(cohort.id);
    if (last && last.week >= program.weeks.length) {
      if (now.getTime() >= new Date(last.opens_at).getTime() + WEEK_MS) await finishCohort(db, cohort.id);
      continue;
    }
    const slot = nextSlot(
      { startDate: cohort.start_date, weekday: cohort.weekday, slotTime: cohort.slot_time, timezone: cohort.timezone, skipped: skipped.get(cohort.id) ?? new Set() },
      last ? { localDate: last.local_date } : null,
      { now, notBefore: cohort.resumed_at },
    );
    if (slot.at > now) continue;
    const week = (last?.week ?? 0) + 1;
    due.push({ cohort, program, week, milestoneId: program.weeks[week - 1]!.milestoneId, slot });
  }

  const opened: OpenedRound[] = [];
  for (let i = 0; i < due.length; i += BATCH) {
    const part = due.slice(i, i + BATCH);
    opened.push(...(await db.transaction().execute((trx) => openBatch(trx, part, now))));
  }
  return opened;
}

async function openBatch(trx: Transaction<Database>, part: DueRound[], now: Date): Promise<OpenedRound[]> {
  const inserted = await trx
    .insertInto('rounds')
    .values(
      part.map((d) => ({
        cohort_id: d.cohort.id,
        week: d.week,
        milestone_id: d.milestoneId,
        local_date: d.slot.localDate,
        opens_at: d.slot.at,
        created_at: now,
        channel_id: d.cohort.channel_id,
      })),
    )
    .onConflict((oc) => oc.columns(['cohort_id', 'week']).doNothing())
    .returning(['id', 'cohort_id', 'week'])
    .execute();
  if (inserted.length === 0) return [];
  const counts = await trx
    .selectFrom('members')
    .select(['cohort_id', sql<number>`count(*)::int`.as('learners')])
    .where('cohort_id', 'in', inserted.map((r) => r.cohort_id))
    .where('role', '=', 'learner')
    .where('removed_at', 'is', null)
    .groupBy('cohort_id')
    .execute();
  const learners = new Map(counts.map((c) => [c.cohort_id, c.learners]));
  const byCohort = new Map(part.map((d) => [d.cohort.id, d]));
  await enqueueMany(
    trx,
    inserted.map((r) => {
      const d = byCohort.get(r.cohort_id)!;
      return {
        key: `round:${r.id}`,
        kind: 'round' as const,
        platform: d.cohort.platform,
        targetKind: 'channel' as const,
        targetId: d.cohort.channel_id,
        message: roundPost({ program: d.program, roundId: r.id, week: r.week, milestoneId: d.milestoneId, answered: 0, learners: learners.get(r.cohort_id) ?? 0 }),
        availableAt: now,
      };
    }),
  );
  return inserted.map((r) => ({ cohortId: r.cohort_id, roundId: r.id, week: r.week }));
}

async function finishCohort(db: Db, cohortId: number): Promise<void> {
  await db.updateTable('cohorts').set({ status: 'finished' }).where('id', '=', cohortId).where('status', '=', 'active').execute();
}

/**
 * Sends one reminder per round, `hours` after it opened, to each active learner without an
 * answer. Claiming the round (`reminded_at` from null) decides which scheduler sends them.
 */
export async function sendDueReminders(db: Db, content: Content, now: Date, hours: number): Promise<number> {
  const due = await db
    .selectFrom('rounds')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .selectAll('rounds')
    .select(['cohorts.name as cohort_name', 'cohorts.program_id', 'cohorts.platform', 'cohorts.timezone'])
    .where('rounds.reminded_at', 'is', null)
    .where('rounds.opens_at', '<=', addHours(now, -hours))
    .where('cohorts.status', '=', 'active')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('rounds as later').select('later.id').whereRef('later.cohort_id', '=', 'rounds.cohort_id').whereRef('later.week', '>', 'rounds.week'))),
    )
    .execute();

  let sent = 0;
  for (const round of due) {
    const program = content.programs.get(round.program_id);
    if (!program) continue;
    sent += await db.transaction().execute(async (trx) => {
      const claimed = await trx.updateTable('rounds').set({ reminded_at: now }).where('id', '=', round.id).where('reminded_at', 'is', null).returning('id').executeTakeFirst();
      if (!claimed) return 0;
      const today = localDate(now, round.timezone);
      const missing = await trx
        .selectFrom('members')
        .selectAll()
        .where('cohort_id', '=', round.cohort_id)
        .where('role', '=', 'learner')
        .where('removed_at', 'is', null)
        .where((eb) => eb.or([eb('away_until', 'is', null), eb('away_until', '<=', today)]))
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('checkins').select('checkins.id').where('checkins.round_id', '=', round.id).whereRef('checkins.member_id', '=', 'members.id'))))
        .execute();
      if (missing.length === 0) return 0;
      const lastAnswers = await trx
        .selectFrom('checkins')
        .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
        .distinctOn('checkins.member_id')
        .select(['checkins.member_id', 'checkins.status', 'checkins.note', 'checkins.blocker', 'rounds.week'])
        .where('checkins.member_id', 'in', missing.map((m) => m.id))
        .orderBy('checkins.member_id')
        .orderBy('rounds.week', 'desc')
        .execute();
      const lastOf = new Map(lastAnswers.map(({ member_id, ...last }) => [member_id, last]));
      const written = await enqueueMany(
        trx,
        missing.map((member) => ({
          key: `reminder:${round.id}:${member.id}`,
          kind: 'reminder' as const,
          platform: round.platform,
          targetKind: 'user' as const,
          targetId: member.user_id,
          message: reminderDm({ program, cohortName: round.cohort_name, roundId: round.id, week: round.week, milestoneId: round.milestone_id, last: lastOf.get(member.id) ?? null }),
          availableAt: now,
        })),
      );
      return written.size;
    });
  }
  return sent;
}

