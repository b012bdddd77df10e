import { sql } from 'kysely';
import type { Content, Program } from '../../src/content/types.js';
import type { Db } from '../../src/db/connect.js';

/**
 * A stall-scan data set made in the database with generate_series: cohorts of 25 learners and two
 * mentors, 26 weekly rounds each, and a realistic mix of answers and milestones.
 */
export const WEEKS = 26;
export const COHORT_SIZE = 25;
export const PROGRAM_ID = 'bench-26w';
const WEEK_MS = 7 * 86_400_000;
// Week 1 opened on Monday 5 January 2026 at 09:00 UTC; the scan runs two days after week 26 opened.
export const T0 = new Date('2026-01-05T09:00:00Z');
export const NOW = new Date(T0.getTime() + (WEEKS - 1) * WEEK_MS + 2 * 86_400_000);

/** The real program stretched to 26 weeks (the last milestone's weeks repeat), so 26 rounds are all in the program. */
export function benchContent(content: Content): Content {
  const base = content.programs.get('ds-to-mle')!;
  const weeks = [...base.weeks];
  while (weeks.length < WEEKS) weeks.push({ ...weeks[weeks.length - 1]!, week: weeks.length + 1 });
  const program: Program = { ...base, id: PROGRAM_ID, weeks };
  return { ...content, programs: new Map([...content.programs, [PROGRAM_ID, program]]) };
}

// A learner's kind, from a hash of their id: 5% stopped answering, 4% blocked twice lately, 4% losing
// confidence, 3% behind on milestones, the rest on track (with a few random skips, some "behind" answers).
export const KIND = sql`(case when abs(hashint4(m.id)) % 100 < 5 then 'missing' when abs(hashint4(m.id)) % 100 < 9 then 'blocked'
  when abs(hashint4(m.id)) % 100 < 13 then 'dropping' when abs(hashint4(m.id)) % 100 < 16 then 'behind' else 'on-track' end)`;

/** `ratedPercent`: the share of check-ins that carry a confidence (form answers); one-click button answers have none. */
export async function seedStallData(db: Db, program: Program, learners: number, ratedPercent = 60): Promise<void> {
  const cohorts = Math.ceil(learners / COHORT_SIZE);
  const milestoneOfWeek = program.weeks.map((w) => w.milestoneId).join(',');
  await sql`
    insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
    select 'scan-' || i, 'slack', 'CS' || lpad(i::text, 6, '0'), ${PROGRAM_ID}, '2026-01-05', 1, '09:00', 'UTC', 'U0ORGANIZER', ${new Date(T0.getTime() - WEEK_MS)}
    from generate_series(1, ${cohorts}) i`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'US' || c.id || 'L' || j, 'Learner ' || c.id || '-' || j, 'learner', ${new Date(T0.getTime() - 86_400_000)}
    from cohorts c cross join generate_series(1, ${COHORT_SIZE}) j
    where (c.id - 1) * ${COHORT_SIZE} + j <= ${learners}`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'US' || c.id || 'M' || j, 'Mentor ' || c.id || '-' || j, 'mentor', ${new Date(T0.getTime() - WEEK_MS)}
    from cohorts c cross join generate_series(1, 2) j`.execute(db);
  await sql`
    insert into rounds (cohort_id, week, milestone_id, local_date, opens_at, created_at, reminded_at, channel_id, message_id)
    select c.id, w, (string_to_array(${milestoneOfWeek}, ','))[w],
      to_char(${T0}::timestamptz at time zone 'UTC' + (w - 1) * interval '7 days', 'YYYY-MM-DD'),
      ${T0}::timestamptz + (w - 1) * interval '7 days', ${T0}::timestamptz + (w - 1) * interval '7 days',
      ${T0}::timestamptz + (w - 1) * interval '7 days' + interval '1 day', c.channel_id, '1800000000.' || lpad(w::text, 6, '0')
    from cohorts c cross join generate_series(1, ${WEEKS}) w`.execute(db);
  await sql`
    insert into checkins (round_id, member_id, status, confidence, blocker, note, late, source, created_at, updated_at)
    select round_id, member_id, status, confidence, case when status = 'blocked' then 'waiting for access to the training data' end,
      null, false, case when confidence is null then 'button' else 'form' end, at, at
    from (
      select r.id as round_id, m.id as member_id, r.week, r.opens_at + interval '5 hours' as at, k.kind, x.h,
        case
          when k.kind = 'blocked' and r.week in (${WEEKS - 2}, ${WEEKS}) then 'blocked'
          when x.h < 2 then 'blocked'
          when x.h < 12 then 'behind'
          when x.h < 15 then 'done'
          else 'on-track'
        end as status,
        case
          when k.kind = 'dropping' and r.week >= ${WEEKS - 2} then (array[5, 4, 2])[r.week - ${WEEKS - 3}]
          when x.r >= ${ratedPercent} then null
          else 3 + m.id % 2 + case when x.h % 7 = 0 then 1 else 0 end
        end as confidence
      from members m
      join rounds r on r.cohort_id = m.cohort_id
      cross join lateral (select ${KIND} as kind) k
      cross join lateral (select abs(hashint8(m.id::bigint * 64 + r.week)) % 100 as h, abs(hashint8(m.id::bigint * 64 + r.week + 1000003)) % 100 as r) x
      where m.role = 'learner'
    ) a
    where not (kind = 'missing' and week >= ${WEEKS - 1})
      and (h >= 4 or (kind in ('blocked', 'dropping') and week >= ${WEEKS - 2}))`.execute(db);
  const milestones = program.milestones.filter((m) => m.week < WEEKS);
  await sql`
    insert into milestone_completions (member_id, milestone_id, checkin_id, completed_at)
    select m.id, ms.id, null, ${T0}::timestamptz + ms.week * interval '7 days'
    from members m
    cross join unnest(string_to_array(${milestones.map((x) => x.id).join(',')}, ','), string_to_array(${milestones.map((x) => x.week).join(',')}, ',')::int[]) as ms(id, week)
    where m.role = 'learner' and not (${KIND} = 'behind' and ms.week >= ${milestones[milestones.length - 2]?.week ?? 0})`.execute(db);
  await sql`analyze`.execute(db);
}

