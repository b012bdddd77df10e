import type { Content, Program } from '../../../src/content/types.js';
import type { Db } from '../../../src/db/connect.js';
import type { CheckinStatus, CohortStatus, Platform } from '../../../src/db/types.js';
import type { OutMessage } from '../../../src/core/chat.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A short program: milestones due in weeks 2, 3 and 5, the usual stall thresholds. */
export const program: Program = {
  id: 'mini',
  title: 'Mini program',
  summary: 'A five-week program for tests.',
  stall: { missedRounds: 2, blockedAnswers: 2, blockedWindow: 3, behindMilestones: 2, confidenceDrop: 2, confidenceWindow: 3 },
  milestones: [
    { id: 'package', title: 'Package the model', goal: 'g', doneWhen: 'd', resources: ['a', 'b'], week: 2 },
    { id: 'serve', title: 'Serve predictions', goal: 'g', doneWhen: 'd', resources: ['a', 'b'], week: 3 },
    { id: 'monitor', title: 'Monitor drift', goal: 'g', doneWhen: 'd', resources: ['a', 'b'], week: 5 },
  ],
  weeks: [1, 2, 3, 4, 5].map((week) => ({ week, milestoneId: week <= 2 ? 'package' : week <= 3 ? 'serve' : 'monitor', focus: 'f' })),
};

export const content: Content = { dir: 'test', programs: new Map([[program.id, program]]), faq: [], thesaurus: [] };

// Week 1 opens Monday 2 March 2026, 09:00 in Berlin.
export const WEEK1 = Date.parse('2026-03-02T08:00:00Z');

/** `hours` after round `week` opened. */
export function at(week: number, hours = 0): Date {
  return new Date(WEEK1 + (week - 1) * 7 * DAY + hours * HOUR);
}

export interface CohortFixture {
  id: number;
  /** Round id by week. */
  rounds: Map<number, number>;
}

export async function makeCohort(
  db: Db,
  options: { name?: string; weeks: number; platform?: Platform; status?: CohortStatus; channel?: string },
): Promise<CohortFixture> {
  const name = options.name ?? 'spring';
  const cohort = await db
    .insertInto('cohorts')
    .values({
      name,
      platform: options.platform ?? 'slack',
      channel_id: options.channel ?? `C-${name}`,
      program_id: program.id,
      start_date: '2026-03-02',
      weekday: 1,
      slot_time: '09:00',
      timezone: 'Europe/Berlin',
      status: options.status ?? 'active',
      created_by: 'U-admin',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rounds = new Map<number, number>();
  for (let week = 1; week <= options.weeks; week++) await addRound(db, { id: cohort.id, rounds }, week);
  return { id: cohort.id, rounds };
}

export async function addRound(db: Db, cohort: CohortFixture, week: number): Promise<number> {
  const opensAt = at(week);
  const milestone = program.weeks.find((w) => w.week === week)?.milestoneId ?? 'monitor';
  const row = await db
    .insertInto('rounds')
    .values({
      cohort_id: cohort.id,
      week,
      milestone_id: milestone,
      local_date: opensAt.toISOString().slice(0, 10),
      opens_at: opensAt,
      created_at: opensAt,
      channel_id: 'C1',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  cohort.rounds.set(week, row.id);
  return row.id;
}

export async function addMember(
  db: Db,
  cohortId: number,
  name: string,
  role: 'learner' | 'mentor' = 'learner',
  /** `awayUntil` with `awayFrom`: a break from that day (how `/away` records one). */
  options: { joinedAt?: Date; awayUntil?: string; awayFrom?: string; removedAt?: Date; userId?: string } = {},
): Promise<number> {
  const row = await db
    .insertInto('members')
    .values({
      cohort_id: cohortId,
      user_id: options.userId ?? `U-${name.toLowerCase()}`,
      display_name: name,
      role,
      away_until: options.awayUntil ?? null,
      joined_at: options.joinedAt ?? new Date(WEEK1 - 3 * DAY),
      removed_at: options.removedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (options.awayUntil && options.awayFrom) {
    await db.insertInto('away_periods').values({ member_id: row.id, starts_on: options.awayFrom, ends_on: options.awayUntil, created_at: new Date(WEEK1) }).execute();
  }
  return row.id;
}

export async function answer(
  db: Db,
  cohort: CohortFixture,
  memberId: number,
  week: number,
  status: CheckinStatus,
  confidence: number | null = 4,
  extra: { blocker?: string; note?: string; late?: boolean } = {},
): Promise<void> {
  const when = at(week, 2);
  await db
    .insertInto('checkins')
    .values({
      round_id: cohort.rounds.get(week)!,
      member_id: memberId,
      status,
      confidence,
      blocker: extra.blocker ?? null,
      note: extra.note ?? null,
      late: extra.late ?? false,
      source: 'form',
      created_at: when,
      updated_at: when,
    })
    .execute();
}

export async function complete(db: Db, memberId: number, milestoneId: string): Promise<void> {
  await db.insertInto('milestone_completions').values({ member_id: memberId, milestone_id: milestoneId, checkin_id: null, completed_at: at(1) }).execute();
}

export interface SentMessage {
  key: string;
  kind: string;
  platform: string;
  targetKind: string;
  to: string;
  message: OutMessage;
}

export async function outbox(db: Db): Promise<SentMessage[]> {
  const rows = await db.selectFrom('outbox').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    key: r.key,
    kind: r.kind,
    platform: r.platform,
    targetKind: r.target_kind,
    to: r.target_id,
    message: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as OutMessage,
  }));
}

export async function flags(db: Db) {
  return db.selectFrom('stall_flags').selectAll().orderBy('id').execute();
}
