import type { Program } from '../../content/types.js';
import type { Cohort, FlagStatus, StallReason } from '../../db/types.js';
import { cohortCalendar, type CohortCalendar } from '../calendar.js';
import type { CoreDeps } from '../core.js';
import type { StatusData } from '../messages/progress.js';
import type { FinalReportData } from '../messages/program-end.js';
import { reportData } from '../program-end.js';
import { cohortStatusData } from '../progress.js';
import type { HeatmapData } from '../report/heatmap.js';
import { latestPostedWeek, loadHeatmap } from '../report/load-heatmap.js';
import { responseTimes, type ResponseTimes } from '../report/response-times.js';

export interface FlagRow {
  id: number;
  memberId: number;
  learnerName: string;
  status: FlagStatus;
  reasons: StallReason[];
  openedAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

export interface CohortPage {
  cohort: Cohort;
  program: Program;
  /** The latest posted week (0 before the first round). */
  week: number;
  heatmap: HeatmapData | null;
  thisWeek: StatusData;
  flags: FlagRow[];
  calendar: CohortCalendar;
  report: FinalReportData;
  responseTimes: ResponseTimes;
}

/** A cohort's flags not yet resolved, oldest first: what its mentors have to act on. */
export async function unresolvedFlags(deps: Pick<CoreDeps, 'db'>, cohortId: number, memberId?: number): Promise<FlagRow[]> {
  let q = deps.db
    .selectFrom('stall_flags as f')
    .innerJoin('members as m', 'm.id', 'f.member_id')
    .select(['f.id', 'f.member_id', 'f.status', 'f.reasons', 'f.opened_at', 'f.acknowledged_by', 'f.acknowledged_at', 'm.display_name'])
    .where('f.cohort_id', '=', cohortId)
    .where('f.status', '<>', 'resolved');
  if (memberId !== undefined) q = q.where('f.member_id', '=', memberId);
  const rows = await q.orderBy('f.opened_at').orderBy('f.id').execute();
  return rows.map((r) => ({
    id: r.id,
    memberId: r.member_id,
    learnerName: r.display_name,
    status: r.status,
    reasons: r.reasons,
    openedAt: new Date(r.opened_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at) : null,
  }));
}

/**
 * Everything the dashboard's cohort page shows, from the functions behind the digest, `/cohort
 * status`, `/cohort schedule` and the final report. Who may see it is the caller's decision.
 */
export async function cohortPage(deps: CoreDeps, cohort: Cohort, now: Date): Promise<CohortPage | null> {
  const program = deps.content.programs.get(cohort.program_id);
  if (!program) return null;
  const week = await latestPostedWeek(deps.db, cohort.id);
  const [heatmap, thisWeek, flags, calendar, report, times] = await Promise.all([
    week > 0 ? loadHeatmap(deps.db, deps.content, cohort, week, now, { title: 'dashboard' }) : Promise.resolve(null),
    cohortStatusData(deps.db, deps.content, cohort, now),
    unresolvedFlags(deps, cohort.id),
    cohortCalendar(deps.db, cohort, program, now),
    reportData(deps.db, cohort, program, now),
    responseTimes(deps.db, cohort.id),
  ]);
  return { cohort, program, week, heatmap, thisWeek, flags, calendar, report, responseTimes: times };
}
