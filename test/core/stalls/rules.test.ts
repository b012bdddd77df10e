import { describe, expect, it } from 'vitest';
import type { StallSettings } from '../../../src/content/types.js';
import type { CheckinStatus } from '../../../src/db/types.js';
import { addedReasons, restsOnNewFact, stallReasons, type StallAnswer, type StallInput, type StallRound } from '../../../src/core/stalls/rules.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const settings: StallSettings = { missedRounds: 2, blockedAnswers: 2, blockedWindow: 3, behindMilestones: 2, confidenceDrop: 2, confidenceWindow: 3 };
const milestones = [
  { id: 'production-code', title: 'Production code baseline', week: 4 },
  { id: 'containerization-serving', title: 'Containerization and serving', week: 8 },
  { id: 'ci-cd', title: 'CI/CD pipeline', week: 11 },
];

// Week 1 opens Monday 2 March 2026 at 09:00 in Berlin (08:00 UTC); one round a week, 24 weeks.
const week1 = Date.parse('2026-03-02T08:00:00Z');
const opens = (week: number) => new Date(week1 + (week - 1) * 7 * DAY);
const day = (at: Date) => at.toISOString().slice(0, 10);
/** Rounds 1..upTo as posted; each closes when the next opens (already, or in the future). */
function rounds(upTo: number, last = 24): StallRound[] {
  return Array.from({ length: upTo }, (_, i) => {
    const week = i + 1;
    const closes = week < upTo ? opens(week + 1) : week >= last ? new Date(opens(week).getTime() + 7 * DAY) : null;
    return { week, opensAt: opens(week), localDate: day(opens(week)), closesAt: closes, until: day(opens(week + 1)) };
  });
}
/** `hoursAfter` hours after round `week` opened. */
const at = (week: number, hoursAfter: number) => new Date(opens(week).getTime() + hoursAfter * HOUR);
function answers(...list: Array<[number, CheckinStatus, number | null]>): StallAnswer[] {
  return list.map(([week, status, confidence]) => ({ week, status, confidence, at: at(week, 2) }));
}

function input(over: Partial<StallInput> & { currentWeek?: number }): StallInput {
  const current = over.currentWeek ?? 5;
  return {
    now: at(current, 30),
    joinedAt: new Date(week1 - 3 * DAY),
    rounds: rounds(current),
    answers: [],
    milestones,
    completed: new Set(['production-code']),
    breaks: [],
    ...over,
  };
}
const codes = (i: StallInput, s: StallSettings = settings) => stallReasons(i, s).map((r) => r.code);
const texts = (i: StallInput, s: StallSettings = settings) => stallReasons(i, s).map((r) => r.text);
const onTrackUntil = (week: number) => answers(...Array.from({ length: week }, (_, i) => [i + 1, 'on-track', 4] as [number, CheckinStatus, number]));

describe('missed rounds: only closed rounds count', () => {
  it('flags the last two closed rounds unanswered, and names them', () => {
    // Week 5 is open: weeks 3 and 4 closed unanswered.
    expect(texts(input({ answers: onTrackUntil(2) }))).toEqual(['missed the last 2 check-ins (weeks 3 and 4)']);
  });

  it('an open round is not missed, however long it has been open', () => {
    expect(codes(input({ answers: onTrackUntil(3), now: at(5, 150) }))).toEqual([]);
  });

  it('a late answer to a closed round clears it at once', () => {
    expect(codes(input({ answers: [...onTrackUntil(2), ...answers([3, 'behind', 3])] }))).toEqual([]);
  });

  it('the last week closes seven days after it opened', () => {
    const last = input({ currentWeek: 24, rounds: rounds(24), answers: onTrackUntil(22), completed: new Set(milestones.map((m) => m.id)) });
    expect(codes({ ...last, now: at(24, 167) })).toEqual([]);
    expect(texts({ ...last, now: at(24, 168) })).toEqual(['missed the last 2 check-ins (weeks 23 and 24)']);
  });

  it('a week not run (no round posted) is no round at all: the weeks around it are the last two', () => {
    const gap = rounds(6).filter((r) => r.week !== 4);
    gap.find((r) => r.week === 3)!.closesAt = opens(4);
    expect(texts(input({ currentWeek: 6, rounds: gap, answers: onTrackUntil(2) }))).toEqual(['missed the last 2 check-ins (weeks 3 and 5)']);
  });

  it('does not hold rounds from before a learner joined against them', () => {
    const joiner = input({ currentWeek: 6, joinedAt: at(4, 100) });
    expect(codes(joiner)).toEqual([]);
    expect(texts({ ...joiner, rounds: rounds(8), now: at(8, 1) })).toEqual(['missed the last 2 check-ins (weeks 6 and 7)']);
  });

  it('a round overlapped by a break is excused, even a break announced after it opened', () => {
    expect(codes(input({ answers: onTrackUntil(2), breaks: [{ startsOn: day(at(4, 48)), endsOn: day(at(5, 30)) }] }))).toEqual([]);
  });

  it('its fact is when the newer round closed', () => {
    expect(stallReasons(input({ answers: onTrackUntil(2) }), settings)[0]!.since).toBe(opens(5).toISOString());
  });
});

describe('blocked often: a window of the learner’s settled rounds', () => {
  it('flags blocked in 2 of the last 3 settled rounds and names the weeks', () => {
    const i = input({ answers: answers([1, 'on-track', 4], [2, 'blocked', 4], [3, 'on-track', 4], [4, 'blocked', 4]) });
    expect(texts(i)).toEqual(['answered “blocked” in 2 of the last 3 check-ins (weeks 2 and 4)']);
  });

  it('lapses as later rounds close, answered or not', () => {
    const blockedEarly = answers([1, 'blocked', 4], [2, 'blocked', 4]);
    expect(codes(input({ currentWeek: 3, answers: blockedEarly }))).toEqual(['blocked-often']);
    // Weeks 3 and 4 closed unanswered: the blocked answers left the window (missed rounds take over).
    expect(codes(input({ currentWeek: 5, answers: blockedEarly }))).toEqual(['missed-rounds']);
  });

  it('an answered open round counts at once', () => {
    expect(codes(input({ answers: answers([3, 'on-track', 4], [4, 'blocked', 4], [5, 'blocked', 4]) }))).toEqual(['blocked-often']);
  });
});

describe('behind schedule', () => {
  it('flags 2 overdue milestones and names them', () => {
    const i = input({ currentWeek: 9, answers: onTrackUntil(9), completed: new Set() });
    expect(texts(i)).toEqual(['behind schedule by 2 milestones: Production code baseline (due week 4) and Containerization and serving (due week 8) not done yet']);
    expect(stallReasons(i, settings)[0]!.since).toBe(opens(9).toISOString());
  });

  it('gives a new joiner their first round to report milestones they already have', () => {
    expect(codes(input({ currentWeek: 9, joinedAt: at(9, -2), answers: [], completed: new Set() }))).toEqual([]);
  });
});

describe('confidence drop: rated answers in the window of settled rounds', () => {
  it('flags a drop of 2 over the last 3 rounds', () => {
    expect(texts(input({ answers: answers([2, 'on-track', 4], [3, 'on-track', 3], [4, 'behind', 2]) }))).toEqual([
      'confidence dropped from 4/5 to 2/5 over the last 3 answers (weeks 2 to 4)',
    ]);
  });

  it('one-click answers without a rating push old ratings out, so the reason lapses', () => {
    const drop = answers([1, 'on-track', 3], [2, 'behind', 1]);
    expect(codes(input({ currentWeek: 3, answers: drop }))).toEqual(['confidence-drop']);
    const later = [...drop, ...answers([3, 'on-track', null], [4, 'on-track', null])];
    expect(codes(input({ currentWeek: 5, answers: later }))).toEqual([]);
  });

  it('a rise is not a drop, and one rated answer is not enough', () => {
    expect(codes(input({ answers: answers([3, 'on-track', 2], [4, 'on-track', 5]) }))).toEqual([]);
    expect(codes(input({ answers: answers([3, 'on-track', 5], [4, 'on-track', null]) }))).toEqual([]);
  });
});

describe('flag facts', () => {
  it('a resolved flag reopens only on a fact newer than its resolution', () => {
    const reasons = stallReasons(input({ answers: onTrackUntil(2) }), settings);
    expect(restsOnNewFact(reasons, null)).toBe(true);
    expect(restsOnNewFact(reasons, at(5, 1))).toBe(false);
    expect(restsOnNewFact(reasons, at(4, 1))).toBe(true);
  });

  it('names the reasons a flag gained', () => {
    const before = [{ code: 'missed-rounds' as const, text: 'a' }];
    const now = [{ code: 'missed-rounds' as const, text: 'b' }, { code: 'blocked-often' as const, text: 'c' }];
    expect(addedReasons(before, now).map((r) => r.code)).toEqual(['blocked-often']);
  });

  it('a learner who answers every week on track is never flagged; before the first round nobody is', () => {
    expect(codes(input({ currentWeek: 12, answers: onTrackUntil(12), completed: new Set(milestones.map((m) => m.id)) }))).toEqual([]);
    expect(codes(input({ currentWeek: 0, rounds: [] }))).toEqual([]);
  });
});
