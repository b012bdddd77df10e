import type { Actor } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { cohortsPermitting, type Standing } from '../permissions.js';
import { latestRounds } from '../rounds.js';
import { cohortCalendar } from '../calendar.js';
import type { Cohort } from '../../db/types.js';
import { sql } from 'kysely';

export interface CohortSummary {
  cohort: Cohort;
  standing: Standing;
  programTitle: string;
  weeks: number;
  /** The latest posted week, 0 before the first round. */
  week: number;
  /** This week's answers from active learners, of how many active learners. */
  checkedIn: number;
  learners: number;
  openFlags: number;
  nextRound: Date | null;
}

/** The cohorts page: every cohort the actor may see in full (organizers: all of their platform; mentors: theirs). */
export async function cohortSummaries(deps: CoreDeps, actor: Actor, now: Date): Promise<CohortSummary[]> {
  const visible = await cohortsPermitting(deps.db, deps.admins, actor, 'see-cohort');
  if (visible.length === 0) return [];
  const ids = visible.map((v) => v.cohort.id);
  const [latest, learners, flags] = await Promise.all([
    latestRounds(deps.db, ids),
    deps.db
      .selectFrom('members')
      .select(['cohort_id', sql<number>`count(*)::int`.as('n')])
      .where('cohort_id', 'in', ids)
      .where('role', '=', 'learner')
      .where('removed_at', 'is', null)
      .groupBy('cohort_id')
      .execute(),
    deps.db
      .selectFrom('stall_flags')
      .select(['cohort_id', sql<number>`count(*)::int`.as('n')])
      .where('cohort_id', 'in', ids)
      .where('status', '<>', 'resolved')
      .groupBy('cohort_id')
      .execute(),
  ]);
  const roundIds = [...latest.values()].filter((r) => r.state === 'posted').map((r) => r.id);
  const answers = roundIds.length
    ? await deps.db
        .selectFrom('checkins')
        .innerJoin('members', 'members.id', 'checkins.member_id')
        .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
        .select(['rounds.cohort_id', sql<number>`count(*)::int`.as('n')])
        .where('checkins.round_id', 'in', roundIds)
        .where('members.removed_at', 'is', null)
        .groupBy('rounds.cohort_id')
        .execute()
    : [];
  const count = (rows: Array<{ cohort_id: number; n: number }>, id: number) => Number(rows.find((r) => r.cohort_id === id)?.n ?? 0);
  const out: CohortSummary[] = [];
  for (const { cohort, standing } of visible) {
    const program = deps.content.programs.get(cohort.program_id);
    const round = latest.get(cohort.id);
    const posted = round?.state === 'posted';
    const calendar = program && cohort.status !== 'finished' ? await cohortCalendar(deps.db, cohort, program, now) : null;
    out.push({
      cohort,
      standing,
      programTitle: program?.title ?? `${cohort.program_id} (missing from the content)`,
      weeks: program?.weeks.length ?? 0,
      week: round?.week ?? 0,
      checkedIn: posted ? count(answers, cohort.id) : 0,
      learners: count(learners, cohort.id),
      openFlags: count(flags, cohort.id),
      nextRound: calendar?.next?.at ?? null,
    });
  }
  return out;
}
