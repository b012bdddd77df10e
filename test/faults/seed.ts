import type { Db } from '../../src/db/connect.js';

export interface SeededCohort {
  id: number;
  channelId: string;
  learners: string[];
}

/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
export function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

/**
 * `count` Slack cohorts of the real program whose first slot is `date` at 09:00 UTC, each in its own
 * channel with `learners` learners, written straight to the database.
 */
export async function seedCohorts(db: Db, opts: { count: number; date: string; learners?: number; prefix?: string }): Promise<SeededCohort[]> {
  const prefix = opts.prefix ?? 'F';
  const rows = Array.from({ length: opts.count }, (_, i) => ({
    name: `Fault cohort ${prefix}${i + 1}`,
    platform: 'slack' as const,
    workspace_id: 'T0TEAM',
    channel_id: `C${prefix}${String(i + 1).padStart(4, '0')}`,
    program_id: 'ds-to-mle',
    start_date: opts.date,
    weekday: isoWeekday(opts.date),
    slot_time: '09:00',
    timezone: 'UTC',
    created_by: 'U0ORGANIZER',
    created_at: new Date(`${opts.date}T00:00:00Z`),
  }));
  const cohorts = await db.insertInto('cohorts').values(rows).returning(['id', 'channel_id']).execute();
  const perCohort = opts.learners ?? 0;
  const seeded = cohorts.map((c, i) => ({
    id: c.id,
    channelId: c.channel_id,
    learners: Array.from({ length: perCohort }, (_, j) => `U${prefix}${String(i + 1).padStart(4, '0')}L${j + 1}`),
  }));
  const members = seeded.flatMap((c) =>
    c.learners.map((userId) => ({ cohort_id: c.id, user_id: userId, display_name: userId.toLowerCase(), role: 'learner' as const, away_until: null, joined_at: new Date(`${opts.date}T00:00:00Z`) })),
  );
  for (let i = 0; i < members.length; i += 500) await db.insertInto('members').values(members.slice(i, i + 500)).execute();
  return seeded;
}
