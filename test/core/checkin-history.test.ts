import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDb } from '../helpers/db.js';
import { CHANNEL, testEngine, textOf } from '../helpers/engine.js';

const t = useTestDb();

describe('every version of an answer is kept', () => {
  beforeEach(() => t.reset());

  it('keeps each click and form in history with the milestones it completed, and takes a Done back on an edit', async () => {
    const e = await testEngine(t.db, '2027-02-26T12:00:00Z');
    const olga = e.as('olga', { admin: true });
    await e.run(olga, '/cohort create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    const maria = e.as('maria');
    await e.run(maria, '/cohort join');
    await e.at('2027-03-01T08:00:00Z');
    const round = await t.db.selectFrom('rounds').select(['id', 'milestone_id']).where('week', '=', 1).executeTakeFirstOrThrow();

    const click = (status: string) => e.core.action(maria, { channelId: CHANNEL }, 'checkin.status', `${round.id}:${status}`);
    expect(textOf(await click('done'))).toMatch(/^Recorded: \*\*Done\*\* for week 1 .*\nMilestone done: /);
    expect(textOf(await click('on-track'))).toMatch(/^Updated: \*\*On track\*\* for week 1 .*\nNo longer marked done: /);
    const form = await e.core.submitForm(maria, { channelId: CHANNEL }, 'checkin', String(round.id), { status: 'blocked', confidence: '2', blocker: 'CI is red', milestones: [] });
    expect(textOf(form)).toMatch(/^Updated: \*\*Blocked\*\* for week 1/);

    const history = await t.db
      .selectFrom('checkin_history as h')
      .innerJoin('checkins as c', 'c.id', 'h.checkin_id')
      .select(['h.status', 'h.confidence', 'h.blocker', 'h.milestones', 'h.source'])
      .orderBy('h.id')
      .execute();
    expect(history).toEqual([
      { status: 'done', confidence: null, blocker: null, milestones: [round.milestone_id], source: 'button' },
      { status: 'on-track', confidence: null, blocker: null, milestones: [], source: 'button' },
      { status: 'blocked', confidence: 2, blocker: 'CI is red', milestones: [], source: 'form' },
    ]);
    expect(await t.db.selectFrom('milestone_completions').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('checkins').select(['status', 'confidence']).execute()).toEqual([{ status: 'blocked', confidence: 2 }]);
  });
});
