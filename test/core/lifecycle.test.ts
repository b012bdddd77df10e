import { beforeEach, describe, expect, it } from 'vitest';
import { testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

let e: TestEngine;
const admin = () => e.as('olga', { admin: true });

async function setUp(learners = ['maria', 'li']): Promise<void> {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  expect(textOf(await e.run(admin(), '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin'))).toContain('is set up');
  for (const who of learners) await e.run(e.as(who), '/cohort join');
  await e.run(admin(), '/cohort mentor @dana');
}

/** Runs the scheduler at the slot of each week in turn (and a day after it), as an always-on bot would. */
async function runWeeks(from: number, to: number): Promise<void> {
  for (let week = from; week <= to; week++) {
    await e.at(slot(week));
    await e.at(slot(week, 25));
    await e.at(slot(week, 6 * 24 + 1));
  }
}

const keys = async (like: string) =>
  (await e.deps.db.selectFrom('outbox').select('key').where('key', 'like', like).orderBy('created_at').orderBy('key').execute()).map((r) => r.key);
const rounds = () => e.deps.db.selectFrom('rounds').select(['week', 'state', 'not_run_reason', 'local_date']).orderBy('week').execute();

describe('outages never lose or slide a week', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('after three weeks offline only the latest week is posted, marked late; the others are not run and organizers are told once', async () => {
    await runWeeks(1, 1);
    // Offline from week 1's digest until two days after week 4's slot.
    await e.at(slot(4, 50));
    expect((await rounds()).map((r) => [r.week, r.state])).toEqual([
      [1, 'posted'],
      [2, 'not-run'],
      [3, 'not-run'],
      [4, 'posted'],
    ]);
    const posts = e.port.posts();
    expect(posts.map((p) => p.message.text.split('\n')[0])).toEqual(['**Week 1 of 24 · Production code baseline**', '**Week 4 of 24 · Production code baseline**']);
    expect(posts[1]!.message.text.split('\n')[1]).toBe('_Posted late: I was offline from Sun 7 Mar 2027, 10:00 (Europe/Berlin) to Wed 24 Mar 2027, 11:00 (Europe/Berlin)._');
    const notice = e.port.dmsTo('olga').filter((d) => d.message.text.startsWith('I was offline'));
    expect(notice).toHaveLength(1);
    expect(notice[0]!.message.text).toContain('so weeks 2 and 3 were not run in **Spring 2027**');
    // Another tick and a restart change nothing.
    await e.at(slot(4, 51));
    const again = await testEngine(e.deps.db, slot(4, 52));
    await again.tick();
    expect(e.port.posts()).toHaveLength(2);
    expect(again.port.sent).toEqual([]);

    // The schedule shows it; nobody counts as having missed the weeks not run.
    const schedule = textOf(await e.run(e.as('maria'), '/cohort schedule'));
    expect(schedule).toContain('Not run (I was offline): weeks 2 and 3. Nobody counts as having missed them.');
    expect(schedule).toContain('Posted late after an outage: week 4.');
    expect(schedule).toContain('Ends: Mon 16 Aug 2027, 09:00 Europe/Berlin (week 24 closes).');
    // Weeks not run are no rounds: the two last rounds Maria missed are weeks 1 and 4.
    expect(await e.deps.db.selectFrom('stall_flags').selectAll().execute()).toEqual([]);
    await e.run(e.as('li'), '/checkin on-track');
    await e.tick();
    // The post's count goes up with the answer; the line saying it came late stays.
    const edited = e.port.sent.filter((s) => s.kind === 'update').at(-1)!.message.text;
    expect(edited).toContain('_1 of 2 checked in_');
    expect(edited.split('\n')[1]).toBe(posts[1]!.message.text.split('\n')[1]);
    await runWeeks(5, 5);
    const flagged = await e.deps.db.selectFrom('stall_flags').innerJoin('members', 'members.id', 'stall_flags.member_id').select(['members.user_id', 'stall_flags.reasons']).execute();
    expect(flagged.map((f) => [f.user_id, f.reasons.map((r) => r.text)])).toEqual([['maria', ['missed the last 2 check-ins (weeks 1 and 4)']]]);
  });

  it('a digest whose time passed during an outage goes out once at the next tick', async () => {
    await e.at(slot(1));
    // Down from Saturday of week 1 until after Monday's round of week 2.
    await e.at(slot(2, 2));
    expect(await keys('digest:%')).toEqual(expect.arrayContaining([expect.stringMatching(/^digest:\d+:1:\d+$/)]));
    await runWeeks(2, 2);
    const digests = await keys('digest:%');
    expect(digests.map((k) => k.split(':')[2])).toEqual(['1', '2']);
  });

  it('a week with no learners posts no round; organizers are told once per streak', async () => {
    await t.reset();
    await setUp([]);
    await runWeeks(1, 3);
    expect(e.port.posts()).toEqual([]);
    expect((await rounds()).map((r) => r.not_run_reason)).toEqual(['no-learners', 'no-learners', 'no-learners']);
    expect(e.port.dmsTo('olga').filter((d) => d.message.text.includes('no active learners'))).toHaveLength(1);
    await e.run(e.as('maria'), '/cohort join');
    await runWeeks(4, 4);
    expect(e.port.posts().map((p) => p.message.text.split('\n')[0])).toEqual(['**Week 4 of 24 · Production code baseline**']);
  });
});

describe('organizer controls', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('/cohort edit moves every week not yet posted; weeks posted stay', async () => {
    await runWeeks(1, 1);
    const reply = textOf(await e.run(admin(), '/cohort edit day:thu time:18:30 tz:europe/kyiv'));
    expect(reply).toContain('**Spring 2027** now checks in every Thursday at 18:30 Europe/Kyiv; weeks already posted stay as they were.');
    expect(reply).toContain('Week 2 opens Thu 11 Mar 2027, 18:30 Europe/Kyiv');
    await e.at('2027-03-11T16:31:00Z');
    expect(e.port.posts().map((p) => p.message.text.split('\n')[0])).toEqual(['**Week 1 of 24 · Production code baseline**', '**Week 2 of 24 · Production code baseline**']);
    expect((await rounds()).map((r) => r.local_date)).toEqual(['2027-03-01', '2027-03-11']);
    expect(textOf(await e.run(admin(), '/cohort edit day:someday'))).toContain('`day:someday` is not a weekday');
    expect(textOf(await e.run(e.as('maria'), '/cohort edit time:10:00'))).toContain('Only organizers can change the schedule.');
  });

  it('/cohort unskip puts a skipped week back; skipping and unskipping move the end date', async () => {
    expect(textOf(await e.run(admin(), '/cohort skip 2027-03-08'))).toContain('the program ends Mon 23 Aug 2027, 09:00 Europe/Berlin (week 24 closes).');
    expect(textOf(await e.run(admin(), '/cohort unskip 2027-03-08'))).toBe(
      '2027-03-08 is a check-in day again for **Spring 2027**. Week 1 opens Mon 1 Mar 2027, 09:00 Europe/Berlin; the program ends Mon 16 Aug 2027, 09:00 Europe/Berlin (week 24 closes).',
    );
    expect(textOf(await e.run(admin(), '/cohort unskip 2027-03-08'))).toBe('2027-03-08 is not skipped in **Spring 2027**. No date is skipped.');
    await runWeeks(1, 2);
    expect(e.port.posts()).toHaveLength(2);
  });

  it('/cohort schedule shows the next round, the end date, skips and pauses', async () => {
    await e.run(admin(), '/cohort skip 2027-03-15');
    await runWeeks(1, 1);
    await e.run(admin(), '/cohort pause');
    await e.at(slot(3));
    const paused = textOf(await e.run(e.as('li'), '/cohort schedule'));
    expect(paused).toContain('Paused since');
    await e.run(admin(), '/cohort resume');
    const text = textOf(await e.run(e.as('li'), '/cohort schedule'));
    expect(text).toContain('Next round: week 2, Mon 22 Mar 2027, 09:00 Europe/Berlin.');
    expect(text).toContain('Skipped: 2027-03-15');
    expect(text).toContain('Paused from Sun 7 Mar 2027 to Mon 15 Mar 2027.');
    expect(textOf(await e.run(e.as('stranger'), '/cohort schedule'))).toContain('Only organizers can see the schedule');
  });
});

describe('learner corrections', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('an accidental Done is undone by changing the answer; the form names the next unfinished milestone', async () => {
    await e.at(slot(1));
    expect(textOf(await e.run(e.as('maria'), '/checkin done'))).toContain('Milestone done: **Production code baseline**');
    expect(textOf(await e.run(e.as('maria'), '/checkin on-track'))).toContain('No longer marked done: **Production code baseline**.');
    expect(await e.deps.db.selectFrom('milestone_completions').selectAll().execute()).toEqual([]);

    await e.run(e.as('li'), '/checkin done');
    const form = await e.run(e.as('li'), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the form');
    // The form keeps the tick this answer made, to be unticked; /progress names the next milestone.
    expect(form.form.fields[0]!.label).toBe('How is Production code baseline going?');
    expect(textOf(await e.run(e.as('li'), '/progress'))).toContain('Next milestone: **Containerization and serving** (due week 8).');
    expect(form.form.fields.find((f) => f.id === 'milestones')!.initial).toEqual(['production-code']);
    const saved = await e.core.submitForm(e.as('li'), { channelId: 'C-spring' }, 'checkin', form.form.state, { status: 'on-track', milestones: [] });
    expect(textOf(saved)).toContain('No longer marked done: **Production code baseline**.');
  });

  it('a learner ahead of the week is asked about their next milestone, and the answer and its link are recorded under it', async () => {
    await e.at(slot(1));
    await e.run(e.as('li'), '/checkin done');
    await e.at(slot(2));
    const form = await e.run(e.as('li'), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the form');
    expect(form.form.fields[0]!.label).toBe('How is Containerization and serving going?');
    const saved = await e.core.submitForm(e.as('li'), { channelId: 'C-spring' }, 'checkin', form.form.state, { status: 'on-track', link: 'https://github.com/li/serving' });
    expect(textOf(saved)).toContain('Recorded: **On track** for week 2 (Containerization and serving).');
    const links = await e.deps.db.selectFrom('evidence_links').select(['milestone_id', 'url']).execute();
    expect(links).toEqual([{ milestone_id: 'containerization-serving', url: 'https://github.com/li/serving' }]);
  });
});

describe('the end of the program', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('when week 24 closes: a summary in the channel, a report to mentors, open flags closed, nothing more posted', { timeout: 300_000 }, async () => {
    for (let week = 1; week <= 24; week++) {
      await e.at(slot(week));
      if (week <= 3) await e.run(e.as('maria'), '/checkin blocked stuck on packaging');
      await e.at(slot(week, 6 * 24 + 1));
    }
    const before = e.port.sent.length;
    await e.at(slot(25, 1));
    const cohort = await e.deps.db.selectFrom('cohorts').select(['status', 'finished_at']).executeTakeFirstOrThrow();
    expect(cohort.status).toBe('finished');
    const summary = e.port.posts().at(-1)!.message.text;
    expect(summary).toContain('🎓 **Spring 2027** has finished: Data scientist to ML engineer, 24 weeks, 2 learners.');
    expect(summary).toContain('• Production code baseline (week 4): 0 of 2');
    expect(summary).not.toContain('maria');
    expect(e.port.dmsTo('dana').at(-1)!.message.text).toContain('**Final report · Spring 2027**');
    expect(await e.deps.db.selectFrom('stall_flags').select('resolution').where('status', '<>', 'resolved').execute()).toEqual([]);
    expect((await e.deps.db.selectFrom('stall_flags').select('resolution').execute()).every((f) => f.resolution === 'ended' || f.resolution === 'auto' || f.resolution === 'mentor')).toBe(true);
    const after = e.port.sent.length;
    expect(after - before).toBeGreaterThan(1);
    // Check-ins are closed once the final report is out: neither a first answer nor the form is taken.
    const late = await e.run(e.as('li'), '/checkin on-track');
    expect(textOf(late)).toBe('**Spring 2027** has finished, so check-ins are closed. `/progress` still shows your record.');
    expect(textOf(await e.run(e.as('li'), '/checkin'))).toBe('**Spring 2027** has finished, so check-ins are closed. `/progress` still shows your record.');
    expect(await e.deps.db.selectFrom('checkins').innerJoin('members', 'members.id', 'checkins.member_id').select('checkins.id').where('members.user_id', '=', 'li').execute()).toEqual([]);
    await e.at(slot(30));
    expect(e.port.sent.filter((s) => s.kind !== 'update')).toHaveLength(e.port.sent.slice(0, after).filter((s) => s.kind !== 'update').length);
  });
});
