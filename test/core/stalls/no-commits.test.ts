import { describe, expect, it } from 'vitest';
import type { StallSettings } from '../../../src/content/types.js';
import { stallReasons, type StallInput, type StallRepo } from '../../../src/core/stalls/rules.js';

const DAY = 86_400_000;
const NOW = new Date('2026-04-20T10:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const settings: StallSettings = { missedRounds: 2, blockedAnswers: 2, blockedWindow: 3, behindMilestones: 2, confidenceDrop: 2, confidenceWindow: 3, noCommitsDays: 14 };

// A learner who answers every week, so only the repository can raise a reason.
function input(repos?: StallRepo[]): StallInput {
  return {
    now: NOW,
    joinedAt: ago(60),
    rounds: [1, 2, 3].map((week) => {
      const opensAt = ago(21 - (week - 1) * 7);
      return { week, opensAt, localDate: opensAt.toISOString().slice(0, 10), closesAt: week < 3 ? ago(21 - week * 7) : null, until: ago(21 - week * 7).toISOString().slice(0, 10) };
    }),
    answers: [1, 2, 3].map((week) => ({ week, status: 'on-track' as const, confidence: 4, at: ago(21 - (week - 1) * 7) })),
    milestones: [],
    completed: new Set(),
    breaks: [],
    ...(repos ? { repos } : {}),
  };
}

const repo = (over: Partial<StallRepo>): StallRepo => ({ name: 'maria/churn', lastCommitAt: ago(1), linkedAt: ago(30), checkedAt: ago(0.1), ...over });

describe('no commits in N days on a linked repository', () => {
  it('never applies to a learner who linked no repository', () => {
    expect(stallReasons(input(), settings)).toEqual([]);
    expect(stallReasons(input([]), settings)).toEqual([]);
  });

  it('applies once the newest commit is N days old, dated from the day it became true', () => {
    expect(stallReasons(input([repo({ lastCommitAt: ago(13.9) })]), settings)).toEqual([]);
    expect(stallReasons(input([repo({ lastCommitAt: ago(15) })]), settings)).toEqual([
      { code: 'no-commits', text: 'no commits in 14 days on maria/churn', since: new Date(ago(15).getTime() + 14 * DAY).toISOString() },
    ]);
    expect(stallReasons(input([repo({ lastCommitAt: ago(15) })]), { ...settings, noCommitsDays: 21 })).toEqual([]);
  });

  it('one active repository is enough; an empty one counts from when it was linked', () => {
    expect(stallReasons(input([repo({ lastCommitAt: ago(40) }), repo({ name: 'maria/api', lastCommitAt: ago(2) })]), settings)).toEqual([]);
    expect(stallReasons(input([repo({ lastCommitAt: null, linkedAt: ago(3) })]), settings)).toEqual([]);
    expect(stallReasons(input([repo({ lastCommitAt: null, linkedAt: ago(20) })]), settings).map((r) => r.code)).toEqual(['no-commits']);
  });

  it('activity GitHub has not confirmed in two days is not trusted', () => {
    expect(stallReasons(input([repo({ lastCommitAt: ago(40), checkedAt: ago(3) })]), settings)).toEqual([]);
    expect(stallReasons(input([repo({ lastCommitAt: ago(40), checkedAt: null })]), settings)).toEqual([]);
  });
});
