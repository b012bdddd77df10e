import { DEFAULT_NO_COMMITS_DAYS, type StallSettings } from '../../content/types.js';
import type { CheckinStatus, StallReason } from '../../db/types.js';
import { behindScheduleText, blockedOftenText, confidenceDropText, missedRoundsText, noCommitsText } from '../messages/stalls.js';

const DAY = 86_400_000;

/** Rounds that opened up to this long before a learner joined are still theirs (joined the evening before). */
export const JOIN_GRACE_MS = DAY;

/** A posted round of the cohort. */
export interface StallRound {
  week: number;
  opensAt: Date;
  /** The round's date in the cohort's zone, YYYY-MM-DD. */
  localDate: string;
  /** When the next week's slot passed (the last week: 7 days after its own); null while still open. */
  closesAt: Date | null;
  /** The next week's date (or a week on): a break overlapping [localDate, until) excuses the round. */
  until: string;
}

export interface StallAnswer {
  week: number;
  status: CheckinStatus;
  confidence: number | null;
  /** When the answer was last recorded or edited. */
  at: Date;
}

export interface StallMilestone {
  id: string;
  title: string;
  week: number;
}

/** A repository the learner linked as evidence, as its last check saw it. */
export interface StallRepo {
  /** owner/name */
  name: string;
  /** The newest commit on its default branch; null for an empty repository. */
  lastCommitAt: Date | null;
  linkedAt: Date;
  /** When GitHub last answered for it; activity older than that is not trusted. */
  checkedAt: Date | null;
}

/** Activity that GitHub has not confirmed for this long is too old to flag anyone on. */
export const REPO_FRESH_MS = 2 * DAY;

/** An announced break: from `startsOn` up to, not including, `endsOn` (cohort-local dates). */
export interface StallBreak {
  startsOn: string;
  endsOn: string;
}

/**
 * Everything the rules look at for one learner. `answers` needs to hold only the answers to the
 * rounds the windows can reach (the scan loads the last few rounds'); every rule reads windows of
 * the learner's most recent rounds, so old evidence lapses as new rounds come.
 */
export interface StallInput {
  now: Date;
  joinedAt: Date;
  /** The cohort's posted rounds, any order. */
  rounds: readonly StallRound[];
  answers: readonly StallAnswer[];
  milestones: readonly StallMilestone[];
  completed: ReadonlySet<string>;
  breaks: readonly StallBreak[];
  /** Linked repositories: only learners who linked one can be flagged for no commits. */
  repos?: readonly StallRepo[];
}

export function isAway(awayUntil: string | null, today: string): boolean {
  return awayUntil !== null && awayUntil > today;
}

/** The cohort's current week: the highest round posted, 0 before the first. */
export function currentWeek(rounds: readonly { week: number }[]): number {
  let week = 0;
  for (const r of rounds) if (r.week > week) week = r.week;
  return week;
}

/** The milestones due before the current week that the learner has not completed, in program order. */
export function overdueMilestones(milestones: readonly StallMilestone[], completed: ReadonlySet<string>, week: number): StallMilestone[] {
  return milestones.filter((m) => m.week < week && !completed.has(m.id)).sort((a, b) => a.week - b.week);
}

/** How many of a cohort's latest posted rounds the windows can reach: the scan loads their answers only. */
export function windowDepth(settings: StallSettings): number {
  // The current round may be open (and unanswered) on top of each window.
  return Math.max(settings.missedRounds, settings.blockedWindow, settings.confidenceWindow) + 1;
}

function latest(dates: readonly Date[]): Date {
  return new Date(Math.max(...dates.map((d) => d.getTime())));
}

/**
 * Every reason that applies to this learner now, in a fixed order, each with the time of the newest
 * fact behind it (`since`). Windows are over the learner's rounds, not their answers: a round left
 * unanswered, or answered without a rating, takes its place in a window and pushes older evidence out.
 */
export function stallReasons(input: StallInput, settings: StallSettings): StallReason[] {
  const from = input.joinedAt.getTime() - JOIN_GRACE_MS;
  const theirs = [...input.rounds].filter((r) => r.opensAt.getTime() >= from).sort((a, b) => a.week - b.week);
  const answerOf = new Map(input.answers.map((a) => [a.week, a]));
  const isClosed = (r: StallRound) => r.closesAt !== null && r.closesAt.getTime() <= input.now.getTime();
  const closed = theirs.filter(isClosed);
  const settled = theirs.filter((r) => isClosed(r) || answerOf.has(r.week));
  const excused = (r: StallRound) => input.breaks.some((b) => b.startsOn < r.until && b.endsOn > r.localDate);
  const reasons: StallReason[] = [];

  const lastClosed = closed.slice(-settings.missedRounds);
  if (lastClosed.length === settings.missedRounds && lastClosed.every((r) => !answerOf.has(r.week) && !excused(r))) {
    reasons.push({ code: 'missed-rounds', text: missedRoundsText(lastClosed.map((r) => r.week)), since: lastClosed[lastClosed.length - 1]!.closesAt!.toISOString() });
  }

  const blockedWindow = settled.slice(-settings.blockedWindow);
  const blocked = blockedWindow.map((r) => answerOf.get(r.week)).filter((a): a is StallAnswer => a?.status === 'blocked');
  if (blocked.length >= settings.blockedAnswers) {
    reasons.push({
      code: 'blocked-often',
      text: blockedOftenText(blocked.map((a) => a.week), blockedWindow.length),
      since: latest(blocked.map((a) => a.at)).toISOString(),
    });
  }

  if (closed.length > 0) {
    const overdue = overdueMilestones(input.milestones, input.completed, currentWeek(input.rounds));
    if (overdue.length >= settings.behindMilestones) {
      const newest = overdue[overdue.length - 1]!;
      const madeOverdue = [...input.rounds].filter((r) => r.week > newest.week).sort((a, b) => a.week - b.week)[0];
      reasons.push({ code: 'behind-schedule', text: behindScheduleText(overdue), since: (madeOverdue?.opensAt ?? input.now).toISOString() });
    }
  }

  const rated = settled
    .slice(-settings.confidenceWindow)
    .map((r) => answerOf.get(r.week))
    .filter((a): a is StallAnswer => a !== undefined && a.confidence !== null);
  if (rated.length >= 2) {
    const first = rated[0]!.confidence!;
    const last = rated[rated.length - 1]!.confidence!;
    if (first - last >= settings.confidenceDrop) {
      reasons.push({ code: 'confidence-drop', text: confidenceDropText(first, last, rated.map((a) => a.week)), since: latest(rated.map((a) => a.at)).toISOString() });
    }
  }
  const quiet = noCommits(input, settings.noCommitsDays ?? DEFAULT_NO_COMMITS_DAYS);
  if (quiet) reasons.push(quiet);
  return reasons;
}

/** When a repository last showed activity: its newest commit, or when it was linked. */
const lastActive = (r: StallRepo) => (r.lastCommitAt ?? r.linkedAt).getTime();
/** Until when GitHub's last answer for a repository is trusted; null when it was never checked. */
const trustedUntil = (r: StallRepo) => (r.checkedAt === null ? null : r.checkedAt.getTime() + REPO_FRESH_MS);

/** No commit in N days on any repository the learner linked (the most recently active one counts). */
function noCommits(input: StallInput, days: number): StallReason | null {
  const fresh = (input.repos ?? []).filter((r) => (trustedUntil(r) ?? -Infinity) >= input.now.getTime());
  if (fresh.length === 0) return null;
  const quietSince = Math.max(...fresh.map(lastActive));
  if (input.now.getTime() - quietSince < days * DAY) return null;
  return { code: 'no-commits', text: noCommitsText(days, fresh.map((r) => r.name)), since: new Date(quietSince + days * DAY).toISOString() };
}

/**
 * The next moment the no-commits reason can change with nothing else happening: the quiet spell
 * reaching N days, or a repository's last check going stale. Null when no linked repository counts.
 */
export function nextRepoChange(input: StallInput, settings: StallSettings): Date | null {
  const days = settings.noCommitsDays ?? DEFAULT_NO_COMMITS_DAYS;
  const moments = (input.repos ?? []).flatMap((r) => {
    const until = trustedUntil(r);
    return until === null ? [] : [until + 1, lastActive(r) + days * DAY];
  });
  const next = moments.filter((m) => m > input.now.getTime()).sort((a, b) => a - b)[0];
  return next === undefined ? null : new Date(next);
}

/** A resolved flag reopens only on a fact newer than its resolution. */
export function restsOnNewFact(reasons: readonly StallReason[], resolvedAt: Date | null): boolean {
  if (resolvedAt === null) return true;
  return reasons.some((r) => r.since !== undefined && Date.parse(r.since) > resolvedAt.getTime());
}

/** Same reasons as a mentor reads them: codes and wording (not the times behind them). */
export function sameReasons(a: readonly StallReason[], b: readonly StallReason[]): boolean {
  return a.length === b.length && a.every((r, i) => r.code === b[i]!.code && r.text === b[i]!.text);
}

/** Reasons in `now` whose code was not in `before`: what a mentor is told about in a short DM. */
export function addedReasons(before: readonly StallReason[], now: readonly StallReason[]): StallReason[] {
  const had = new Set(before.map((r) => r.code));
  return now.filter((r) => !had.has(r.code));
}
