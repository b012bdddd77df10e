import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../src/core/clock.js';
import { createCore } from '../../src/core/create-core.js';
import { claimDue, deliverDue } from '../../src/jobs/deliver.js';
import { runTick } from '../../src/jobs/tick.js';
import { CHANNEL, testEngine, textOf, type TestEngine } from '../helpers/engine.js';
import { RecordingPort } from '../helpers/recording-port.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
// Monday 2 March 2026, 08:00 in Berlin (CET, UTC+1): an hour before the first slot.
const BEFORE_FIRST = '2026-03-02T07:00:00Z';
const FIRST_SLOT = '2026-03-02T08:00:00Z';

let e: TestEngine;
const admin = () => e.as('olga', { admin: true });

async function setUp(): Promise<void> {
  e = await testEngine(t.db, BEFORE_FIRST);
  const created = await e.run(admin(), '/cohort create name:"Spring 2026" program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
  expect(textOf(created)).toContain('Cohort **Spring 2026** is set up');
  for (const who of ['maria', 'li', 'sam']) await e.run(e.as(who), '/cohort join');
  await e.run(admin(), '/cohort mentor @mentor.mo');
}

async function rows(table: 'rounds' | 'checkins' | 'checkin_history' | 'outbox' | 'milestone_completions'): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db);
  return r.rows[0]!.n;
}

describe('cohort management', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('reports every bad create option at once and changes nothing', async () => {
    const reply = await e.run(admin(), '/cohort create name:X program:nope start:2026-02-30 day:someday time:25:00 tz:Mars/Olympus', 'C-other');
    const text = textOf(reply);
    expect(reply.kind === 'message' && reply.message.private).toBe(true);
    expect(text).toContain('`program:nope` is not a program. Available: ds-to-mle.');
    expect(text).toContain('`start:2026-02-30` is not a date');
    expect(text).toContain('`day:someday` is not a weekday');
    expect(text).toContain('`time:25:00` is not a time');
    expect(text).toContain('`tz:Mars/Olympus` is not an IANA time zone');
    expect(text).toContain('Usage: `/cohort create name:<text>');
    const cohorts = await t.db.selectFrom('cohorts').select('name').execute();
    expect(cohorts.map((c) => c.name)).toEqual(['Spring 2026']);
  });

  it('takes only Area/City zones, and stores them as spelled in the zone database', async () => {
    for (const tz of ['system', 'local', 'EST', 'UTC+1']) {
      expect(textOf(await e.run(admin(), `/cohort create name:Z program:ds-to-mle start:2026-03-09 day:mon time:09:00 tz:${tz}`, 'C-zones'))).toContain(`\`tz:${tz}\` is not an IANA time zone`);
    }
    expect(textOf(await e.run(admin(), '/cohort create name:Z program:ds-to-mle start:2026-03-09 day:mon time:09:00 tz:europe/berlin', 'C-zones'))).toContain('at 09:00 Europe/Berlin');
    const z = await t.db.selectFrom('cohorts').select('timezone').where('name', '=', 'Z').executeTakeFirstOrThrow();
    expect(z.timezone).toBe('Europe/Berlin');
  });

  it('refuses a start whose first check-in has already passed, and names the next possible start', async () => {
    await e.at('2026-03-07T10:00:00Z'); // Saturday 7 March
    const late = textOf(await e.run(admin(), '/cohort create name:Late program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin', 'C-late'));
    expect(late).toBe(
      'The first check-in of `start:2026-03-02` (Mon 2 Mar 2026, 09:00 Europe/Berlin) has already passed, so week 1 would go out late. Start on or after 2026-03-09.',
    );
    expect(await t.db.selectFrom('cohorts').select('name').where('name', '=', 'Late').execute()).toEqual([]);
    expect(textOf(await e.run(admin(), '/cohort create name:Late program:ds-to-mle start:2026-03-09 day:mon time:09:00 tz:Europe/Berlin', 'C-late'))).toContain(
      'the first opens Mon 9 Mar 2026, 09:00',
    );
  });

  it('lets only organizers create, add and pause; says so plainly', async () => {
    expect(textOf(await e.run(e.as('maria'), '/cohort create name:Y program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin', 'C-2'))).toMatch(/^Only organizers can create cohorts/);
    expect(textOf(await e.run(e.as('maria'), '/cohort pause'))).toMatch(/^Only organizers can pause a cohort/);
    expect(textOf(await e.run(e.as('maria'), '/cohort add @kim'))).toMatch(/^Only organizers can add learners/);
    expect((await t.db.selectFrom('cohorts').select('status').executeTakeFirstOrThrow()).status).toBe('active');
  });

  it('refuses a second cohort in one channel and a command in a channel without one', async () => {
    expect(textOf(await e.run(admin(), '/cohort create name:Other program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin'))).toContain('already runs the cohort **Spring 2026**');
    expect(textOf(await e.run(e.as('kim'), '/cohort join', 'C-random'))).toMatch(/^This channel has no cohort/);
  });

  it('keeps mentors and learners apart and lets a learner see only their own progress', async () => {
    expect(textOf(await e.run(e.as('maria'), '/cohort join'))).toBe("You're already in **Spring 2026**.");
    expect(textOf(await e.run(e.as('mentor.mo'), '/cohort join'))).toContain("You're a mentor of **Spring 2026**");
    expect(textOf(await e.run(e.as('maria'), '/progress @li'))).toMatch(/^You can see only your own progress/);
    expect(textOf(await e.run(e.as('maria'), '/cohort status'))).toMatch(/^Only mentors of Spring 2026/);
    expect(textOf(await e.run(e.as('mentor.mo'), '/progress @li'))).toContain('li');
  });
});

describe('rounds and check-ins', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('posts week 1 at the slot, once, with the milestone and the buttons', async () => {
    await e.tick();
    expect(e.port.posts()).toHaveLength(0);
    await e.at(FIRST_SLOT);
    await e.tick();
    await e.tick();
    const posts = e.port.posts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.target).toBe(CHANNEL);
    expect(posts[0]!.message.text).toContain('**Week 1 of 24 · ');
    expect(posts[0]!.message.text).toContain('0 of 3 checked in');
    expect(posts[0]!.message.buttons!.map((b) => b.label)).toEqual(['On track', 'Behind', 'Blocked', 'Done', 'Details…']);
    expect(await rows('rounds')).toBe(1);
  });

  it('records a check-in by button, by quick command and by form, and updates the live count', async () => {
    await e.at(FIRST_SLOT);
    const round = e.port.posts()[0]!.message;
    const onTrack = round.buttons!.find((b) => b.label === 'On track')!;
    const reply = await e.core.action(e.as('maria'), { channelId: CHANNEL }, onTrack.action, onTrack.value);
    expect(textOf(reply)).toMatch(/^Recorded: \*\*On track\*\* for week 1 \(/);
    expect(textOf(reply)).toContain('You can change it until week 2 opens.');

    const quick = await e.run(e.as('li'), '/checkin blocked stuck on docker networking');
    expect(textOf(quick)).toMatch(/^Recorded: \*\*Blocked\*\* for week 1/);
    const li = await t.db.selectFrom('checkins').innerJoin('members', 'members.id', 'checkins.member_id').select(['checkins.status', 'checkins.blocker', 'checkins.source']).where('members.user_id', '=', 'li').executeTakeFirstOrThrow();
    expect(li).toEqual({ status: 'blocked', blocker: 'stuck on docker networking', source: 'quick' });

    const form = await e.run(e.as('sam'), '/checkin');
    expect(form.kind).toBe('form');
    if (form.kind !== 'form') return;
    expect(form.form.fields.map((f) => f.id)).toEqual(['status', 'milestones', 'confidence', 'blocker', 'note', 'link']);
    const bad = await e.core.submitForm(e.as('sam'), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'great', confidence: '9' });
    expect(bad.kind).toBe('form-errors');
    if (bad.kind === 'form-errors') {
      expect(bad.errors.status).toBe('Status must be one of on-track, behind, blocked or done.');
      expect(bad.errors.confidence).toBe('Confidence must be a whole number from 1 to 5.');
    }
    expect(await rows('checkins')).toBe(2);
    const good = await e.core.submitForm(e.as('sam'), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'done', confidence: '4', milestones: ['production-code'], note: 'wrote tests' });
    expect(textOf(good)).toContain('Milestone done: **');

    await e.deliver();
    const updates = e.port.sent.filter((s) => s.kind === 'update');
    expect(updates.at(-1)!.message.text).toContain('3 of 3 checked in');
    expect(updates.at(-1)!.target).toBe(`${CHANNEL}/${e.port.posts()[0]!.messageId}`);
    expect(updates.every((u) => !/\b(maria|li|sam)\b/.test(u.message.text))).toBe(true);
  });

  it('a button click after the form changes only the status; what the form said stays', async () => {
    await e.at(FIRST_SLOT);
    const form = await e.run(e.as('maria'), '/checkin');
    if (form.kind !== 'form') throw new Error('expected the form');
    await e.core.submitForm(e.as('maria'), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'blocked', confidence: '2', blocker: 'CUDA drivers', note: 'long week' });
    const week1 = e.port.posts()[0]!.message.buttons!;
    const click = await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'checkin.status', week1.find((b) => b.label === 'Behind')!.value);
    expect(textOf(click)).toMatch(/^Updated: \*\*Behind\*\* for week 1/);
    const row = await t.db.selectFrom('checkins').select(['status', 'confidence', 'blocker', 'note', 'source']).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'behind', confidence: 2, blocker: 'CUDA drivers', note: 'long week', source: 'button' });
  });

  it('pre-fills the form with the current answer and keeps every version in history', async () => {
    await e.at(FIRST_SLOT);
    await e.run(e.as('maria'), '/checkin behind slow week');
    const form = await e.run(e.as('maria'), '/checkin');
    expect(form.kind === 'form' && form.form.fields[0]!.initial).toBe('behind');
    if (form.kind !== 'form') return;
    const edited = await e.core.submitForm(e.as('maria'), { channelId: CHANNEL }, 'checkin', form.form.state, { status: 'on-track', confidence: '3' });
    expect(textOf(edited)).toMatch(/^Updated: \*\*On track\*\*/);
    expect(await rows('checkins')).toBe(1);
    expect(await rows('checkin_history')).toBe(2);
  });

  it('sends one reminder 24 h after the post to learners without an answer, naming their milestone', async () => {
    await e.at(FIRST_SLOT);
    await e.run(e.as('maria'), '/checkin on-track');
    await e.at('2026-03-03T07:59:00Z');
    expect(e.port.sent.filter((s) => s.kind === 'dm')).toHaveLength(0);
    await e.at('2026-03-03T08:00:00Z');
    await e.at('2026-03-03T09:00:00Z');
    expect(e.port.dmsTo('maria')).toHaveLength(0);
    expect(e.port.dmsTo('li')).toHaveLength(1);
    expect(e.port.dmsTo('sam')).toHaveLength(1);
    expect(e.port.dmsTo('li')[0]!.message.text).toContain('Reminder: week 1 check-in for **Spring 2026** is still open.');
    expect(e.port.dmsTo('li')[0]!.message.buttons).toHaveLength(5);
  });

  it('reminds each learner of their own last answer, and says nothing of one they never gave', async () => {
    await e.at(FIRST_SLOT);
    await e.run(e.as('li'), '/checkin blocked cannot install CUDA');
    await e.run(e.as('sam'), '/checkin behind slow week');
    await e.at('2026-03-09T08:00:00Z');
    await e.at('2026-03-10T08:00:00Z');
    const reminder = (user: string) => e.port.dmsTo(user).at(-1)!.message.text;
    expect(reminder('li')).toContain('Reminder: week 2 check-in for **Spring 2026** is still open.');
    expect(reminder('li')).toContain('Last time (week 1) you said **Blocked**, blocked by “cannot install CUDA”.');
    expect(reminder('sam')).toContain('Last time (week 1) you said **Behind** — “slow week”.');
    expect(reminder('maria')).toContain('Reminder: week 2 check-in');
    expect(reminder('maria')).not.toContain('Last time');
  });

  it('lets an answer change until the next round opens, then keeps late first answers marked late', async () => {
    await e.at(FIRST_SLOT);
    const week1 = e.port.posts()[0]!.message.buttons!;
    await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'checkin.status', week1[0]!.value);
    await e.at('2026-03-09T08:00:00Z');
    expect(e.port.posts()).toHaveLength(2);
    const edit = await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'checkin.status', week1[1]!.value);
    expect(textOf(edit)).toBe('Week 1 closed when week 2 opened, so your answer (**On track**) stays as it was. Use `/checkin` for this week.');
    const late = await e.core.action(e.as('li'), { channelId: CHANNEL }, 'checkin.status', week1[2]!.value);
    expect(textOf(late)).toContain('marked late because the next round had already opened');
    const row = await t.db.selectFrom('checkins').innerJoin('members', 'members.id', 'checkins.member_id').select(['late']).where('user_id', '=', 'li').executeTakeFirstOrThrow();
    expect(row.late).toBe(true);
    expect(textOf(await e.run(e.as('li'), '/checkin on-track'))).toMatch(/for week 2/);
  });

  it('posts nothing while paused and resumes at the next slot without catching up', async () => {
    await e.at(FIRST_SLOT);
    expect(textOf(await e.run(admin(), '/cohort pause'))).toContain('is paused');
    await e.at('2026-03-09T08:00:00Z');
    await e.at('2026-03-16T08:00:00Z');
    expect(e.port.posts()).toHaveLength(1);
    await e.at('2026-03-18T10:00:00Z');
    expect(textOf(await e.run(admin(), '/cohort resume'))).toContain('Week 2 opens Mon 23 Mar 2026, 09:00 Europe/Berlin');
    await e.tick();
    expect(e.port.posts()).toHaveLength(1);
    await e.at('2026-03-23T08:00:00Z');
    expect(e.port.posts().map((p) => p.message.text.split('\n')[0])).toEqual([expect.stringContaining('Week 1 of 24'), expect.stringContaining('Week 2 of 24')]);
  });

  it('refuses to skip a round that already went out today', async () => {
    await e.at('2026-03-02T10:00:00Z');
    expect(textOf(await e.run(admin(), '/cohort skip 2026-03-02'))).toBe(
      "Week 1 of **Spring 2026** already went out on 2026-03-02, so it can't be skipped now. Learners who are off can use `/away`; `/cohort pause` stops the rounds after it.",
    );
    expect(await t.db.selectFrom('skipped_dates').selectAll().execute()).toEqual([]);
  });

  it('skips a holiday and refuses a date that is not a check-in day', async () => {
    expect(textOf(await e.run(admin(), '/cohort skip 2026-03-11'))).toBe('2026-03-11 is a Wednesday; **Spring 2026** checks in on Mondays, so there is no round to skip that day.');
    await e.at(FIRST_SLOT);
    expect(textOf(await e.run(admin(), '/cohort skip 2026-03-09'))).toBe(
      'No round on 2026-03-09 for **Spring 2026**: the weeks after it move a week later. Week 2 opens Mon 16 Mar 2026, 09:00 Europe/Berlin; the program ends Mon 24 Aug 2026, 09:00 Europe/Berlin (week 24 closes).',
    );
    expect(textOf(await e.run(admin(), '/cohort skip 2026-03-09'))).toBe('2026-03-09 is already skipped in **Spring 2026**. `/cohort unskip 2026-03-09` puts the round back.');
    expect(textOf(await e.run(admin(), '/cohort skip 2026-08-24'))).toBe('2026-08-24 is after the program\'s last check-in (week 24, 2026-08-17), so there is no round to skip.');
    await e.at('2026-03-09T08:00:00Z');
    expect(e.port.posts()).toHaveLength(1);
    await e.at('2026-03-16T08:00:00Z');
    expect(e.port.posts()).toHaveLength(2);
  });

  it('shows a past break as away in later digests, and an unanswered week as not answered yet while it is open', async () => {
    // Sam is away for weeks 1 to 3 (back on 20 Mar), then skips week 4; Maria skips week 2 only.
    await e.run(e.as('sam'), '/away 2026-03-20');
    for (const [slot, answering] of [
      ['2026-03-02T08:00:00Z', ['maria', 'li']],
      ['2026-03-09T08:00:00Z', ['li']],
      ['2026-03-16T08:00:00Z', ['maria', 'li']],
      ['2026-03-23T08:00:00Z', ['maria', 'li']],
    ] as const) {
      await e.at(slot);
      for (const user of answering) await e.run(e.as(user), '/checkin on-track');
    }
    await e.at('2026-03-29T08:00:00Z');
    const digest = e.port.dmsTo('mentor.mo').at(-1)!.message.text;
    expect(digest).toContain('**Weekly digest · Spring 2026 · week 4');
    expect(digest).toMatch(/\nmaria +✅ · +✅ ✅ /);
    expect(digest).toMatch(/\nsam +a +a +a +\? /);
    expect(digest).toContain('**Not checked in yet (1):** sam. Week 4 stays open until Mon 30 Mar 2026, 09:00 (Europe/Berlin)');
  });

  it('names the year of a return date, and what a replaced break was', async () => {
    expect(textOf(await e.run(e.as('sam'), '/away 2026-03-20'))).toContain('until Fri 20 Mar 2026;');
    expect(textOf(await e.run(e.as('sam'), '/away 2027-01-04'))).toContain('now ends Mon 4 Jan 2027 (it was Fri 20 Mar 2026).');
  });

  it('replaces a break, ends it with /away back, and says what is set with /away', async () => {
    expect(textOf(await e.run(e.as('sam'), '/away'))).toContain('**Spring 2026**: no break set.');
    await e.run(e.as('sam'), '/away 2031-01-01');
    await e.run(e.as('sam'), '/away 2026-03-10');
    expect(textOf(await e.run(e.as('sam'), '/away'))).toContain('away until Tue 10 Mar 2026 (back that day).');
    expect(await e.deps.db.selectFrom('away_periods').select(['starts_on', 'ends_on']).execute()).toEqual([{ starts_on: '2026-03-02', ends_on: '2026-03-10' }]);
    expect(textOf(await e.run(e.as('sam'), '/away back'))).toBe('Welcome back! Reminders and stall flags in **Spring 2026** run again from today.');
    // A break that started today never happened; nothing is left of it.
    expect(await e.deps.db.selectFrom('away_periods').selectAll().execute()).toEqual([]);
    expect(textOf(await e.run(e.as('sam'), '/away back'))).toContain("You're not away");
    expect(() => e.run(e.as('sam'), '/away someday')).toThrow('"someday" is not a date in YYYY-MM-DD form.');
  });

  it('tells a mentor who tries to check in what mentors use instead', async () => {
    for (const command of ['/checkin on-track', '/progress']) {
      expect(textOf(await e.run(e.as('mentor.mo'), command))).toBe(
        "You're a mentor of **Spring 2026**, and mentors don't check in. `/progress @learner` shows where a learner stands; `/stalled` lists the learners who are stuck.",
      );
    }
  });

  it('does not promise a week after the last one', async () => {
    for (let week = 0; week < 24; week++) await e.at(new Date(Date.parse(FIRST_SLOT) + week * 7 * 86_400_000).toISOString());
    expect(e.port.posts().at(-1)!.message.text).toMatch(/^\*\*Week 24 of 24/);
    const reply = textOf(await e.run(e.as('maria'), '/checkin done'));
    expect(reply).toContain('for week 24');
    expect(reply).toContain('This is the last week of the program; you can still change this answer with `/checkin`.');
    expect(reply).not.toContain('week 25');
  });

  it('sends no reminder to a learner who is away', async () => {
    expect(textOf(await e.run(e.as('sam'), '/away 2026-03-20'))).toContain('No reminders or stall flags in **Spring 2026** until');
    expect(textOf(await e.run(e.as('sam'), '/away 2026-02-01'))).toMatch(/is not in the future/);
    await e.at(FIRST_SLOT);
    await e.at('2026-03-03T08:00:00Z');
    expect(e.port.dmsTo('sam')).toHaveLength(0);
    expect(e.port.dmsTo('li')).toHaveLength(1);
  });
});

describe('exactly once', () => {
  beforeEach(async () => {
    await t.reset();
    await setUp();
  });

  it('two schedulers and two workers at the same minute send each message once', async () => {
    const second = createCore({ ...e.deps, db: await t.connectAgain(), clock: new Clock() });
    second.deps.clock.freeze(new Date(FIRST_SLOT));
    e.clock.freeze(new Date(FIRST_SLOT));
    const portB = new RecordingPort('local');
    await Promise.all([runTick(e.deps, e.clock.now()), runTick(second.deps, second.deps.clock.now())]);
    await Promise.all([
      deliverDue(e.deps.db, new Map([['local', e.port]]), e.clock.now(), { workerId: 'a' }),
      deliverDue(second.deps.db, new Map([['local', portB]]), e.clock.now(), { workerId: 'b' }),
    ]);
    const reminderTime = new Date('2026-03-03T08:00:00Z');
    e.clock.freeze(reminderTime);
    second.deps.clock.freeze(reminderTime);
    await Promise.all([runTick(e.deps, reminderTime), runTick(second.deps, reminderTime)]);
    await Promise.all([
      deliverDue(e.deps.db, new Map([['local', e.port]]), reminderTime, { workerId: 'a', batchSize: 1 }),
      deliverDue(second.deps.db, new Map([['local', portB]]), reminderTime, { workerId: 'b', batchSize: 1 }),
      deliverDue(e.deps.db, new Map([['local', e.port]]), reminderTime, { workerId: 'c' }),
      deliverDue(second.deps.db, new Map([['local', portB]]), reminderTime, { workerId: 'd' }),
    ]);
    const all = [...e.port.sent, ...portB.sent];
    expect(all.filter((s) => s.kind === 'post')).toHaveLength(1);
    expect(all.filter((s) => s.kind === 'dm').map((s) => s.target).sort()).toEqual(['li', 'maria', 'sam']);
    const keys = all.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a worker that dies between claim and send loses its claim; the row is sent once by another', async () => {
    e.clock.freeze(new Date(FIRST_SLOT));
    await runTick(e.deps, e.clock.now());
    const claimed = await claimDue(e.deps.db, ['local'], e.clock.now(), { workerId: 'dead', batchSize: 10, leaseMs: 60_000 });
    expect(claimed.map((r) => r.key)).toEqual([expect.stringMatching(/^round:\d+$/)]);
    // Within the lease nobody else takes it.
    expect((await deliverDue(e.deps.db, new Map([['local', e.port]]), new Date(Date.parse(FIRST_SLOT) + 30_000), { workerId: 'alive' })).sent).toBe(0);
    const later = new Date(Date.parse(FIRST_SLOT) + 61_000);
    expect((await deliverDue(e.deps.db, new Map([['local', e.port]]), later, { workerId: 'alive' })).sent).toBe(1);
    expect((await deliverDue(e.deps.db, new Map([['local', e.port]]), later, { workerId: 'alive' })).sent).toBe(0);
    expect(e.port.posts()).toHaveLength(1);
    const row = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'round').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 2, claimed_by: 'alive', platform_message_id: e.port.posts()[0]!.messageId });
  });

  it('asks a platform that can look for a re-post before posting a round again', async () => {
    e.clock.freeze(new Date(FIRST_SLOT));
    await runTick(e.deps, e.clock.now());
    await claimDue(e.deps.db, ['local'], e.clock.now(), { workerId: 'dead', batchSize: 10, leaseMs: 1 });
    const looked: string[] = [];
    const port = Object.assign(new RecordingPort('local'), {
      async findSent(_kind: 'channel' | 'user', _channel: string, key: string) {
        looked.push(key);
        return { messageId: 'already-there' };
      },
    });
    await deliverDue(e.deps.db, new Map([['local', port]]), new Date(Date.parse(FIRST_SLOT) + 1000), { workerId: 'alive' });
    expect(looked).toEqual([expect.stringMatching(/^round:\d+$/)]);
    expect(port.posts()).toHaveLength(0);
    const round = await t.db.selectFrom('rounds').select('message_id').executeTakeFirstOrThrow();
    expect(round.message_id).toBe('already-there');
  });

  it('counts every one of many simultaneous check-ins on the round post', async () => {
    const learners = Array.from({ length: 30 }, (_, i) => `learner${i}`);
    for (const who of learners) await e.run(e.as(who), '/cohort join');
    await e.at(FIRST_SLOT);
    const onTrack = e.port.posts()[0]!.message.buttons![0]!;
    await Promise.all(learners.map((who) => e.core.action(e.as(who), { channelId: CHANNEL }, onTrack.action, onTrack.value)));
    await e.deliver();
    const updates = e.port.sent.filter((s) => s.kind === 'update');
    expect(updates.at(-1)!.message.text).toContain('30 of 33 checked in');
  });

  it('edits a round post at most once per gap in a burst of answers, and the last edit shows them all', async () => {
    const learners = Array.from({ length: 12 }, (_, i) => `learner${i}`);
    for (const who of learners) await e.run(e.as(who), '/cohort join');
    await e.at(FIRST_SLOT);
    const ports = new Map([['local' as const, e.port]]);
    const start = e.clock.now().getTime();
    const deliverAt = (ms: number) => deliverDue(e.deps.db, ports, new Date(start + ms), { workerId: 'w', editGapMs: 2000 });
    const onTrack = e.port.posts()[0]!.message.buttons![0]!;
    const click = (who: string) => e.core.action(e.as(who), { channelId: CHANNEL }, onTrack.action, onTrack.value);
    const edits = () => e.port.sent.filter((s) => s.kind === 'update').map((s) => /\d+ of \d+ checked in/.exec(s.message.text)![0]);

    await click('learner0');
    await deliverAt(0);
    expect(edits()).toEqual(['1 of 15 checked in']);
    // Within the gap: each answer is recorded, the post waits and then shows all of them in one edit.
    for (const [i, who] of learners.slice(1).entries()) {
      await click(who);
      await deliverAt(100 * (i + 1));
    }
    expect(edits()).toEqual(['1 of 15 checked in']);
    await deliverAt(2100);
    expect(edits()).toEqual(['1 of 15 checked in', '12 of 15 checked in']);
    // One more answer after that edit waits for its own gap, measured from that edit.
    await click('maria');
    await deliverAt(3000);
    expect(edits()).toHaveLength(2);
    await deliverAt(4200);
    expect(edits().at(-1)).toBe('13 of 15 checked in');
  });

  it('retries after a rate limit and after a failure, with nothing lost or doubled', async () => {
    e.clock.freeze(new Date(FIRST_SLOT));
    await runTick(e.deps, e.clock.now());
    e.port.rateLimitNext = 1;
    expect(await deliverDue(e.deps.db, new Map([['local', e.port]]), e.clock.now(), { workerId: 'w' })).toEqual({ sent: 0, retried: 1, dead: 0 });
    e.port.failNext = 1;
    // Retry-After counts from the answer, a moment after the pass began.
    expect(await deliverDue(e.deps.db, new Map([['local', e.port]]), new Date(Date.parse(FIRST_SLOT) + 1500), { workerId: 'w' })).toEqual({ sent: 0, retried: 1, dead: 0 });
    expect(await deliverDue(e.deps.db, new Map([['local', e.port]]), new Date(Date.parse(FIRST_SLOT) + 2000), { workerId: 'w' })).toEqual({ sent: 0, retried: 0, dead: 0 });
    expect(await deliverDue(e.deps.db, new Map([['local', e.port]]), new Date(Date.parse(FIRST_SLOT) + 7000), { workerId: 'w' })).toEqual({ sent: 1, retried: 0, dead: 0 });
    expect(e.port.posts()).toHaveLength(1);
  });
});
