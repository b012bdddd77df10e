import { sql } from 'kysely';
import { attendanceOf, backOn, isClosed, loadAttendance } from './attendance.js';
import { closingOf } from './calendar.js';
import type { AdminId } from '../config.js';
import { activeMembers, cohortCompletions, mentorLeftCohort } from './members.js';
import { organizersOf } from './organizers.js';
import { linksOf, verifiedMilestones } from './evidence/links.js';
import type { Content, Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { OutMessage } from './chat.js';
import { ownTimes } from './own-time.js';
import { digestMessage, type DigestData, type GridCell } from './messages/digest.js';
import { missingProgramMessage, unknownCohortMessage } from './messages/progress.js';
import { enqueueWithFiles, type OutgoingWithFiles } from './attachments.js';
import type { Executor } from './outbox.js';
import type { HeatmapRenderer } from './report/heatmap.js';
import { drawHeatmap, HEATMAP_ATTACHED } from './report/heatmap-file.js';
import { loadHeatmap } from './report/load-heatmap.js';
import { responseLines, responseTimes } from './report/response-times.js';

const DAY = 86_400_000;
/** The digest for a week goes out this long after its round opened: the day before the next one. */
export const DIGEST_AFTER_MS = 6 * DAY;


/** What week `week`'s digest reports, as of `now`: null when the cohort or its program is gone. */
export async function digestData(db: Executor, content: Content, cohortId: number, week: number, now: Date): Promise<DigestData | null> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirst();
  const program = cohort ? content.programs.get(cohort.program_id) : undefined;
  if (!cohort || !program) return null;

  const [attendance, completions, flags, responses] = await Promise.all([
    loadAttendance(db, cohort.id, program.weeks.length, week),
    cohortCompletions(db, cohort.id),
    db
      .selectFrom('stall_flags as f')
      .innerJoin('members as m', 'm.id', 'f.member_id')
      .select(['f.member_id', 'm.display_name', 'f.status', 'f.acknowledged_by', 'f.reasons'])
      .where('f.cohort_id', '=', cohort.id)
      .where('f.status', '<>', 'resolved')
      .orderBy('f.opened_at')
      .orderBy('f.id')
      .execute(),
    responseTimes(db, cohort.id),
  ]);
  const { rounds, learners } = attendance;
  const links = await linksOf(db, learners.map((l) => l.id));
  const verified = verifiedMilestones(program.milestones, links);
  const round = rounds.find((r) => r.week === week);
  const programMilestones = new Set(program.milestones.map((m) => m.id));
  const done = new Map<number, number>();
  for (const c of completions) if (programMilestones.has(c.milestone_id)) done.set(c.member_id, (done.get(c.member_id) ?? 0) + 1);

  const data: DigestData = {
    cohortName: cohort.name,
    week,
    milestoneTitle: milestoneTitle(program, week),
    timezone: cohort.timezone,
    // Still open: it closes when the next round opens, as the calendar places it now.
    closesAt: round ? ((await closingOf(db, cohort, program, round, now))?.toISOString() ?? null) : null,
    closed: round ? isClosed(round, now) : false,
    grid: [],
    blockers: [],
    flags: flags.map((f) => ({ memberId: f.member_id, learnerName: f.display_name, status: f.status, acknowledgedBy: f.acknowledged_by, reasons: f.reasons })),
    milestoneCount: program.milestones.length,
    responseTimes: responseLines(responses),
  };
  for (const l of learners) {
    const cells: GridCell[] = [];
    for (let w = 1; w <= week; w++) {
      const r = rounds.find((x) => x.week === w);
      cells.push(r ? attendanceOf(l, r, now) : 'not-run');
    }
    const theirVerified = [...(verified.get(l.id) ?? [])].filter((id) => programMilestones.has(id));
    const awayUntil = round && cells[week - 1] === 'away' ? backOn(l, round) : undefined;
    data.grid.push({ id: l.id, name: l.name, cells, milestonesDone: done.get(l.id) ?? 0, ...(theirVerified.length > 0 ? { verified: theirVerified.length } : {}), ...(awayUntil ? { awayUntil } : {}) });
    const answer = l.answers.get(week);
    if (answer?.blocker && answer.blocker.trim() !== '') data.blockers.push({ id: l.id, name: l.name, blocker: answer.blocker });
    for (const m of program.milestones) {
      if (!theirVerified.includes(m.id)) continue;
      const link = links.find((x) => x.memberId === l.id && x.milestoneId === m.id && x.state === 'verified');
      (data.verified ??= []).push({ id: l.id, name: l.name, milestoneTitle: m.title, url: link?.url ?? '' });
    }
  }
  return data;
}

function milestoneTitle(program: Program, week: number): string {
  const id = program.weeks[week - 1]?.milestoneId;
  return program.milestones.find((m) => m.id === id)?.title ?? id ?? '';
}

/** The weekly report on one cohort for its mentors, about week `week`, as of `now`. */
export async function buildDigest(db: Executor, content: Content, cohortId: number, week: number, now: Date): Promise<OutMessage> {
  const cohort = await db.selectFrom('cohorts').select(['name', 'program_id']).where('id', '=', cohortId).executeTakeFirst();
  if (!cohort) return unknownCohortMessage();
  const data = await digestData(db, content, cohortId, week, now);
  return data ? digestMessage(data) : missingProgramMessage(cohort.name, cohort.program_id);
}

/** One reader's copy of a week's digest: times in their zone, and a word on the picture when one goes with it. */
export function digestCopy(data: DigestData, readerZone: string | undefined, withPicture: boolean): OutMessage {
  const message = digestMessage(data, readerZone);
  return withPicture ? { ...message, text: `${message.text}\n${HEATMAP_ATTACHED}` } : message;
}

/**
 * Queues the digest of every posted week whose round opened at least six days ago and has not had
 * one yet, one DM per mentor. Each week is claimed (`digest_at`) in the transaction that queues its
 * DMs, so every week's digest goes out once even when the tick at its time never ran (an outage).
 * Returns how many DMs were queued.
 */
export async function enqueueDueDigests(db: Db, content: Content, now: Date, renderer?: HeatmapRenderer, admins: readonly AdminId[] = []): Promise<number> {
  const due = await db
    .selectFrom('rounds')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .select(['rounds.id', 'rounds.cohort_id', 'rounds.week', 'cohorts.platform', 'cohorts.program_id'])
    // A pause holds back the weeks to come, not the digest of a week already posted; a week whose
    // digest fell due by the end still gets it after the end.
    .where((eb) =>
      eb.or([
        eb('cohorts.status', 'in', ['active', 'paused']),
        eb.and([eb('cohorts.status', '=', 'finished'), eb('rounds.opens_at', '<=', sql<Date>`cohorts.finished_at - ${sql.lit(`${DIGEST_AFTER_MS / 1000} seconds`)}::interval`)]),
      ]),
    )
    .where('rounds.state', '=', 'posted')
    .where('rounds.digest_at', 'is', null)
    .where('rounds.opens_at', '<=', new Date(now.getTime() - DIGEST_AFTER_MS))
    .orderBy('rounds.cohort_id')
    .orderBy('rounds.week')
    .execute();
  let queued = 0;
  for (const d of due) {
    if (!content.programs.has(d.program_id)) continue;
    queued += await db.transaction().execute(async (trx) => {
      const claimed = await trx.updateTable('rounds').set({ digest_at: now }).where('id', '=', d.id).where('digest_at', 'is', null).returning('id').executeTakeFirst();
      if (!claimed) return 0;
      const cohortRow = await trx.selectFrom('cohorts').select(['platform', 'created_by']).where('id', '=', d.cohort_id).executeTakeFirstOrThrow();
      // With every mentor gone, the organizers get the digest; a cohort that never had one gets none.
      const mentors = (await activeMembers(trx, d.cohort_id, 'mentor')).map((m) => ({ id: String(m.id), userId: m.user_id }));
      if (mentors.length === 0 && (await mentorLeftCohort(trx, d.cohort_id))) {
        mentors.push(...organizersOf(cohortRow, admins).map((userId) => ({ id: `org:${userId}`, userId })));
      }
      if (mentors.length === 0) return 0;
      const data = await digestData(trx, content, d.cohort_id, d.week, now);
      if (!data) return 0;
      const cohort = await trx.selectFrom('cohorts').selectAll().where('id', '=', d.cohort_id).executeTakeFirstOrThrow();
      const heatmap = await loadHeatmap(trx, content, cohort, d.week, now);
      // Kept as reported, so a rebuild later (an erasure) tells this week's truth, picture included.
      await trx.insertInto('digests').values({ round_id: d.id, built_at: now, data: JSON.stringify(data), heatmap: heatmap ? JSON.stringify(heatmap) : null }).execute();
      const image = renderer && heatmap ? await drawHeatmap(renderer, heatmap, cohort.name, d.week) : null;
      // Each reader's copy names times in their own zone.
      const zones = await ownTimes(trx, d.platform, mentors.map((m) => m.userId), cohort.timezone);
      const files = image ? [image] : [];
      const outs: OutgoingWithFiles[] = mentors.map((m) => ({
        key: `digest:${d.cohort_id}:${d.week}:${m.id}`,
        kind: 'digest',
        platform: d.platform,
        cohortId: d.cohort_id,
        targetKind: 'user',
        targetId: m.userId,
        message: digestCopy(data, zones.get(m.userId)?.zone, image !== null),
        availableAt: now,
        files,
      }));
      return (await enqueueWithFiles(trx, outs)).size;
    });
  }
  return queued;
}
