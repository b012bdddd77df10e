import { describe, expect, it } from 'vitest';
import type { StallSettings } from '../../../src/content/types.js';
import type { CheckinStatus } from '../../../src/db/types.js';
import { isBackOnTrack, stallReasons, type StallAnswer, type StallInput, type StallRound } from '../../../src/core/stalls/rules.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const settings: StallSettings = { missedRounds: 2, blockedAnswers: 2, blockedWindow: 3, behindMilestones: 2, confidenceDrop: 2, confidenceWindow: 3 };
const milestones = [
  { id: 'production-code', title: 'Production code baseline', week: 4 },
  { id: 'containerization-serving', title: 'Containerization and serving', week: 8 },
  { id: 'ci-cd', title: 'CI/CD pipeline', week: 11 },
];

// Week 1 opens Monday 2 March 2026 at 09:00 in Berlin (08:00 UTC); one round a week.
const week1 = Date.parse('2026-03-02T08:00:00Z');
function rounds(upTo: number): StallRound[] {
  return Array.from({ length: upTo }, (_, i) => {
    const opensAt = new Date(week1 + i * 7 * DAY);
    return { week: i + 1, opensAt, localDate: opensAt.toISOString().slice(0, 10) };
  });
}
/** `hoursAfter` hours after round `week` opened. */
function at(week: number, hoursAfter: number): Date {
  return new Date(week1 + (week - 1) * 7 * DAY + hoursAfter * HOUR);
}
function answers(...list: Array<[number, CheckinStatus, number | null]>): StallAnswer[] {
  return list.map(([week, status, confidence]) => ({ week, status, confidence }));
}

function input(over: Partial<StallInput> & { currentWeek?: number }): StallInput {
  const current = over.currentWeek ?? 5;
  const now = over.now ?? at(current, 30);
  return {
    now,
    today: now.toISOString().slice(0, 10),
    joinedAt: new Date(week1 - 3 * DAY),
    awayUntil: null,
    rounds: rounds(current),
    answers: [],
    milestones,
    completed: new Set(['production-code']),
    ...over,
  };
}
const codes = (i: StallInput, s: StallSettings = settings) => stallReasons(i, s).map((r) => r.code);
const onTrackUntil = (week: number) => answers(...Array.from({ length: week }, (_, i) => [i + 1, 'on-track', 4] as [number, CheckinStatus, number]));

describe('missed rounds', () => {
  it('flags two missed check-ins in a row and names the weeks', () => {
    const reasons = stallReasons(input({ answers: onTrackUntil(3) }), settings);
    expect(reasons).toEqual([{ code: 'missed-rounds', text: 'missed the last 2 check-ins (weeks 4 and 5)' }]);
  });

  it('does not flag one missed check-in (below the threshold)', () => {
    expect(codes(input({ answers: onTrackUntil(4) }))).toEqual([]);
  });

  it('late answers count as answers', () => {
    expect(codes(input({ answers: [...onTrackUntil(3), ...answers([5, 'behind', 3])] }))).toEqual([]);
  });

  it('does not count a round that opened less than 24 hours ago', () => {
    const history = onTrackUntil(3);
    expect(codes(input({ answers: history, now: at(5, 23) }))).toEqual([]);
    expect(codes(input({ answers: history, now: at(5, 24) }))).toEqual(['missed-rounds']);
  });

  it('follows the program threshold', () => {
    const i = input({ answers: onTrackUntil(3) });
    expect(codes(i, { ...settings, missedRounds: 3 })).toEqual([]);
    expect(stallReasons(i, { ...settings, missedRounds: 1 })).toEqual([{ code: 'missed-rounds', text: 'missed the last check-in (week 5)' }]);
  });

  it('does not hold rounds from before a learner joined against them', () => {
    // Joined in week 5: only rounds 5 and 6 are theirs, and round 6 is not a day old yet.
    const joiner = input({ currentWeek: 6, now: at(6, 5), joinedAt: at(4, 100), completed: new Set(['production-code']) });
    expect(codes(joiner)).toEqual([]);
    // A week later both of their rounds are missed.
    expect(stallReasons({ ...joiner, rounds: rounds(7), now: at(7, 30) }, settings)).toEqual([
      { code: 'missed-rounds', text: 'missed the last 2 check-ins (weeks 6 and 7)' },
    ]);
  });

  it('a round that opened on the day before a learner joined is still theirs', () => {
    const joiner = input({ currentWeek: 6, now: at(6, 30), joinedAt: at(5, 20) });
    expect(codes(joiner)).toEqual(['missed-rounds']);
  });

  it('does not flag a learner back from an announced break for the rounds they were away', () => {
    const back = input({ answers: onTrackUntil(3), awayUntil: at(5, 26).toISOString().slice(0, 10) });
    expect(codes(back)).toEqual([]);
  });
});

describe('blocked often', () => {
  it('flags blocked in 2 of the last 3 answers and names the weeks', () => {
    const i = input({ answers: answers([1, 'on-track', 4], [2, 'on-track', 4], [3, 'blocked', 4], [4, 'on-track', 4], [5, 'blocked', 4]) });
    expect(stallReasons(i, settings)).toEqual([{ code: 'blocked-often', text: 'answered “blocked” in 2 of the last 3 check-ins (weeks 3 and 5)' }]);
  });

  it('does not flag one blocked answer in three', () => {
    const i = input({ answers: answers([1, 'on-track', 4], [2, 'on-track', 4], [3, 'blocked', 4], [4, 'on-track', 4], [5, 'on-track', 4]) });
    expect(codes(i)).toEqual([]);
  });

  it('only looks at the last answers', () => {
    const i = input({ answers: answers([1, 'blocked', 4], [2, 'blocked', 4], [3, 'on-track', 4], [4, 'behind', 4], [5, 'on-track', 4]) });
    expect(codes(i)).toEqual([]);
  });

  it('counts answers, not weeks: missed rounds in between do not dilute the window', () => {
    const i = input({ currentWeek: 5, now: at(5, 2), answers: answers([1, 'blocked', 4], [3, 'on-track', 4], [4, 'blocked', 4]) });
    expect(stallReasons(i, settings)).toEqual([{ code: 'blocked-often', text: 'answered “blocked” in 2 of the last 3 check-ins (weeks 1 and 4)' }]);
  });

  it('applies with fewer answers than the window', () => {
    const i = input({ currentWeek: 2, now: at(2, 30), answers: answers([1, 'blocked', 3], [2, 'blocked', 3]), completed: new Set() });
    expect(stallReasons(i, settings)).toEqual([{ code: 'blocked-often', text: 'answered “blocked” in 2 of the last 2 check-ins (weeks 1 and 2)' }]);
  });
});

describe('behind schedule', () => {
  it('flags 2 overdue milestones and names them', () => {
    const i = input({ currentWeek: 9, answers: onTrackUntil(9), completed: new Set() });
    expect(stallReasons(i, settings)).toEqual([
      {
        code: 'behind-schedule',
        text: 'behind schedule by 2 milestones: Production code baseline (due week 4) and Containerization and serving (due week 8) not done yet',
      },
    ]);
  });

  it('does not flag one overdue milestone (below the threshold), and does with a threshold of 1', () => {
    const i = input({ currentWeek: 9, answers: onTrackUntil(9), completed: new Set(['production-code']) });
    expect(codes(i)).toEqual([]);
    expect(stallReasons(i, { ...settings, behindMilestones: 1 })).toEqual([
      { code: 'behind-schedule', text: 'behind schedule by 1 milestone: Containerization and serving (due week 8) not done yet' },
    ]);
  });

  it('a milestone is due once its week is over: in week 8 the week-8 milestone is not overdue', () => {
    expect(codes(input({ currentWeek: 8, answers: onTrackUntil(8), completed: new Set() }))).toEqual([]);
  });

  it('milestones done early do not make up for overdue ones', () => {
    expect(codes(input({ currentWeek: 9, answers: onTrackUntil(9), completed: new Set(['ci-cd']) }))).toEqual(['behind-schedule']);
  });

  it('gives a new joiner their first round to report milestones they already have', () => {
    const joiner = input({ currentWeek: 9, now: at(9, 3), joinedAt: at(9, -10), completed: new Set() });
    expect(codes(joiner)).toEqual([]);
    expect(codes({ ...joiner, now: at(9, 30) })).toEqual(['behind-schedule']);
  });
});

describe('confidence drop', () => {
  it('flags a drop of 2 over the last 3 answers', () => {
    const i = input({ answers: answers([3, 'on-track', 5], [4, 'on-track', 4], [5, 'behind', 3]) });
    expect(stallReasons(i, settings)).toEqual([{ code: 'confidence-drop', text: 'confidence dropped from 5/5 to 3/5 over the last 3 answers (weeks 3 to 5)' }]);
  });

  it('does not flag a drop of 1', () => {
    expect(codes(input({ answers: answers([3, 'on-track', 5], [4, 'on-track', 4], [5, 'on-track', 4]) }))).toEqual([]);
  });

  it('compares the first and the last answer of the window, not the highest', () => {
    expect(codes(input({ answers: answers([3, 'on-track', 3], [4, 'on-track', 5], [5, 'on-track', 2]) }))).toEqual([]);
  });

  it('ignores drops older than the window', () => {
    expect(codes(input({ answers: answers([2, 'on-track', 5], [3, 'on-track', 3], [4, 'on-track', 3], [5, 'on-track', 3]) }))).toEqual([]);
  });

  it('skips answers without a confidence', () => {
    const i = input({ answers: answers([2, 'on-track', 5], [3, 'on-track', null], [4, 'on-track', 4], [5, 'on-track', 3]) });
    expect(stallReasons(i, settings)).toEqual([{ code: 'confidence-drop', text: 'confidence dropped from 5/5 to 3/5 over the last 3 answers (weeks 2 to 5)' }]);
  });

  it('lets a drop age out as one-click answers come after it, so a flag on it can resolve', () => {
    const drop: Array<[number, CheckinStatus, number | null]> = [[1, 'on-track', 5], [2, 'on-track', 4], [3, 'on-track', 3]];
    const clicksUntil = (week: number) => answers(...drop, ...Array.from({ length: week - 3 }, (_, k): [number, CheckinStatus, null] => [4 + k, 'on-track', null]));
    const done = new Set(['production-code', 'containerization-serving']);
    // Six answers back still reach all three ratings.
    expect(codes(input({ currentWeek: 6, answers: clicksUntil(6), completed: done }))).toEqual(['confidence-drop']);
    // Seven answers on, the 5/5 is out of reach and 4/5 to 3/5 is no drop.
    expect(codes(input({ currentWeek: 7, answers: clicksUntil(7), completed: done }))).toEqual([]);
    expect(codes(input({ currentWeek: 30, answers: clicksUntil(30), completed: new Set(milestones.map((m) => m.id)) }))).toEqual([]);
  });

  it('needs two rated answers, and works with exactly two', () => {
    expect(codes(input({ currentWeek: 2, now: at(2, 2), answers: answers([1, 'on-track', 5]), completed: new Set() }))).toEqual([]);
    const two = input({ currentWeek: 2, now: at(2, 2), answers: answers([1, 'on-track', 5], [2, 'on-track', 3]), completed: new Set() });
    expect(stallReasons(two, settings)).toEqual([{ code: 'confidence-drop', text: 'confidence dropped from 5/5 to 3/5 over the last 2 answers (weeks 1 and 2)' }]);
  });

  it('a rise is not a drop', () => {
    expect(codes(input({ answers: answers([3, 'on-track', 2], [4, 'on-track', 3], [5, 'on-track', 5]) }))).toEqual([]);
  });
});

describe('all rules together', () => {
  const struggling = input({
    currentWeek: 9,
    answers: answers([5, 'on-track', 5], [6, 'blocked', 4], [7, 'blocked', 3]),
    completed: new Set(),
  });

  it('lists every reason that applies, in a fixed order', () => {
    expect(stallReasons(struggling, settings).map((r) => r.text)).toEqual([
      'missed the last 2 check-ins (weeks 8 and 9)',
      'answered “blocked” in 2 of the last 3 check-ins (weeks 6 and 7)',
      'behind schedule by 2 milestones: Production code baseline (due week 4) and Containerization and serving (due week 8) not done yet',
      'confidence dropped from 5/5 to 3/5 over the last 3 answers (weeks 5 to 7)',
    ]);
  });

  it('flags nobody who is away, whatever their history', () => {
    expect(codes({ ...struggling, awayUntil: '2026-05-15' })).toEqual([]);
    // The day away_until is reached they count again (back that morning).
    expect(codes({ ...struggling, today: '2026-05-15', awayUntil: '2026-05-15' })).toContain('behind-schedule');
  });

  it('a learner who answers every week on track is never flagged', () => {
    expect(codes(input({ currentWeek: 12, answers: onTrackUntil(12), completed: new Set(['production-code', 'containerization-serving', 'ci-cd']) }))).toEqual([]);
  });

  it('before the first round nobody is flagged', () => {
    expect(codes(input({ currentWeek: 0, now: new Date(week1 - DAY), rounds: [], completed: new Set() }))).toEqual([]);
  });
});

describe('back on track', () => {
  it('is true when the latest answer is on track or done', () => {
    expect(isBackOnTrack(answers([4, 'blocked', 2], [5, 'on-track', 3]))).toBe(true);
    expect(isBackOnTrack(answers([5, 'done', 3], [4, 'blocked', 2]))).toBe(true);
    expect(isBackOnTrack(answers([4, 'on-track', 2], [5, 'behind', 3]))).toBe(false);
    expect(isBackOnTrack(answers([4, 'on-track', 2], [5, 'blocked', 3]))).toBe(false);
    expect(isBackOnTrack([])).toBe(false);
  });
});
