import { activeMembers } from './members.js';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { OutMessage } from './chat.js';
import { digestMessage, type DigestData, type GridCell } from './messages/digest.js';
import { missingProgramMessage, unknownCohortMessage } from './messages/progress.js';
import { enqueueMany, type Outgoing } from './outbox.js';
import { JOIN_GRACE_MS } from './stalls/rules.js';

const DAY = 86_400_000;
/** The digest for a week goes out this long after its round opened: the day before the next one. */
export const DIGEST_AFTER_MS = 6 * DAY;

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The weekly report on one cohort for its mentors, about week `week`. */
export async function buildDigest(db: Db, content: Content, cohortId: number, week: number): Promise<OutMessage> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('id', '=', cohortId).executeTakeFirst();
  if (!cohort) return unknownCohortMessage();
  const program = content.programs.get(cohort.program_id);
  if (!program) return missingProgramMessage(cohort.name, cohort.program_id);

  const [rounds, learners, checkins, completions, flags, absences] = await Promise.all([
    db
      .selectFrom('rounds')
      .select(['id', 'week', 'milestone_id', 'opens_at', 'local_date'])
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
    db
      .selectFrom('milestone_completions')
      .innerJoin('members', 'members.id', 'milestone_completions.member_id')
      .select(['milestone_completions.member_id', 'milestone_completions.milestone_id'])
      .where('members.cohort_id', '=', cohort.id)
      .execute(),
    db
      .selectFrom('stall_flags as f')
      .innerJoin('members as m', 'm.id', 'f.member_id')
      .select(['m.display_name', 'f.status', 'f.acknowledged_by', 'f.reasons'])
      .where('f.cohort_id', '=', cohort.id)
      .where('f.status', '<>', 'resolved')
      .orderBy('f.opened_at')
      .orderBy('f.id')
      .execute(),
    db
      .selectFrom('away_periods')
      .innerJoin('members', 'members.id', 'away_periods.member_id')
      .select(['away_periods.member_id', 'away_periods.starts_on', 'away_periods.ends_on'])
      .where('members.cohort_id', '=', cohort.id)
      .execute(),
  ]);

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
      else if (!r || !isTheirs(r) || (w === week ? awayThisWeek : awayIn(w))) cells.push('none');
      else cells.push('missed');
    }
    data.grid.push({ name: l.display_name, cells, milestonesDone: done.get(l.id) ?? 0 });
  }
  return digestMessage(data);
}

/**
 * Queues the weekly digest of every active cohort whose latest round opened at least six days ago,
 * one DM per mentor, once per week (the outbox key). Returns how many were queued.
 */
export async function enqueueDueDigests(db: Db, content: Content, now: Date): Promise<number> {
  const latest = await db
    .selectFrom('rounds')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .select(['rounds.cohort_id', 'rounds.week', 'rounds.opens_at', 'cohorts.platform', 'cohorts.program_id'])
    .where('cohorts.status', '=', 'active')
    .distinctOn('rounds.cohort_id')
    .orderBy('rounds.cohort_id')
    .orderBy('rounds.week', 'desc')
    .execute();
  const due = latest.filter((r) => content.programs.has(r.program_id) && new Date(r.opens_at).getTime() <= now.getTime() - DIGEST_AFTER_MS);
  if (due.length === 0) return 0;

  const mentors = await db
    .selectFrom('members')
    .select(['id', 'cohort_id', 'user_id'])
    .where('cohort_id', 'in', due.map((d) => d.cohort_id))
    .where('role', '=', 'mentor')
    .where('removed_at', 'is', null)
    .orderBy('id')
    .execute();
  const keyOf = (cohortId: number, week: number, mentorId: number) => `digest:${cohortId}:${week}:${mentorId}`;
  const candidates = due.flatMap((d) => mentors.filter((m) => m.cohort_id === d.cohort_id).map((m) => ({ d, m, key: keyOf(d.cohort_id, d.week, m.id) })));
  if (candidates.length === 0) return 0;
  // Building a digest costs a few queries: skip the ones every earlier tick already queued.
  const existing = new Set(
    (await db.selectFrom('outbox').select('key').where('key', 'in', candidates.map((c) => c.key)).execute()).map((r) => r.key),
  );
  const pending = candidates.filter((c) => !existing.has(c.key));

  const outs: Outgoing[] = [];
  const built = new Map<number, OutMessage>();
  for (const c of pending) {
    let message = built.get(c.d.cohort_id);
    if (!message) {
      message = await buildDigest(db, content, c.d.cohort_id, c.d.week);
      built.set(c.d.cohort_id, message);
    }
    outs.push({ key: c.key, kind: 'digest', platform: c.d.platform, targetKind: 'user', targetId: c.m.user_id, message, availableAt: now });
  }
  if (outs.length === 0) return 0;
  return (await enqueueMany(db, outs)).size;
}
