import { activeMembers, cohortBreaks, cohortCompletions } from './members.js';
import { linksOf, verifiedMilestones } from './evidence/links.js';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { OutMessage } from './chat.js';
import { digestMessage, type DigestData, type GridCell } from './messages/digest.js';
import { missingProgramMessage, unknownCohortMessage } from './messages/progress.js';
import { enqueueWithFiles, type OutgoingWithFiles } from './attachments.js';
import type { Executor } from './outbox.js';
import type { HeatmapRenderer } from './report/heatmap.js';
import { HEATMAP_ATTACHED, heatmapFile } from './report/heatmap-file.js';
import { responseLines, responseTimes } from './report/response-times.js';
import { plusDays } from './schedule.js';
import { JOIN_GRACE_MS } from './stalls/rules.js';

const DAY = 86_400_000;
/** The digest for a week goes out this long after its round opened: the day before the next one. */
export const DIGEST_AFTER_MS = 6 * DAY;


/** The weekly report on one cohort for its mentors, about week `week`. */
export async function buildDigest(db: Executor, content: Content, cohortId: number, week: number): Promise<OutMessage> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirst();
  if (!cohort) return unknownCohortMessage();
  const program = content.programs.get(cohort.program_id);
  if (!program) return missingProgramMessage(cohort.name, cohort.program_id);

  const [rounds, learners, checkins, completions, flags, absences, responses] = await Promise.all([
    db
      .selectFrom('rounds')
      .select(['id', 'week', 'milestone_id', 'opens_at', 'local_date', 'state'])
      .where('cohort_id', '=', cohort.id)
      .where('week', '<=', week)
      .orderBy('week')
      .execute(),
    activeMembers(db, cohort.id, 'learner'),
    db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .select(['checkins.member_id', 'rounds.week', 'checkins.status', 'checkins.blocker'])
      .where('rounds.cohort_id', '=', cohort.id)
      .where('rounds.week', '<=', week)
      .execute(),
    cohortCompletions(db, cohort.id),
    db
      .selectFrom('stall_flags as f')
      .innerJoin('members as m', 'm.id', 'f.member_id')
      .select(['m.display_name', 'f.status', 'f.acknowledged_by', 'f.reasons'])
      .where('f.cohort_id', '=', cohort.id)
      .where('f.status', '<>', 'resolved')
      .orderBy('f.opened_at')
      .orderBy('f.id')
      .execute(),
    cohortBreaks(db, cohort.id),
    responseTimes(db, cohort.id),
  ]);
  const links = await linksOf(db, learners.map((l) => l.id));
  const verified = verifiedMilestones(program.milestones, links);

  const byWeek = new Map(rounds.map((r) => [r.week, r]));
  const round = byWeek.get(week);
  const answers = new Map<string, (typeof checkins)[number]>();
  for (const c of checkins) answers.set(`${c.member_id}:${c.week}`, c);
  const programMilestones = new Set(program.milestones.map((m) => m.id));
  const done = new Map<number, number>();
  for (const c of completions) if (programMilestones.has(c.milestone_id)) done.set(c.member_id, (done.get(c.member_id) ?? 0) + 1);

  const data: DigestData = {
    cohortName: cohort.name,
    week,
    milestoneTitle: program.milestones.find((m) => m.id === round?.milestone_id)?.title ?? round?.milestone_id ?? '',
    expected: 0,
    checkedIn: 0,
    missing: [],
    away: [],
    blockers: [],
    flags: flags.map((f) => ({ learnerName: f.display_name, status: f.status, acknowledgedBy: f.acknowledged_by, reasons: f.reasons })),
    grid: [],
    milestoneCount: program.milestones.length,
    responseTimes: responseLines(responses),
  };

  const breaksOf = new Map<number, typeof absences>();
  for (const a of absences) breaksOf.set(a.member_id, [...(breaksOf.get(a.member_id) ?? []), a]);

  for (const l of learners) {
    const joinedFrom = new Date(l.joined_at).getTime() - JOIN_GRACE_MS;
    const isTheirs = (r: { opens_at: Date | string }) => new Date(r.opens_at).getTime() >= joinedFrom;
    const periods = breaksOf.get(l.id) ?? [];
    // A week counts as away when a break overlaps it, even one announced after its round opened.
    const awayIn = (w: number) => {
      const from = byWeek.get(w)!.local_date;
      const to = byWeek.get(w + 1)?.local_date ?? plusDays(from, 7);
      return periods.some((p) => p.starts_on < to && p.ends_on > from);
    };
    // away_until alone speaks for breaks announced before periods were recorded.
    const awayThisWeek = round !== undefined && ((l.away_until !== null && l.away_until > round.local_date) || awayIn(week));
    const answer = answers.get(`${l.id}:${week}`);
    if (round && isTheirs(round)) {
      if (answer) {
        data.expected += 1;
        data.checkedIn += 1;
        if (answer.blocker && answer.blocker.trim() !== '') data.blockers.push({ name: l.display_name, blocker: answer.blocker });
      } else if (awayThisWeek) {
        data.away.push({ name: l.display_name, until: l.away_until! });
      } else {
        data.expected += 1;
        data.missing.push(l.display_name);
      }
    }
    const cells: GridCell[] = [];
    for (let w = 1; w <= week; w++) {
      const r = byWeek.get(w);
      const a = answers.get(`${l.id}:${w}`);
      if (a) cells.push(a.status);
      else if (r?.state === 'not-run') cells.push('not-run');
      else if (!r || !isTheirs(r) || (w === week ? awayThisWeek : awayIn(w))) cells.push('none');
      else cells.push('missed');
    }
    const theirVerified = [...(verified.get(l.id) ?? [])].filter((id) => programMilestones.has(id));
    data.grid.push({ name: l.display_name, cells, milestonesDone: done.get(l.id) ?? 0, ...(theirVerified.length > 0 ? { verified: theirVerified.length } : {}) });
    for (const m of program.milestones) {
      if (!theirVerified.includes(m.id)) continue;
      const link = links.find((x) => x.memberId === l.id && x.milestoneId === m.id && x.state === 'verified');
      (data.verified ??= []).push({ name: l.display_name, milestoneTitle: m.title, url: link?.url ?? '' });
    }
  }
  return digestMessage(data);
}

/**
 * Queues the digest of every posted week whose round opened at least six days ago and has not had
 * one yet, one DM per mentor. Each week is claimed (`digest_at`) in the transaction that queues its
 * DMs, so every week's digest goes out once even when the tick at its time never ran (an outage).
 * Returns how many DMs were queued.
 */
export async function enqueueDueDigests(db: Db, content: Content, now: Date, renderer?: HeatmapRenderer): Promise<number> {
  const due = await db
    .selectFrom('rounds')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .select(['rounds.id', 'rounds.cohort_id', 'rounds.week', 'cohorts.platform', 'cohorts.program_id'])
    // A pause holds back the weeks to come, not the digest of a week already posted.
    .where('cohorts.status', 'in', ['active', 'paused'])
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
      const mentors = await activeMembers(trx, d.cohort_id, 'mentor');
      if (mentors.length === 0) return 0;
      let message = await buildDigest(trx, content, d.cohort_id, d.week);
      const cohort = await trx.selectFrom('cohorts').selectAll().where('id', '=', d.cohort_id).executeTakeFirstOrThrow();
      const image = renderer ? await heatmapFile(trx, content, renderer, cohort, d.week, now) : null;
      if (image) message = { ...message, text: `${message.text}\n${HEATMAP_ATTACHED}` };
      const files = image ? [image] : [];
      const outs: OutgoingWithFiles[] = mentors.map((m) => ({
        key: `digest:${d.cohort_id}:${d.week}:${m.id}`,
        kind: 'digest',
        platform: d.platform,
        targetKind: 'user',
        targetId: m.user_id,
        message,
        availableAt: now,
        files,
      }));
      return (await enqueueWithFiles(trx, outs)).size;
    });
  }
  return queued;
}
