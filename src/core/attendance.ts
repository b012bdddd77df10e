import { sql } from 'kysely';
import type { CheckinStatus, RoundState } from '../db/types.js';
import type { Executor } from './outbox.js';
import { LAST_WEEK_OPEN_MS, plusDays } from './schedule.js';
import { JOIN_GRACE_MS } from './stalls/rules.js';

/**
 * Who counts for a round, in one definition that the round post, `/cohort status`, the digest, its
 * picture and the final report all use, so they never disagree:
 * - learners still in the cohort (not removed or erased);
 * - an answer always counts;
 * - without one, a learner who joined after the round opened is not counted (not a member yet),
 *   nor one whose break overlaps the round's week (away);
 * - everyone else is expected: "not answered yet" while the round is open, "missed" once it closed.
 * A round's week runs from its date to the next round's date (a week on while there is none yet);
 * it closes when the next round opens, the program's last one a week after it opened.
 */

export interface RoundFacts {
  id: number;
  week: number;
  state: RoundState;
  localDate: string;
  opensAt: Date;
  /** When the round was posted (later than `opensAt` after an outage). */
  postedAt: Date;
  /** The first day after the round's week. */
  until: string;
  /** When it closes; null while nothing closes it yet. */
  closesAt: Date | null;
}

export interface AbsenceFacts {
  startsOn: string;
  /** The first day back. */
  endsOn: string;
  /** break: announced with `/away`; left: gone from the channel or the platform. */
  kind: 'break' | 'left';
}

export interface AnswerFacts {
  status: CheckinStatus;
  late: boolean;
  confidence: number | null;
  blocker: string | null;
}

export interface LearnerFacts {
  id: number;
  name: string;
  joinedAt: Date;
  breaks: AbsenceFacts[];
  answers: Map<number, AnswerFacts>;
}

export type AttendanceState = CheckinStatus | 'open' | 'missed' | 'away' | 'left' | 'not-member' | 'not-run';

export interface Tally {
  answered: number;
  /** Learners the round counts: those who answered and those expected to. */
  expected: number;
  /** Counted out for a break, without an answer. */
  away: number;
  /** Counted out because they had left the channel (or the platform), without an answer. */
  left?: number;
}

export function isClosed(round: Pick<RoundFacts, 'closesAt'>, now: Date): boolean {
  return round.closesAt !== null && round.closesAt.getTime() <= now.getTime();
}

export function joinedBy(learner: Pick<LearnerFacts, 'joinedAt'>, round: Pick<RoundFacts, 'opensAt'>): boolean {
  return round.opensAt.getTime() >= learner.joinedAt.getTime() - JOIN_GRACE_MS;
}

/** Why a learner without an answer is counted out of a round: gone from the channel, or on a break. */
export function absentFrom(learner: Pick<LearnerFacts, 'breaks'>, round: Pick<RoundFacts, 'localDate' | 'until'>): 'left' | 'away' | null {
  const over = learner.breaks.filter((b) => b.startsOn < round.until && b.endsOn > round.localDate && b.startsOn < b.endsOn);
  if (over.length === 0) return null;
  return over.some((b) => b.kind === 'left') ? 'left' : 'away';
}

/** The first day back from the break that keeps a learner away from a round, if one does. */
export function backOn(learner: Pick<LearnerFacts, 'breaks'>, round: Pick<RoundFacts, 'localDate' | 'until'>): string | undefined {
  return learner.breaks
    .filter((b) => b.kind === 'break' && b.startsOn < round.until && b.endsOn > round.localDate && b.startsOn < b.endsOn)
    .map((b) => b.endsOn)
    .sort()
    .at(-1);
}

/** What a learner's week reads as at `now`. */
export function attendanceOf(learner: LearnerFacts, round: RoundFacts, now: Date): AttendanceState {
  if (round.state === 'not-run') return 'not-run';
  const answer = learner.answers.get(round.week);
  if (answer) return answer.status;
  if (!joinedBy(learner, round)) return 'not-member';
  const absent = absentFrom(learner, round);
  if (absent) return absent;
  return isClosed(round, now) ? 'missed' : 'open';
}

export function tallyOf(learners: readonly LearnerFacts[], round: RoundFacts, now: Date): Tally {
  const t: Tally = { answered: 0, expected: 0, away: 0, left: 0 };
  for (const l of learners) {
    const state = attendanceOf(l, round, now);
    if (state === 'away') t.away += 1;
    else if (state === 'left') t.left! += 1;
    else if (state === 'open' || state === 'missed') t.expected += 1;
    else if (state !== 'not-member' && state !== 'not-run') {
      t.answered += 1;
      t.expected += 1;
    }
  }
  return t;
}

/** The one sentence every view uses: "3 of 4 checked in (1 more is away; 1 has left)". */
export function countSentence(t: Tally): string {
  const out = [t.away > 0 ? `${t.away} more ${t.away === 1 ? 'is' : 'are'} away` : null, (t.left ?? 0) > 0 ? `${t.left} ${t.left === 1 ? 'has' : 'have'} left` : null].filter(Boolean);
  return `${t.answered} of ${t.expected} checked in${out.length > 0 ? ` (${out.join('; ')})` : ''}`;
}

export interface Attendance {
  rounds: RoundFacts[];
  learners: LearnerFacts[];
}

/**
 * Rounds (through `throughWeek`) and the cohort's current learners with their breaks and answers
 * (given by `asOf`, when the question is about a moment past).
 */
export async function loadAttendance(db: Executor, cohortId: number, programWeeks: number, throughWeek?: number, asOf?: Date): Promise<Attendance> {
  const [roundRows, members, breaks, answers] = await Promise.all([
    db.selectFrom('rounds').select(['id', 'week', 'state', 'local_date', 'opens_at', 'created_at']).where('cohort_id', '=', cohortId).orderBy('week').execute(),
    db
      .selectFrom('members')
      .select(['id', 'display_name', 'joined_at'])
      .where('cohort_id', '=', cohortId)
      .where('role', '=', 'learner')
      .where('removed_at', 'is', null)
      .orderBy('display_name')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('away_periods')
      .innerJoin('members', 'members.id', 'away_periods.member_id')
      .select(['away_periods.member_id', 'away_periods.starts_on', 'away_periods.ends_on', 'away_periods.kind'])
      .where('members.cohort_id', '=', cohortId)
      .execute(),
    db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .select(['checkins.member_id', 'rounds.week', 'checkins.status', 'checkins.late', 'checkins.confidence', 'checkins.blocker'])
      .where('rounds.cohort_id', '=', cohortId)
      .$if(throughWeek !== undefined, (q) => q.where('rounds.week', '<=', throughWeek!))
      .$if(asOf !== undefined, (q) => q.where('checkins.created_at', '<=', asOf!))
      .execute(),
  ]);
  const rounds = roundFacts(roundRows, programWeeks).filter((r) => throughWeek === undefined || r.week <= throughWeek);
  const learners = members.map((m): LearnerFacts => ({ id: m.id, name: m.display_name, joinedAt: new Date(m.joined_at), breaks: [], answers: new Map() }));
  const byId = new Map(learners.map((l) => [l.id, l]));
  for (const b of breaks) byId.get(b.member_id)?.breaks.push({ startsOn: b.starts_on, endsOn: b.ends_on, kind: b.kind });
  for (const a of answers) byId.get(a.member_id)?.answers.set(a.week, { status: a.status, late: a.late, confidence: a.confidence, blocker: a.blocker });
  return { rounds, learners };
}

/** Rounds in week order with the week each one spans and when it closes. */
export function roundFacts(
  rows: ReadonlyArray<{ id: number; week: number; state: RoundState; local_date: string; opens_at: Date | string; created_at: Date | string }>,
  programWeeks: number,
): RoundFacts[] {
  const sorted = [...rows].sort((a, b) => a.week - b.week);
  return sorted.map((r, i) => {
    const next = sorted[i + 1]?.week === r.week + 1 ? sorted[i + 1] : undefined;
    const opensAt = new Date(r.opens_at);
    const closesAt = next ? new Date(next.opens_at) : r.week >= programWeeks ? new Date(opensAt.getTime() + LAST_WEEK_OPEN_MS) : null;
    return { id: r.id, week: r.week, state: r.state, localDate: r.local_date, opensAt, postedAt: new Date(r.created_at), until: next?.local_date ?? plusDays(r.local_date, 7), closesAt };
  });
}

/**
 * The same count as `tallyOf`, in one statement for many rounds: what a round post shows. A click
 * writes it under the round's lock, so it must stay cheap; the simulation holds the two together.
 * The SQL lives in the database (round_tallies), where a one-click check-in counts too.
 */
export async function roundTallies(db: Executor, roundIds: readonly number[]): Promise<Map<number, Tally>> {
  if (roundIds.length === 0) return new Map();
  const rows = await sql<{ round_id: number; answered: number; expected: number; away: number; left: number }>`
    select * from round_tallies(${sql.val([...roundIds])}::integer[], ${JOIN_GRACE}::interval)
  `.execute(db);
  return new Map(rows.rows.map((t) => [t.round_id, { answered: t.answered, expected: t.expected, away: t.away, left: t.left }]));
}

/** Joining this long after a round opened still counts as a member of it, as an interval for the SQL. */
export const JOIN_GRACE = `${JOIN_GRACE_MS / 1000} seconds`;
