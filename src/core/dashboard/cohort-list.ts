import { sql } from 'kysely';
import type { Cohort } from '../../db/types.js';
import { countSentence, loadAttendance, tallyOf } from '../attendance.js';
import { cohortCalendar } from '../calendar.js';
import type { Actor } from '../chat.js';
import type { CoreDeps } from '../core.js';
import { cohortsPermitting, type Standing } from '../permissions.js';

export interface CohortSummary {
  cohort: Cohort;
  standing: Standing;
  programTitle: string;
  weeks: number;
  /** The latest posted week, 0 before the first round. */
  week: number;
  /** That week's count, in the sentence the round post and `/cohort status` use; empty before the first round. */
  count: string;
  /** Answered of expected, for the percentage. */
  answered: number;
  expected: number;
  openFlags: number;
  nextRound: Date | null;
}

/** The cohorts page: every cohort the actor may see in full (organizers: all of their platform; mentors: theirs). */
export async function cohortSummaries(deps: CoreDeps, actor: Actor, now: Date): Promise<CohortSummary[]> {
  const visible = await cohortsPermitting(deps.db, deps.admins, actor, 'see-cohort');
  if (visible.length === 0) return [];
  const flags = await deps.db
    .selectFrom('stall_flags')
    .select(['cohort_id', sql<number>`count(*)::int`.as('n')])
    .where(
      'cohort_id',
      'in',
      visible.map((v) => v.cohort.id),
    )
    .where('status', '<>', 'resolved')
    .groupBy('cohort_id')
    .execute();
  const out: CohortSummary[] = [];
  for (const { cohort, standing } of visible) {
    const program = deps.content.programs.get(cohort.program_id);
    const weeks = program?.weeks.length ?? 0;
    // Who counts this week: the one definition the round post, /cohort status and the digest use.
    const attendance = await loadAttendance(deps.db, cohort.id, weeks || Number.POSITIVE_INFINITY);
    const round = attendance.rounds.filter((r) => r.state === 'posted').at(-1);
    const tally = round ? tallyOf(attendance.learners, round, now) : null;
    const calendar = program && cohort.status !== 'finished' ? await cohortCalendar(deps.db, cohort, program, now) : null;
    out.push({
      cohort,
      standing,
      programTitle: program?.title ?? `${cohort.program_id} (missing from the content)`,
      weeks,
      week: round?.week ?? 0,
      count: tally ? countSentence(tally) : '',
      answered: tally?.answered ?? 0,
      expected: tally?.expected ?? 0,
      openFlags: Number(flags.find((f) => f.cohort_id === cohort.id)?.n ?? 0),
      nextRound: calendar?.next?.at ?? null,
    });
  }
  return out;
}
