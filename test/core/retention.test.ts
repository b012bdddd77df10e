import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runTick } from '../../src/jobs/tick.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const DAY = 86_400_000;
let e: TestEngine;

async function cohortWithAnswers(name: string, channel: string): Promise<void> {
  const olga = e.as('olga', { admin: true });
  await e.run(olga, `/cohort create name:"${name}" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin`, channel);
  await e.run(e.as(`maria-${channel}`), '/cohort join', channel);
}

const texts = (cohort: string) =>
  e.deps.db
    .selectFrom('checkins')
    .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
    .innerJoin('cohorts', 'cohorts.id', 'rounds.cohort_id')
    .select(['checkins.status', 'checkins.note', 'checkins.blocker'])
    .where('cohorts.name', '=', cohort)
    .execute();

describe('RETENTION_DAYS', () => {
  beforeEach(async () => {
    await t.reset();
    e = await testEngine(t.db, '2027-02-26T12:00:00Z');
    await cohortWithAnswers('Spring', 'C1');
    await cohortWithAnswers('Summer', 'C2');
    await e.at('2027-03-01T08:00:00Z');
    await e.run(e.as('maria-C1'), '/checkin behind slow week', 'C1');
    await e.run(e.as('maria-C1'), '/checkin blocked docker again', 'C1');
    await e.run(e.as('maria-C2'), '/checkin behind summer note', 'C2');
    // Spring ends (as the program's end would mark it); Summer runs on.
    await e.deps.db.updateTable('cohorts').set({ status: 'finished', finished_at: new Date('2027-03-05T00:00:00Z') }).where('name', '=', 'Spring').execute();
  });

  it('is optional and checked at start', () => {
    expect(loadConfig({}).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(() => loadConfig({ RETENTION_DAYS: 'a month' })).toThrow('RETENTION_DAYS: expected a whole number of days from 1 to 36500, got "a month"');
  });

  it('the tick removes notes and blockers of cohorts finished longer ago than that, keeping every answer', async () => {
    e.deps.retentionDays = 30;
    await runTick(e.deps, new Date(Date.parse('2027-03-05T00:00:00Z') + 29 * DAY));
    expect(await texts('Spring')).toEqual([{ status: 'blocked', note: 'slow week', blocker: 'docker again' }]);
    expect((await e.deps.db.selectFrom('faq_questions').select('question').where('via', '=', 'checkin').execute()).map((q) => q.question)).toEqual(['docker again']);
    const before = await e.deps.db.selectFrom('checkin_history').select(['status', 'note', 'blocker']).orderBy('id').execute();
    expect(before.slice(0, 2)).toEqual([
      { status: 'behind', note: 'slow week', blocker: null },
      { status: 'blocked', note: 'slow week', blocker: 'docker again' },
    ]);

    await runTick(e.deps, new Date(Date.parse('2027-03-05T00:00:00Z') + 31 * DAY));
    expect(await texts('Spring')).toEqual([{ status: 'blocked', note: null, blocker: null }]);
    const history = await e.deps.db.selectFrom('checkin_history').select(['status', 'note', 'blocker']).orderBy('id').execute();
    expect(history.filter((h) => h.status !== 'behind' || h.note !== 'summer note')).toEqual([
      { status: 'behind', note: null, blocker: null },
      { status: 'blocked', note: null, blocker: null },
    ]);
    const logged = await e.deps.db.selectFrom('faq_questions').select(['question', 'via']).orderBy('id').execute();
    expect(logged.map((q) => q.question)).not.toContain('docker again');
    // A running cohort keeps its notes.
    expect(await texts('Summer')).toEqual([{ status: 'behind', note: 'summer note', blocker: null }]);
  });

  it('without RETENTION_DAYS nothing is removed', async () => {
    await runTick(e.deps, new Date(Date.parse('2027-03-05T00:00:00Z') + 3650 * DAY));
    expect(await texts('Spring')).toEqual([{ status: 'blocked', note: 'slow week', blocker: 'docker again' }]);
    expect(await e.deps.db.selectFrom('checkin_history').select('note').where('note', '=', 'slow week').execute()).toHaveLength(2);
  });
});
