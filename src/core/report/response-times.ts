import { sql } from 'kysely';
import type { Executor } from '../outbox.js';

/**
 * How fast mentors answer stall alerts: from the flag's alert (the flag opening) to the first
 * mentor response, an acknowledgement or, without one, the mentor resolving it (an organizer's
 * answer to an escalated alert is not a mentor's). Flags that
 * resolved themselves or ended with the program before anyone answered are not answered; open
 * ones still waiting are counted apart.
 */
export interface ResponseFigures {
  answered: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface ResponseTimes extends ResponseFigures {
  /** Alerts still waiting for a first response. */
  waiting: number;
  byMentor: Array<ResponseFigures & { mentor: string }>;
}

export interface AlertResponse {
  cohortId: number;
  mentor: string;
  seconds: number;
}

/** Linear interpolation between closest ranks (the common "type 7" definition). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function figures(seconds: readonly number[]): ResponseFigures {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { answered: sorted.length, medianSeconds: percentile(sorted, 0.5), p90Seconds: percentile(sorted, 0.9) };
}

/** Every answered alert, with who answered and how long it took; one cohort or all. */
export async function alertResponses(db: Executor, cohortId?: number): Promise<AlertResponse[]> {
  let q = db
    .selectFrom('stall_flags')
    .select([
      'cohort_id',
      sql<string>`coalesce(acknowledged_by, resolved_by)`.as('mentor'),
      sql<number>`extract(epoch from coalesce(acknowledged_at, resolved_at) - opened_at)::float8`.as('seconds'),
    ])
    .where((eb) => eb.or([eb('acknowledged_at', 'is not', null), eb('resolution', '=', 'mentor')]))
    // A mentor's answer: an organizer who answered an escalated alert is not timed as one.
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('members as mentor')
          .select('mentor.id')
          .whereRef('mentor.cohort_id', '=', 'stall_flags.cohort_id')
          .where('mentor.role', '=', 'mentor')
          .where(sql<boolean>`mentor.display_name = coalesce(stall_flags.acknowledged_by, stall_flags.resolved_by)`),
      ),
    );
  if (cohortId !== undefined) q = q.where('cohort_id', '=', cohortId);
  const rows = await q.execute();
  return rows.map((r) => ({ cohortId: r.cohort_id, mentor: r.mentor ?? 'unknown', seconds: Math.max(0, Number(r.seconds)) }));
}

export async function responseTimes(db: Executor, cohortId: number): Promise<ResponseTimes> {
  const [answered, waiting] = await Promise.all([
    alertResponses(db, cohortId),
    db
      .selectFrom('stall_flags')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('cohort_id', '=', cohortId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow(),
  ]);
  const byMentor = new Map<string, number[]>();
  for (const a of answered) byMentor.set(a.mentor, [...(byMentor.get(a.mentor) ?? []), a.seconds]);
  return {
    ...figures(answered.map((a) => a.seconds)),
    waiting: waiting.n,
    byMentor: [...byMentor].sort(([a], [b]) => a.localeCompare(b)).map(([mentor, s]) => ({ mentor, ...figures(s) })),
  };
}

/** "3.5 h", "40 min", "2.1 days": the unit a mentor would say. */
export function durationText(seconds: number): string {
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${(seconds / 86400).toFixed(1).replace(/\.0$/, '')} days`;
}

/** One line per scope: the cohort, then each mentor who answered. */
export function responseLines(t: ResponseTimes): string[] {
  if (t.answered === 0) return [`No stall alert answered yet${t.waiting > 0 ? ` (${t.waiting} waiting)` : ''}.`];
  const fig = (f: ResponseFigures) => `median ${durationText(f.medianSeconds!)}, 90th percentile ${durationText(f.p90Seconds!)} (${f.answered} alert${f.answered === 1 ? '' : 's'})`;
  const lines = [`Cohort: ${fig(t)}${t.waiting > 0 ? `; ${t.waiting} waiting` : ''}.`];
  for (const m of t.byMentor) lines.push(`• ${m.mentor}: ${fig(m)}`);
  return lines;
}
