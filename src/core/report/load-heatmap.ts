import type { Content } from '../../content/types.js';
import type { Cohort } from '../../db/types.js';
import { linksOf, verifiedMilestones } from '../evidence/links.js';
import { activeMembers, cohortBreaks, cohortCompletions } from '../members.js';
import type { Executor } from '../outbox.js';
import { localDate, plusDays } from '../schedule.js';
import { JOIN_GRACE_MS } from '../stalls/rules.js';
import type { CellState, HeatmapCell, HeatmapColumn, HeatmapData, HeatmapRow } from './heatmap.js';

export interface HeatmapOptions {
  title?: string;
  /** Weeks marked verified, by member id; by default the week each milestone was verified by linked work. */
  verifiedWeeks?: ReadonlyMap<number, ReadonlySet<number>>;
  notes?: string[];
  /** Every answer of the cohort, when the caller has read them already (cohortAnswers). */
  answers?: readonly CohortAnswer[];
}

export interface CohortAnswer {
  member_id: number;
  week: number;
  status: string;
  late: boolean;
  confidence: number | null;
}

/** Every check-in of a cohort, by member and week: what the heatmap and the report figures count. */
export function cohortAnswers(db: Executor, cohortId: number, upToWeek?: number): Promise<CohortAnswer[]> {
  let q = db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .select(['checkins.member_id', 'rounds.week', 'checkins.status', 'checkins.late', 'checkins.confidence'])
    .where('rounds.cohort_id', '=', cohortId);
  if (upToWeek !== undefined) q = q.where('rounds.week', '<=', upToWeek);
  return q.execute();
}

/**
 * The heatmap of a cohort up to week `week`: one row per active learner, one column per program
 * week (later weeks blank) with each skipped date (holiday) as a narrow column where it fell.
 */
export async function loadHeatmap(db: Executor, content: Content, cohort: Cohort, week: number, now: Date, options: HeatmapOptions = {}): Promise<HeatmapData | null> {
  const program = content.programs.get(cohort.program_id);
  if (!program) return null;
  const [rounds, learners, checkins, completions, flags, absences, skipped] = await Promise.all([
    db.selectFrom('rounds').select(['week', 'opens_at', 'local_date', 'state']).where('cohort_id', '=', cohort.id).orderBy('week').execute(),
    activeMembers(db, cohort.id, 'learner'),
    options.answers ? Promise.resolve(options.answers.filter((a) => a.week <= week)) : cohortAnswers(db, cohort.id, week),
    cohortCompletions(db, cohort.id),
    db.selectFrom('stall_flags').select(['member_id']).where('cohort_id', '=', cohort.id).where('status', '<>', 'resolved').execute(),
    cohortBreaks(db, cohort.id),
    db.selectFrom('skipped_dates').select('date').where('cohort_id', '=', cohort.id).orderBy('date').execute(),
  ]);

  const byWeek = new Map(rounds.map((r) => [r.week, r]));
  const verifiedWeeks = options.verifiedWeeks ?? (await weeksVerified(db, program.milestones, learners.map((l) => l.id), rounds));
  const weekColumns: HeatmapColumn[] = program.weeks.map((_, i) => ({ kind: 'week', week: i + 1, date: byWeek.get(i + 1)?.local_date ?? null }));
  const columns = placeSkipped(weekColumns, skipped.map((s) => s.date));

  const answers = new Map(checkins.map((c) => [`${c.member_id}:${c.week}`, c]));
  const programMilestones = new Set(program.milestones.map((m) => m.id));
  const done = new Map<number, number>();
  for (const c of completions) if (programMilestones.has(c.milestone_id)) done.set(c.member_id, (done.get(c.member_id) ?? 0) + 1);
  const flagCount = new Map<number, number>();
  for (const f of flags) flagCount.set(f.member_id, (flagCount.get(f.member_id) ?? 0) + 1);

  const rows: HeatmapRow[] = learners.map((l) => {
    const joinedFrom = new Date(l.joined_at).getTime() - JOIN_GRACE_MS;
    const periods = absences.filter((a) => a.member_id === l.id);
    const awayIn = (w: number) => {
      const from = byWeek.get(w)!.local_date;
      const to = byWeek.get(w + 1)?.local_date ?? plusDays(from, 7);
      return periods.some((p) => p.starts_on < to && p.ends_on > from) || (w === week && l.away_until !== null && l.away_until > from);
    };
    const verified = verifiedWeeks.get(l.id);
    const confidence: Array<number | null> = [];
    const cells = columns.map((c): HeatmapCell => {
      if (c.kind === 'skipped') return { state: 'skipped' };
      const w = c.week;
      const r = byWeek.get(w);
      if (w > week) return { state: 'upcoming' };
      if (!r || r.state === 'not-run') return { state: 'not-run' };
      if (new Date(r.opens_at).getTime() < joinedFrom) return { state: 'not-member' };
      const a = answers.get(`${l.id}:${w}`);
      const mark = verified?.has(w) ? { verified: true } : {};
      if (a) {
        confidence.push(a.confidence);
        return { state: a.status as CellState, ...(a.late ? { late: true } : {}), ...mark };
      }
      if (awayIn(w)) return { state: 'away', ...mark };
      // A round closes when the next one opens (the last one a week after its slot); until then the answer may still come.
      const closed = byWeek.has(w + 1) || (w === program.weeks.length && new Date(r.opens_at).getTime() + 7 * 86_400_000 <= now.getTime());
      return { state: closed ? 'missed' : 'upcoming', ...mark };
    });
    return { name: l.display_name, cells, openFlags: flagCount.get(l.id) ?? 0, confidence, milestonesDone: done.get(l.id) ?? 0 };
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
  rounds: ReadonlyArray<{ week: number; opens_at: Date | string; state: string }>,
): Promise<Map<number, Set<number>>> {
  const links = await linksOf(db, memberIds);
  const out = new Map<number, Set<number>>();
  for (const [memberId, ids] of verifiedMilestones(milestones, links)) {
    for (const id of ids) {
      const times = links.filter((l) => l.memberId === memberId && l.milestoneId === id && l.verifiedAt).map((l) => l.verifiedAt!.getTime());
      if (times.length === 0) continue;
      const at = Math.min(...times);
      const week = rounds.filter((r) => r.state === 'posted' && new Date(r.opens_at).getTime() <= at).at(-1)?.week ?? 1;
      if (!out.has(memberId)) out.set(memberId, new Set());
      out.get(memberId)!.add(week);
    }
  }
  return out;
}
