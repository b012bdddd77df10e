import type { Content } from '../../content/types.js';
import type { Cohort } from '../../db/types.js';
import { linksOf, verifiedMilestones } from '../evidence/links.js';
import { attendanceOf, loadAttendance, type RoundFacts } from '../attendance.js';
import { cohortCalendar } from '../calendar.js';
import { cohortCompletions } from '../members.js';
import type { Executor } from '../outbox.js';
import { localDate } from '../schedule.js';
import type { HeatmapCell, HeatmapColumn, HeatmapData, HeatmapRow } from './heatmap.js';

export interface HeatmapOptions {
  title?: string;
  /** Weeks marked verified, by member id; by default the week each milestone was verified by linked work. */
  verifiedWeeks?: ReadonlyMap<number, ReadonlySet<number>>;
  notes?: string[];
}

/**
 * The heatmap of a cohort up to week `week` as it stood at `now`: one row per active learner, one
 * column per program week (later weeks blank) with each skipped date (holiday) as a narrow column
 * where it fell.
 */
export async function loadHeatmap(db: Executor, content: Content, cohort: Cohort, week: number, now: Date, options: HeatmapOptions = {}): Promise<HeatmapData | null> {
  const program = content.programs.get(cohort.program_id);
  if (!program) return null;
  const [attendance, completions, flags, skipped] = await Promise.all([
    loadAttendance(db, cohort.id, program.weeks.length, week, now),
    cohortCompletions(db, cohort.id, now),
    // Flags open at `now`: a picture of a past week shows that week's.
    db
      .selectFrom('stall_flags')
      .select(['member_id'])
      .where('cohort_id', '=', cohort.id)
      .where('opened_at', '<=', now)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>', now)]))
      .execute(),
    db.selectFrom('skipped_dates').select('date').where('cohort_id', '=', cohort.id).orderBy('date').execute(),
  ]);
  const { rounds, learners } = attendance;
  const byWeek = new Map(rounds.map((r) => [r.week, r]));
  const verifiedWeeks = options.verifiedWeeks ?? (await weeksVerified(db, program.milestones, learners.map((l) => l.id), rounds));
  // Weeks still to come are dated as the calendar places them, so a holiday is drawn where it falls.
  const calendar = await cohortCalendar(db, cohort, program, now);
  const dateOf = new Map(calendar.weeks.map((w) => [w.week, w.localDate]));
  const weekColumns: HeatmapColumn[] = program.weeks.map((_, i) => ({ kind: 'week', week: i + 1, date: byWeek.get(i + 1)?.localDate ?? dateOf.get(i + 1) ?? null }));
  const columns = placeSkipped(weekColumns, skipped.map((s) => s.date));

  const programMilestones = new Set(program.milestones.map((m) => m.id));
  const done = new Map<number, number>();
  for (const c of completions) if (programMilestones.has(c.milestone_id)) done.set(c.member_id, (done.get(c.member_id) ?? 0) + 1);
  const flagCount = new Map<number, number>();
  for (const f of flags) flagCount.set(f.member_id, (flagCount.get(f.member_id) ?? 0) + 1);

  const rows: HeatmapRow[] = learners.map((l) => {
    const verified = verifiedWeeks.get(l.id);
    const confidence: Array<number | null> = [];
    const cells = columns.map((c): HeatmapCell => {
      if (c.kind === 'skipped') return { state: 'skipped' };
      const r = byWeek.get(c.week);
      if (c.week > week || !r) return { state: c.week > week ? 'upcoming' : 'not-run' };
      const state = attendanceOf(l, r, now);
      const a = l.answers.get(c.week);
      if (a) confidence.push(a.confidence);
      const mark = verified?.has(c.week) && state !== 'not-member' && state !== 'not-run' ? { verified: true } : {};
      return { state, ...(a?.late ? { late: true } : {}), ...mark };
    });
    return { memberId: l.id, name: l.name, cells, openFlags: flagCount.get(l.id) ?? 0, confidence, milestonesDone: done.get(l.id) ?? 0 };
  });

  return {
    title: options.title ?? 'weekly digest',
    cohortName: cohort.name,
    programTitle: program.title,
    week,
    weeks: program.weeks.length,
    date: localDate(now, cohort.timezone),
    columns,
    rows,
    milestoneCount: program.milestones.length,
    ...(options.notes ? { notes: options.notes } : {}),
  };
}

/** Puts each skipped date before the first week dated after it; dates past every dated week go after the last one. */
export function placeSkipped(weeks: HeatmapColumn[], skipped: readonly string[]): HeatmapColumn[] {
  const out: HeatmapColumn[] = [];
  const pending = [...skipped].sort();
  for (const c of weeks) {
    while (c.kind === 'week' && c.date && pending.length > 0 && pending[0]! < c.date) out.push({ kind: 'skipped', date: pending.shift()! });
    out.push(c);
  }
  const lastDated = out.findLastIndex((c) => c.kind === 'week' && c.date !== null);
  if (pending.length > 0) out.splice(lastDated + 1, 0, ...pending.filter((d) => d > ((out[lastDated] as { date?: string })?.date ?? '')).map((date) => ({ kind: 'skipped' as const, date })));
  return out;
}

/** The week a report is about by default: the latest week whose round was posted (0 when none). */
export async function latestPostedWeek(db: Executor, cohortId: number): Promise<number> {
  const r = await db.selectFrom('rounds').select('week').where('cohort_id', '=', cohortId).where('state', '=', 'posted').orderBy('week', 'desc').limit(1).executeTakeFirst();
  return r?.week ?? 0;
}

/** For each learner, the weeks in which a milestone of theirs became verified by linked work (its first pass). */
async function weeksVerified(
  db: Executor,
  milestones: Parameters<typeof verifiedMilestones>[0],
  memberIds: number[],
  rounds: readonly RoundFacts[],
): Promise<Map<number, Set<number>>> {
  const links = await linksOf(db, memberIds);
  const out = new Map<number, Set<number>>();
  for (const [memberId, ids] of verifiedMilestones(milestones, links)) {
    for (const id of ids) {
      const times = links.filter((l) => l.memberId === memberId && l.milestoneId === id && l.verifiedAt).map((l) => l.verifiedAt!.getTime());
      if (times.length === 0) continue;
      const at = Math.min(...times);
      const week = rounds.filter((r) => r.state === 'posted' && r.opensAt.getTime() <= at).at(-1)?.week ?? 1;
      if (!out.has(memberId)) out.set(memberId, new Set());
      out.get(memberId)!.add(week);
    }
  }
  return out;
}
