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

  it('a status-only edit keeps what the form recorded, and the same answer again is no edit', async () => {
    const e = await testEngine(t.db, '2027-02-26T12:00:00Z');
    const olga = e.as('olga', { admin: true });
    await e.run(olga, '/cohort create name:Spring program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    const maria = e.as('maria');
    await e.run(maria, '/cohort join');
    await e.at('2027-03-01T08:00:00Z');
    const round = await t.db.selectFrom('rounds').select(['id']).where('week', '=', 1).executeTakeFirstOrThrow();
    const place = { channelId: CHANNEL };
    const form = await e.core.submitForm(maria, place, 'checkin', String(round.id), { status: 'on-track', confidence: '3', note: 'tests pass', milestones: ['production-code'] });
    expect(textOf(form)).toMatch(/Milestone done: \*\*Production code baseline\*\*/);

    const quick = textOf(await e.run(maria, '/checkin behind'));
    expect(quick).toMatch(/^Updated: \*\*Behind\*\* for week 1/);
    expect(quick).not.toContain('No longer marked done');
    const click = textOf(await e.core.action(maria, place, 'checkin.status', `${round.id}:on-track`));
    expect(click).toMatch(/^Updated: \*\*On track\*\*/);
    expect(click).not.toContain('No longer marked done');
    expect(textOf(await e.run(maria, '/progress'))).toMatch(/1\/7|1 of 7/);
    expect(await t.db.selectFrom('checkins').select(['status', 'confidence', 'note']).execute()).toEqual([{ status: 'on-track', confidence: 3, note: 'tests pass' }]);

    // Pressing the same button again changes nothing and writes no version.
    const versions = async () => Number((await t.db.selectFrom('checkin_history').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await versions();
    expect(textOf(await e.core.action(maria, place, 'checkin.status', `${round.id}:on-track`))).toMatch(/^Already recorded: \*\*On track\*\* for week 1 .*Nothing changed\./);
    expect(await versions()).toBe(before);
    expect(textOf(await e.run(maria, '/mydata'))).toMatch(/edited 2×|2 edits|edited twice/);

    // Away from Done by click takes back what Done stands for: the week's milestone.
    expect(textOf(await e.core.action(maria, place, 'checkin.status', `${round.id}:done`))).toMatch(/^Updated: \*\*Done\*\* for week 1 \(Production code baseline\)/);
    expect(textOf(await e.core.action(maria, place, 'checkin.status', `${round.id}:behind`))).toMatch(/No longer marked done: \*\*Production code baseline\*\*/);
    expect(await t.db.selectFrom('milestone_completions').select('milestone_id').execute()).toEqual([]);
  });
});
