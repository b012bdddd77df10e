import { sql } from 'kysely';
import type { Content, Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Cohort } from '../db/types.js';
import type { AdminId } from '../config.js';
import { attendanceOf, loadAttendance, tallyOf } from './attendance.js';
import { emptyCohortEndedNotice, finalReport, programSummary, type FinalReportData } from './messages/program-end.js';
import { cohortCompletions, mentorLeftCohort } from './members.js';
import { organizersOf } from './organizers.js';
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
export async function endFinishedPrograms(db: Db, content: Content, now: Date, renderer?: HeatmapRenderer, admins: readonly AdminId[] = []): Promise<number> {
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
      const everHadLearner = await trx.selectFrom('members').select('id').where('cohort_id', '=', cohort.id).where('role', '=', 'learner').limit(1).executeTakeFirst();
      if (!everHadLearner) {
        // Nobody to thank and nothing to report: the organizers alone are told.
        for (const userId of organizersOf(cohort, admins)) {
          outs.push({ key: `ended-empty:${cohort.id}:to:${userId}`, kind: 'notice', cohortId: cohort.id, platform: cohort.platform, targetKind: 'user', targetId: userId, message: emptyCohortEndedNotice(cohort.name), availableAt: now, files: [] });
        }
        await enqueueWithFiles(trx, outs);
        return 1;
      }
      const { data, message: report, image } = await finalReportNow(trx, content, cohort, program, now, renderer);
      outs.push({ key: `summary:${cohort.id}`, kind: 'summary', cohortId: cohort.id, platform: cohort.platform, targetKind: 'channel', targetId: cohort.channel_id, message: programSummary(data), availableAt: now, files: [] });
      // With every mentor gone, the organizers get the report, as they got the digests.
      const readers = data.mentors.map((m) => ({ id: String(m.id), userId: m.userId }));
      if (readers.length === 0 && (await mentorLeftCohort(trx, cohort.id))) readers.push(...organizersOf(cohort, admins).map((userId) => ({ id: `org:${userId}`, userId })));
      for (const r of readers) {
        outs.push({ key: `final-report:${cohort.id}:${r.id}`, kind: 'report', cohortId: cohort.id, platform: cohort.platform, targetKind: 'user', targetId: r.userId, message: report, availableAt: now, files: image ? [image] : [] });
      }
      await enqueueWithFiles(trx, outs);
      return 1;
    });
  }
  return ended;
}

/**
 * The final report as it reads now, with its picture: at the end, and after an erasure (nothing
 * else changes a finished cohort).
 */
export async function finalReportNow(db: Executor, content: Content, cohort: Cohort, program: Program, now: Date, renderer?: HeatmapRenderer) {
  const data = await reportData(db, cohort, program, now);
  const times = await responseTimes(db, cohort.id);
  data.responseTimes = responseLines(times);
  const lastWeek = Math.max(0, ...data.postedWeeks, ...data.notRunWeeks);
  const image = renderer && lastWeek > 0 ? await heatmapFile(db, content, renderer, cohort, lastWeek, now, { title: 'final report', suffix: '-final', notes: finalNotes(data, times) }) : null;
  const message = finalReport(data);
  if (image) message.text += `\n${HEATMAP_ATTACHED}`;
  return { data, message, image };
}

/** The figures of the final report, as they stand at `now` (the dashboard shows them before the end too). */
export async function reportData(db: Executor, cohort: Cohort, program: Program, now: Date): Promise<FinalReportData> {
  const [attendance, mentors, completions, flags] = await Promise.all([
    loadAttendance(db, cohort.id, program.weeks.length),
    db.selectFrom('members').select(['id', 'user_id']).where('cohort_id', '=', cohort.id).where('role', '=', 'mentor').where('removed_at', 'is', null).where('left_at', 'is', null).orderBy('display_name').orderBy('id').execute(),
    cohortCompletions(db, cohort.id),
    db
      .selectFrom('stall_flags')
      .select(['member_id', 'resolution', sql<number | null>`extract(epoch from acknowledged_at - opened_at)`.as('ack_seconds')])
      .where('cohort_id', '=', cohort.id)
      .execute(),
  ]);
  const { rounds, learners } = attendance;
  const posted = rounds.filter((r) => r.state === 'posted');
  const doneBy = new Map<number, Set<string>>();
  for (const c of completions) doneBy.set(c.member_id, (doneBy.get(c.member_id) ?? new Set()).add(c.milestone_id));
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
    answersPerWeek: posted.map((r) => ({ week: r.week, ...tallyOf(learners, r, now) })),
    learners: learners.map((l) => {
      const states = posted.map((r) => attendanceOf(l, r, now));
      return {
        memberId: l.id,
        name: l.name,
        milestonesDone: program.milestones.filter((m) => doneBy.get(l.id)?.has(m.id)).length,
        answered: l.answers.size,
        expected: states.filter((s) => s !== 'away' && s !== 'left' && s !== 'not-member' && s !== 'not-run').length,
        late: [...l.answers.values()].filter((a) => a.late).length,
        flags: flags.filter((f) => f.member_id === l.id).length,
      };
    }),
    flagsRaised: flags.length,
    flagsResolvedByMentors: flags.filter((f) => f.resolution === 'mentor').length,
    flagsResolvedThemselves: flags.filter((f) => f.resolution === 'auto').length,
    flagsOpenAtEnd: flags.filter((f) => f.resolution === null || f.resolution === 'ended').length,
    ackMedianHours: ackSeconds.length > 0 ? ackSeconds[Math.floor((ackSeconds.length - 1) / 2)]! / 3600 : null,
    mentors: mentors.map((m) => ({ id: m.id, userId: m.user_id })),
  };
}
