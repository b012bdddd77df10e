import { sql } from 'kysely';
import type { Content, Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Cohort } from '../db/types.js';
import { finalReport, programSummary, type FinalReportData } from './messages/program-end.js';
import { enqueueWithFiles, type OutgoingWithFiles } from './attachments.js';
import type { Executor } from './outbox.js';
import { finalNotes } from './report/final-notes.js';
import type { HeatmapRenderer } from './report/heatmap.js';
import { HEATMAP_ATTACHED, heatmapFile } from './report/heatmap-file.js';
import { responseLines, responseTimes } from './report/response-times.js';
import { latestRounds } from './rounds.js';
import { refreshAlerts } from './stalls/refresh.js';

const WEEK_MS = 7 * 86_400_000;

/**
 * Ends every active cohort whose last week has closed (7 days after its slot): a summary in the
 * channel, a final report to each mentor, every open flag closed as "program ended", the cohort
 * marked finished. Claiming the cohort (status active → finished) decides which replica does it,
 * and everything it announces commits with it. Returns how many cohorts ended.
 */
export async function endFinishedPrograms(db: Db, content: Content, now: Date, renderer?: HeatmapRenderer): Promise<number> {
  const cohorts = await db.selectFrom('cohorts').selectAll().where('status', '=', 'active').execute();
  if (cohorts.length === 0) return 0;
  const latest = await latestRounds(db, cohorts.map((c) => c.id));
  let ended = 0;
  for (const cohort of cohorts) {
    const program = content.programs.get(cohort.program_id);
    const last = latest.get(cohort.id);
    if (!program || !last || last.week < program.weeks.length) continue;
    if (new Date(last.opens_at).getTime() + WEEK_MS > now.getTime()) continue;
    ended += await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('cohorts')
        .set({ status: 'finished', finished_at: now })
        .where('id', '=', cohort.id)
        .where('status', '=', 'active')
        .returning('id')
        .executeTakeFirst();
      if (!claimed) return 0;
      const closed = await trx
        .updateTable('stall_flags')
        .set({ status: 'resolved', resolution: 'ended', resolved_at: now, resolved_by: null })
        .where('cohort_id', '=', cohort.id)
        .where('status', '<>', 'resolved')
        .returning('id')
        .execute();
      const outs: OutgoingWithFiles[] = [];
      for (const f of closed) outs.push(...((await refreshAlerts(trx, f.id, now))?.edits ?? []).map((e) => ({ ...e, files: [] })));
      const data = await reportData(trx, cohort, program);
      const times = await responseTimes(trx, cohort.id);
      data.responseTimes = responseLines(times);
      const image = renderer
        ? await heatmapFile(trx, content, renderer, cohort, last.week, now, { title: 'final report', suffix: '-final', notes: finalNotes(data, times) })
        : null;
      outs.push({ key: `summary:${cohort.id}`, kind: 'summary', platform: cohort.platform, targetKind: 'channel', targetId: cohort.channel_id, message: programSummary(data), availableAt: now, files: [] });
      const report = finalReport(data);
      if (image) report.text += `\n${HEATMAP_ATTACHED}`;
      for (const mentor of data.mentors) {
        outs.push({ key: `final-report:${cohort.id}:${mentor.id}`, kind: 'report', platform: cohort.platform, targetKind: 'user', targetId: mentor.userId, message: report, availableAt: now, files: image ? [image] : [] });
      }
      await enqueueWithFiles(trx, outs);
      return 1;
    });
  }
  return ended;
}

/** The final report as it reads now (rebuilt when a learner's data is erased after the end). */
export async function currentFinalReport(db: Executor, cohort: Cohort, program: Program) {
  return finalReport(await reportData(db, cohort, program));
}

/** The figures of the final report, as they stand now (the dashboard shows them before the end too). */
export async function reportData(db: Executor, cohort: Cohort, program: Program, known?: { answers: ReadonlyArray<{ member_id: number; week: number; late: boolean }> }): Promise<FinalReportData> {
  const [members, rounds, answers, completions, flags] = await Promise.all([
    db.selectFrom('members').select(['id', 'user_id', 'display_name', 'role']).where('cohort_id', '=', cohort.id).where('removed_at', 'is', null).orderBy('display_name').orderBy('id').execute(),
    db.selectFrom('rounds').select(['id', 'week', 'state']).where('cohort_id', '=', cohort.id).orderBy('week').execute(),
    known?.answers ??
      db
        .selectFrom('checkins')
        .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
        .select(['checkins.member_id', 'rounds.week', 'checkins.late'])
        .where('rounds.cohort_id', '=', cohort.id)
        .execute(),
    db
      .selectFrom('milestone_completions')
      .innerJoin('members', 'members.id', 'milestone_completions.member_id')
      .select(['milestone_completions.member_id', 'milestone_completions.milestone_id'])
      .where('members.cohort_id', '=', cohort.id)
      .where('members.removed_at', 'is', null)
      .execute(),
    db
      .selectFrom('stall_flags')
      .select(['member_id', 'resolution', sql<number | null>`extract(epoch from acknowledged_at - opened_at)`.as('ack_seconds')])
      .where('cohort_id', '=', cohort.id)
      .execute(),
  ]);
  const learners = members.filter((m) => m.role === 'learner');
  const learnerIds = new Set(learners.map((l) => l.id));
  const posted = rounds.filter((r) => r.state === 'posted');
  const doneBy = new Map<number, Set<string>>();
  for (const c of completions) doneBy.set(c.member_id, (doneBy.get(c.member_id) ?? new Set()).add(c.milestone_id));
  // Counted in one pass each: a cohort of hundreds of learners × 24 weeks is read on every dashboard visit.
  const count = <T>(rows: readonly T[], key: (r: T) => number | string) => {
    const n = new Map<number | string, number>();
    for (const r of rows) n.set(key(r), (n.get(key(r)) ?? 0) + 1);
    return n;
  };
  const answeredBy = count(answers, (a) => a.member_id);
  const lateBy = count(answers.filter((a) => a.late), (a) => a.member_id);
  const perWeek = count(answers.filter((a) => learnerIds.has(a.member_id)), (a) => a.week);
  const flagsBy = count(flags, (f) => f.member_id);
  const ackSeconds = flags.map((f) => f.ack_seconds).filter((s): s is number => s !== null).map(Number).sort((a, b) => a - b);
  return {
    cohortName: cohort.name,
    programTitle: program.title,
    weeks: program.weeks.length,
    postedWeeks: posted.map((r) => r.week),
    notRunWeeks: rounds.filter((r) => r.state === 'not-run').map((r) => r.week),
    milestones: [...program.milestones]
      .sort((a, b) => a.week - b.week)
      .map((m) => ({ title: m.title, week: m.week, finished: learners.filter((l) => doneBy.get(l.id)?.has(m.id)).length })),
    learnerCount: learners.length,
    answersPerWeek: posted.map((r) => ({ week: r.week, answers: perWeek.get(r.week) ?? 0 })),
    learners: learners.map((l) => ({
      memberId: l.id,
      name: l.display_name,
      milestonesDone: program.milestones.filter((m) => doneBy.get(l.id)?.has(m.id)).length,
      answered: answeredBy.get(l.id) ?? 0,
      late: lateBy.get(l.id) ?? 0,
      flags: flagsBy.get(l.id) ?? 0,
    })),
    flagsRaised: flags.length,
    flagsResolvedByMentors: flags.filter((f) => f.resolution === 'mentor').length,
    flagsResolvedThemselves: flags.filter((f) => f.resolution === 'auto').length,
    flagsOpenAtEnd: flags.filter((f) => f.resolution === null || f.resolution === 'ended').length,
    ackMedianHours: ackSeconds.length > 0 ? ackSeconds[Math.floor((ackSeconds.length - 1) / 2)]! / 3600 : null,
    mentors: members.filter((m) => m.role === 'mentor').map((m) => ({ id: m.id, userId: m.user_id })),
  };
}
