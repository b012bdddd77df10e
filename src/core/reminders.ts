import { sql } from 'kysely';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import { reminderDm } from './messages/rounds.js';
import { enqueueMany, type Outgoing } from './outbox.js';
import { learnerMilestone } from './rounds.js';
import { LAST_WEEK_OPEN_MS, localDate } from './schedule.js';
import { JOIN_GRACE_MS } from './stalls/rules.js';

/** Reminders claimed per transaction at a busy hour. */
const BATCH = 500;

interface Claimed {
  round_id: number;
  member_id: number;
}

/**
 * Sends each learner's reminder at the moment kept for it (reminder-schedule.ts: their zone, their
 * slot). A reminder goes to a learner still in the cohort, not away or gone, who has not answered,
 * while their round is the open one; otherwise it is settled without a message. Claiming the row
 * (`done_at`, FOR UPDATE SKIP LOCKED) decides which replica sends it, so each goes once. Reminders
 * wait while a cohort is paused, its channel unusable or its platform without access.
 */
export async function sendDueReminders(db: Db, content: Content, now: Date): Promise<number> {
  let sent = 0;
  for (;;) {
    const claimed = await db.transaction().execute(async (trx) => {
      const rows = await sql<Claimed>`
        with due as (
          select s.round_id, s.member_id
          from reminder_schedule s
          join rounds r on r.id = s.round_id
          join cohorts c on c.id = r.cohort_id
          where s.done_at is null and s.due_at <= ${now}
            and c.status <> 'paused' and c.unreachable_at is null
            and not exists (select 1 from platform_access a where a.platform = c.platform)
          order by s.due_at
          limit ${BATCH}
          for update of s skip locked
        )
        update reminder_schedule s set done_at = ${now}
        from due where s.round_id = due.round_id and s.member_id = due.member_id
        returning s.round_id, s.member_id`.execute(trx);
      if (rows.rows.length === 0) return null;
      const written = await enqueueMany(trx, await remindersFor(trx, content, rows.rows, now));
      return { count: rows.rows.length, written: written.size };
    });
    if (!claimed) return sent;
    sent += claimed.written;
    if (claimed.count < BATCH) return sent;
  }
}

/** The reminders the claimed rows still call for, each naming the learner's next milestone and last answer. */
async function remindersFor(db: Parameters<typeof enqueueMany>[0], content: Content, claimed: readonly Claimed[], now: Date): Promise<Outgoing[]> {
  const rows = await db
    .selectFrom('members as m')
    .innerJoin('rounds as r', 'r.cohort_id', 'm.cohort_id')
    .innerJoin('cohorts as c', 'c.id', 'r.cohort_id')
    .select([
      'm.id as member_id',
      'm.user_id',
      'm.joined_at',
      'm.away_until',
      'r.id as round_id',
      'r.week',
      'r.milestone_id',
      'r.opens_at',
      'r.cohort_id',
      'c.name as cohort_name',
      'c.program_id',
      'c.platform',
      'c.timezone',
      'c.status',
      (eb) => eb.exists(eb.selectFrom('rounds as later').select('later.id').whereRef('later.cohort_id', '=', 'r.cohort_id').whereRef('later.week', '>', 'r.week')).as('closed'),
      (eb) => eb.exists(eb.selectFrom('checkins as k').select('k.id').whereRef('k.round_id', '=', 'r.id').whereRef('k.member_id', '=', 'm.id')).as('answered'),
    ])
    .where((eb) => eb.or(claimed.map((c) => eb.and([eb('m.id', '=', c.member_id), eb('r.id', '=', c.round_id)]))))
    .where('m.removed_at', 'is', null)
    .where('m.left_at', 'is', null)
    .where('m.role', '=', 'learner')
    .execute();
  const eligible = rows.filter((r) => {
    const program = content.programs.get(r.program_id);
    const lastWeekOver = program !== undefined && r.week >= program.weeks.length && new Date(r.opens_at).getTime() + LAST_WEEK_OPEN_MS <= now.getTime();
    const away = r.away_until !== null && r.away_until > localDate(now, r.timezone);
    return program && r.status === 'active' && !r.closed && !lastWeekOver && !r.answered && !away;
  });
  if (eligible.length === 0) return [];
  const memberIds = eligible.map((r) => r.member_id);
  const [lastAnswers, completions, earlier] = await Promise.all([
    db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .distinctOn('checkins.member_id')
      .select(['checkins.member_id', 'checkins.status', 'checkins.note', 'checkins.blocker', 'rounds.week'])
      .where('checkins.member_id', 'in', memberIds)
      .orderBy('checkins.member_id')
      .orderBy('rounds.week', 'desc')
      .execute(),
    db.selectFrom('milestone_completions').select(['member_id', 'milestone_id']).where('member_id', 'in', memberIds).execute(),
    db.selectFrom('rounds').select(['cohort_id', 'week', 'opens_at']).where('cohort_id', 'in', [...new Set(eligible.map((r) => r.cohort_id))]).where('state', '=', 'posted').execute(),
  ]);
  const lastOf = new Map(lastAnswers.map(({ member_id, ...last }) => [member_id, last]));
  const doneBy = new Map<number, Set<string>>();
  for (const c of completions) doneBy.set(c.member_id, (doneBy.get(c.member_id) ?? new Set()).add(c.milestone_id));
  return eligible.map((r) => {
    const program = content.programs.get(r.program_id)!;
    // Their first round: none posted before it since they joined.
    const first = !earlier.some((x) => x.cohort_id === r.cohort_id && x.week < r.week && new Date(x.opens_at).getTime() >= new Date(r.joined_at).getTime() - JOIN_GRACE_MS);
    return {
      key: `reminder:${r.round_id}:${r.member_id}`,
      kind: 'reminder' as const,
      cohortId: r.cohort_id,
      platform: r.platform,
      targetKind: 'user' as const,
      targetId: r.user_id,
      message: reminderDm({ program, cohortName: r.cohort_name, roundId: r.round_id, week: r.week, milestoneId: learnerMilestone(program, r.milestone_id, doneBy.get(r.member_id) ?? new Set()), last: lastOf.get(r.member_id) ?? null, first }),
      availableAt: now,
    };
  });
}
