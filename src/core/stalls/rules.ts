import type { StallSettings } from '../../content/types.js';
import type { CheckinStatus, StallReason } from '../../db/types.js';
import { behindScheduleText, blockedOftenText, confidenceDropText, missedRoundsText } from '../messages/stalls.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * A round counts against a learner only once it has been open this long: never flag for a round
 * that just opened. The scan stretches it to the reminder delay, so a learner is reminded first.
 */
export const ROUND_COUNTS_AFTER_MS = DAY;
/** Rounds that opened up to this long before a learner joined are still theirs (joined the evening before). */
export const JOIN_GRACE_MS = DAY;

export interface StallRound {
  week: number;
  opensAt: Date;
  /** The round's date in the cohort's zone, YYYY-MM-DD (compared with away_until). */
  localDate: string;
}

export interface StallAnswer {
  week: number;
  status: CheckinStatus;
  confidence: number | null;
}

export interface StallMilestone {
  id: string;
  title: string;
  week: number;
}

/**
 * Everything the rules look at for one learner. `answers` may be only the most recent ones (the
 * scan loads the last few per learner); every rule reads the newest answers only.
 */
export interface StallInput {
  now: Date;
  /** Today in the cohort's zone, YYYY-MM-DD. */
  today: string;
  joinedAt: Date;
  awayUntil: string | null;
  /** The cohort's posted rounds, any order. */
  rounds: readonly StallRound[];
  answers: readonly StallAnswer[];
  milestones: readonly StallMilestone[];
  completed: ReadonlySet<string>;
  /** How long a round is open before it counts as missed; ROUND_COUNTS_AFTER_MS by default. */
  roundCountsAfterMs?: number;
}

export function isAway(awayUntil: string | null, today: string): boolean {
  return awayUntil !== null && awayUntil > today;
}

/** The cohort's current week: the highest round posted, 0 before the first. */
export function currentWeek(rounds: readonly StallRound[]): number {
  let week = 0;
  for (const r of rounds) if (r.week > week) week = r.week;
  return week;
}

// The scan calls these for every learner of every cohort: they skip sorting what is already sorted.
function byWeek<T extends { week: number }>(items: readonly T[], order: 1 | -1): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i]!.week - items[i - 1]!.week) * order < 0) return [...items].sort((a, b) => (a.week - b.week) * order);
  }
  return items;
}

/** The rounds a learner was a member for, oldest first. */
export function learnerRounds(rounds: readonly StallRound[], joinedAt: Date): StallRound[] {
  const from = joinedAt.getTime() - JOIN_GRACE_MS;
  return byWeek(rounds, 1).filter((r) => r.opensAt.getTime() >= from);
}

/** The learner's rounds that are old enough to count as missed when unanswered. */
export function countedRounds(rounds: readonly StallRound[], joinedAt: Date, now: Date, countsAfterMs = ROUND_COUNTS_AFTER_MS): StallRound[] {
  const from = joinedAt.getTime() - JOIN_GRACE_MS;
  const until = now.getTime() - countsAfterMs;
  return byWeek(rounds, 1).filter((r) => r.opensAt.getTime() >= from && r.opensAt.getTime() <= until);
}

/** The milestones due before the current week that the learner has not completed, in program order. */
export function overdueMilestones(
  milestones: readonly StallMilestone[],
  completed: ReadonlySet<string>,
  week: number,
): StallMilestone[] {
  return milestones.filter((m) => m.week < week && !completed.has(m.id)).sort((a, b) => a.week - b.week);
}

/**
 * How many of the newest answers the confidence rule looks through for rated ones: one-click
 * answers carry no rating, yet a drop weeks ago must not outlive the check-ins that came after it.
 */
export function confidenceLookback(settings: StallSettings): number {
  return 2 * settings.confidenceWindow;
}

/** Every reason that applies to this learner, in a fixed order; empty when they are fine or away. */
export function stallReasons(input: StallInput, settings: StallSettings): StallReason[] {
  if (isAway(input.awayUntil, input.today)) return [];
  const reasons: StallReason[] = [];
  const counted = countedRounds(input.rounds, input.joinedAt, input.now, input.roundCountsAfterMs);
  const newest = byWeek(input.answers, -1);

  const lastRounds = counted.slice(-settings.missedRounds);
  // Rounds before away_until were announced absences: a learner back from a break is not flagged for them.
  const excused = lastRounds.some((r) => input.awayUntil !== null && r.localDate < input.awayUntil);
  if (lastRounds.length === settings.missedRounds && !excused && lastRounds.every((r) => !newest.some((a) => a.week === r.week))) {
    reasons.push({ code: 'missed-rounds', text: missedRoundsText(lastRounds.map((r) => r.week)) });
  }

  const recent = newest.slice(0, settings.blockedWindow);
  const blocked = recent.filter((a) => a.status === 'blocked');
  if (blocked.length >= settings.blockedAnswers) {
    reasons.push({
      code: 'blocked-often',
      text: blockedOftenText(blocked.map((a) => a.week).reverse(), recent.length),
    });
  }

  // A learner gets their first round to report the milestones they already have before this rule applies.
  if (counted.length > 0) {
    const overdue = overdueMilestones(input.milestones, input.completed, currentWeek(input.rounds));
    if (overdue.length >= settings.behindMilestones) {
      reasons.push({ code: 'behind-schedule', text: behindScheduleText(overdue) });
    }
  }

  const rated = newest
    .slice(0, confidenceLookback(settings))
    .filter((a) => a.confidence !== null)
    .slice(0, settings.confidenceWindow)
    .reverse();
  if (rated.length >= 2) {
    const from = rated[0]!.confidence!;
    const to = rated[rated.length - 1]!.confidence!;
    if (from - to >= settings.confidenceDrop) {
      reasons.push({ code: 'confidence-drop', text: confidenceDropText(from, to, rated.map((a) => a.week)) });
    }
  }
  return reasons;
}

/** The learner's latest answer says they are moving again: with no reasons left, their flag resolves itself. */
export function isBackOnTrack(answers: readonly StallAnswer[]): boolean {
  const latest = byWeek(answers, -1)[0];
  return latest !== undefined && (latest.status === 'on-track' || latest.status === 'done');
}

export function sameReasons(a: readonly StallReason[], b: readonly StallReason[]): boolean {
  return a.length === b.length && a.every((r, i) => r.code === b[i]!.code && r.text === b[i]!.text);
}
