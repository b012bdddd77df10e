import type { Program } from '../content/types.js';
import type { Cohort, NotRunReason } from '../db/types.js';
import type { Executor } from './outbox.js';
import { ruleOf, skippedDatesOf } from './rounds.js';
import { upcomingSlots } from './schedule.js';

const WEEK_MS = 7 * 86_400_000;

export interface CalendarWeek {
  week: number;
  localDate: string;
  at: Date;
  /** upcoming: not recorded yet, placed by the current rule (moves with edits, skips and pauses). */
  state: 'posted' | 'not-run' | 'upcoming';
  reason: NotRunReason | null;
  late: boolean;
}

export interface CohortCalendar {
  weeks: CalendarWeek[];
  /** The first week not recorded yet; null once every week is. */
  next: CalendarWeek | null;
  /** When the last week closes and the program ends. */
  endsAt: Date;
  skipped: string[];
  pauses: Array<{ from: Date; until: Date | null }>;
}

/**
 * The whole program of a cohort as it stands: weeks recorded (posted or not run) and the rest as the
 * current slot, skips and pauses place them. A paused cohort's remaining weeks are shown as if it
 * resumed now: they move when it does.
 */
export async function cohortCalendar(db: Executor, cohort: Cohort, program: Program, now: Date): Promise<CohortCalendar> {
  const [rounds, skipped, pauses] = await Promise.all([
    db.selectFrom('rounds').select(['week', 'local_date', 'opens_at', 'state', 'not_run_reason', 'offline_since']).where('cohort_id', '=', cohort.id).orderBy('week').execute(),
    skippedDatesOf(db, [cohort.id]),
    db.selectFrom('cohort_pauses').select(['paused_at', 'resumed_at']).where('cohort_id', '=', cohort.id).orderBy('paused_at').execute(),
  ]);
  const weeks: CalendarWeek[] = rounds.map((r) => ({
    week: r.week,
    localDate: r.local_date,
    at: new Date(r.opens_at),
    state: r.state,
    reason: r.not_run_reason,
    late: r.offline_since !== null,
  }));
  const last = weeks[weeks.length - 1];
  const notBefore = cohort.status === 'paused' ? now : cohort.resumed_at;
  const upcoming = upcomingSlots(ruleOf(cohort, skipped.get(cohort.id)), last ? { localDate: last.localDate } : null, program.weeks.length - weeks.length, notBefore);
  for (const slot of upcoming) weeks.push({ week: weeks.length + 1, localDate: slot.localDate, at: slot.at, state: 'upcoming', reason: null, late: false });
  const final = weeks[weeks.length - 1]!;
  return {
    weeks,
    next: weeks.find((w) => w.state === 'upcoming') ?? null,
    endsAt: new Date(final.at.getTime() + WEEK_MS),
    skipped: [...(skipped.get(cohort.id) ?? [])].sort(),
    pauses: pauses.map((p) => ({ from: new Date(p.paused_at), until: p.resumed_at ? new Date(p.resumed_at) : null })),
  };
}

/** When a round closes: when the next one opens (as the calendar places it while it is not out yet). */
export async function closingOf(db: Executor, cohort: Cohort, program: Program, round: { closesAt: Date | null }, now: Date): Promise<Date | null> {
  return round.closesAt ?? (await cohortCalendar(db, cohort, program, now)).next?.at ?? null;
}
