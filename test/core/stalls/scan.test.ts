import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { Db } from '../../../src/db/connect.js';
import { scanStalls } from '../../../src/core/stalls/scan.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { RecordingPort } from '../../helpers/recording-port.js';
import { useTestDb } from '../../helpers/db.js';
import { addMember, addRound, answer, at, complete, content, flags, HOUR, makeCohort, outbox, type CohortFixture } from './fixtures.js';

const t = useTestDb();
const admins: AdminId[] = [
  { platform: 'slack', userId: 'U-org1' },
  { platform: 'slack', userId: 'U-org2' },
  { platform: 'discord', userId: '900' },
];
/** A scan, then what it queued delivered at once (an alert's 48 h count from its delivery). */
const scan = async (now: Date, db: Db = t.db, organizers: AdminId[] = admins) => {
  const result = await scanStalls(db, content, now, { admins: organizers });
  const platforms = new Map([
    ['slack' as const, new RecordingPort('slack')],
    ['discord' as const, new RecordingPort('discord')],
  ]);
  await deliverDue(db, platforms, now, { workerId: 'test' });
  return result;
};
// Week 5 is open: weeks 3 and 4 have closed.
const now = at(5, 30);

const MARIA_ALERT = [
  '**Maria** in **spring** may be stalling:',
  '• missed the last 2 check-ins (weeks 3 and 4)',
  '• behind schedule by 2 milestones: Package the model (due week 2) and Serve predictions (due week 3) not done yet',
  '',
  '**Recent check-ins**',
  '• Week 2 · blocked · confidence 2/5 · blocker: “Docker build fails on M1”',
  '• Week 1 · on track · confidence 4/5',
].join('\n');

/** spring, weeks 1-5 posted: Maria stopped answering after a blocked week 2, Ben is fine. */
async function spring(options: { mentors?: string[] } = {}) {
  const cohort = await makeCohort(t.db, { weeks: 5 });
  const mentors: number[] = [];
  for (const name of options.mentors ?? ['Ana']) mentors.push(await addMember(t.db, cohort.id, name, 'mentor'));
  const maria = await addMember(t.db, cohort.id, 'Maria');
  const ben = await addMember(t.db, cohort.id, 'Ben');
  await answer(t.db, cohort, maria, 1, 'on-track', 4);
  await answer(t.db, cohort, maria, 2, 'blocked', 2, { blocker: 'Docker build fails on M1' });
  for (const week of [1, 2, 3, 4]) await answer(t.db, cohort, ben, week, 'on-track', 4);
  await complete(t.db, ben, 'package');
  await complete(t.db, ben, 'serve');
  return { cohort, mentors, maria, ben };
}

/** A learner who missed every round of `cohort`. */
async function silent(cohort: CohortFixture, name: string) {
  return addMember(t.db, cohort.id, name);
}

describe('scanStalls: new flags', () => {
  beforeEach(() => t.reset());

  it('flags a stalling learner once and DMs the mentor every reason, the recent history and the buttons', async () => {
    const { mentors, maria } = await spring();
    expect(await scan(now)).toEqual({ opened: 1, updated: 0, resolved: 0, resent: 0, escalated: 0 });

    const [flag] = await flags(t.db);
    expect(flag).toMatchObject({ member_id: maria, status: 'open', mentor_member_id: mentors[0], resent_at: null });
    expect(flag!.reasons.map((r) => r.code)).toEqual(['missed-rounds', 'behind-schedule']);

    const sent = await outbox(t.db);
    expect(sent).toEqual([
      {
        key: `alert:${flag!.id}`,
        kind: 'alert',
        platform: 'slack',
        targetKind: 'user',
        to: 'U-ana',
        message: {
          text: MARIA_ALERT,
          buttons: [
            { action: 'flag.ack', label: 'Acknowledge', value: String(flag!.id), style: 'primary' },
            { action: 'flag.resolve', label: 'Resolve', value: String(flag!.id) },
          ],
        },
      },
    ]);
  });

  it('never flags or alerts twice for the same learner', async () => {
    await spring();
    await scan(now);
    expect(await scan(now)).toEqual({ opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 });
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ opened: 0 });
    expect(await flags(t.db)).toHaveLength(1);
    expect(await outbox(t.db)).toHaveLength(1);
  });

  it('two replicas scanning at the same moment produce one flag and one alert per learner', async () => {
    const { cohort } = await spring({ mentors: ['Ana', 'Bob'] });
    for (const name of ['Chen', 'Dee', 'Eli', 'Fay']) await silent(cohort, name);
    const other = await t.connectAgain();
    const [a, b] = await Promise.all([scan(now), scan(now, other)]);
    expect(a.opened + b.opened).toBe(5);

    const all = await flags(t.db);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((f) => f.member_id)).size).toBe(5);
    const sent = await outbox(t.db);
    expect(sent.map((s) => s.key).sort()).toEqual(all.map((f) => `alert:${f.id}`).sort());
  });

  it('spreads new flags over the least-loaded mentors, ties going to the first mentor', async () => {
    const { cohort, mentors } = await spring({ mentors: ['Ana', 'Bob'] });
    // Ana already carries a flag on Zoe.
    const zoe = await silent(cohort, 'Zoe');
    await t.db
      .insertInto('stall_flags')
      .values({ member_id: zoe, cohort_id: cohort.id, reasons: JSON.stringify([{ code: 'missed-rounds', text: 'x' }]), mentor_member_id: mentors[0]!, opened_at: now })
      .execute();
    const chen = await silent(cohort, 'Chen');
    const dee = await silent(cohort, 'Dee');
    await scan(now);

    const byMember = new Map((await flags(t.db)).map((f) => [f.member_id, f.mentor_member_id]));
    const [ana, bob] = mentors;
    // Members are taken in id order: Maria (Bob has 0), Chen (1 each: Ana), Dee (Ana 2, Bob 1: Bob).
    expect(byMember.get((await t.db.selectFrom('members').select('id').where('display_name', '=', 'Maria').executeTakeFirstOrThrow()).id)).toBe(bob);
    expect(byMember.get(chen)).toBe(ana);
    expect(byMember.get(dee)).toBe(bob);
    const alerts = (await outbox(t.db)).filter((s) => s.kind === 'alert');
    expect(alerts.filter((s) => s.to === 'U-bob')).toHaveLength(2);
    expect(alerts.filter((s) => s.to === 'U-ana')).toHaveLength(1);
  });

  it('sends the alert to the organizers of the platform and the cohort’s creator when the cohort has no mentor', async () => {
    await spring({ mentors: [] });
    await scan(now);
    const [flag] = await flags(t.db);
    expect(flag!.mentor_member_id).toBeNull();
    const sent = await outbox(t.db);
    expect(sent.map((s) => [s.key, s.to])).toEqual([
      [`alert:${flag!.id}:to:U-org1`, 'U-org1'],
      [`alert:${flag!.id}:to:U-org2`, 'U-org2'],
      [`alert:${flag!.id}:to:U-admin`, 'U-admin'],
    ]);
    expect(sent[0]!.message.text).toBe(`${MARIA_ALERT}\n\n_This cohort has no mentor, so the alert goes to the organizers._`);
  });

  it('with no ADMIN_USER_IDS, still tells the organizer who created the cohort, once', async () => {
    await spring({ mentors: [] });
    await scanStalls(t.db, content, now);
    const [flag] = await flags(t.db);
    expect((await outbox(t.db)).map((s) => [s.key, s.to])).toEqual([[`alert:${flag!.id}:to:U-admin`, 'U-admin']]);

    await t.db.deleteFrom('outbox').execute();
    await t.db.deleteFrom('stall_flags').execute();
    await addMember(t.db, (await t.db.selectFrom('cohorts').select('id').executeTakeFirstOrThrow()).id, 'Ana', 'mentor');
    await scan(now, t.db, []);
    await scan(new Date(now.getTime() + 48 * HOUR), t.db, []);
    await scan(new Date(now.getTime() + 96 * HOUR), t.db, []);
    const [again] = await flags(t.db);
    expect((await outbox(t.db)).map((s) => s.key)).toEqual([`alert:${again!.id}`, `alert:${again!.id}:resend`, `alert:${again!.id}:escalate:U-admin`]);
  });

  it('counts a round as missed only once it has closed: the next round opened', async () => {
    const { cohort, maria } = await spring();
    await t.db.deleteFrom('checkins').where('member_id', '=', maria).execute();
    for (const week of [1, 2, 3]) await answer(t.db, cohort, maria, week, 'on-track', 4);
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');
    // Week 4 closed unanswered; week 5 is open, however long: one miss, below the threshold.
    expect(await scan(at(5, 150))).toMatchObject({ opened: 0 });
    await addRound(t.db, cohort, 6);
    expect(await scan(at(6, 1))).toMatchObject({ opened: 1 });
    expect((await flags(t.db))[0]!.reasons.map(({ code, text }) => ({ code, text }))).toEqual([{ code: 'missed-rounds', text: 'missed the last 2 check-ins (weeks 4 and 5)' }]);
  });

  it('a late answer to a closed round clears "missed" at once and the flag resolves', async () => {
    const { cohort, maria } = await spring();
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');
    expect(await scan(now)).toMatchObject({ opened: 1 });
    await answer(t.db, cohort, maria, 4, 'on-track', 4, { late: true });
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ resolved: 1 });
  });
});

describe('scanStalls: who is left alone', () => {
  beforeEach(() => t.reset());

  it('does not flag a learner who is away, and once back does not hold the weeks away against them', async () => {
    const { cohort, maria } = await spring();
    await t.db.updateTable('members').set({ away_until: '2026-04-10' }).where('id', '=', maria).execute();
    await t.db.insertInto('away_periods').values({ member_id: maria, starts_on: '2026-03-20', ends_on: '2026-04-10', created_at: at(3) }).execute();
    expect(await scan(now)).toMatchObject({ opened: 0 });
    // Back on 10 April: behind schedule applies; weeks 4 to 6, overlapped by the break, are excused.
    await addRound(t.db, cohort, 6);
    await addRound(t.db, cohort, 7);
    await scan(at(7, 1));
    expect((await flags(t.db)).find((f) => f.member_id === maria)!.reasons.map((r) => r.code)).toEqual(['behind-schedule']);
  });

  it('keeps the open flag of an away learner up to date, and resolves it when nothing applies', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await t.db.updateTable('members').set({ away_until: '2026-05-01' }).where('id', '=', maria).execute();
    await t.db.insertInto('away_periods').values({ member_id: maria, starts_on: '2026-04-01', ends_on: '2026-05-01', created_at: now }).execute();
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ updated: 1 });
    expect((await flags(t.db))[0]!.reasons.map((r) => r.code)).toEqual(['missed-rounds']);
    await answer(t.db, cohort, maria, 4, 'on-track', 4, { late: true });
    expect(await scan(new Date(now.getTime() + 2 * HOUR))).toMatchObject({ resolved: 1 });
  });

  it('skips paused and finished cohorts entirely: no new flag, no auto-resolve, no re-send', async () => {
    const { cohort, maria, mentors } = await spring();
    const finished = await makeCohort(t.db, { name: 'winter', weeks: 4, status: 'finished' });
    await addMember(t.db, finished.id, 'Wim', 'mentor');
    await silent(finished, 'Walt');
    await t.db.updateTable('cohorts').set({ status: 'paused' }).where('id', '=', cohort.id).execute();
    // An old open flag on Ben, who is fine now, in the paused cohort.
    const ben = (await t.db.selectFrom('members').select('id').where('display_name', '=', 'Ben').executeTakeFirstOrThrow()).id;
    await t.db
      .insertInto('stall_flags')
      .values({ member_id: ben, cohort_id: cohort.id, reasons: JSON.stringify([{ code: 'missed-rounds', text: 'x' }]), mentor_member_id: mentors[0]!, opened_at: at(1) })
      .execute();
    expect(await scan(now)).toEqual({ opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 });
    expect((await flags(t.db)).map((f) => [f.member_id, f.status])).toEqual([[ben, 'open']]);
    expect(await outbox(t.db)).toEqual([]);

    await t.db.updateTable('cohorts').set({ status: 'active' }).where('id', '=', cohort.id).execute();
    const result = await scan(now);
    expect(result).toMatchObject({ opened: 1, resolved: 1 });
    expect((await flags(t.db)).find((f) => f.member_id === maria)).toBeDefined();
  });

  it('leaves a cohort alone whose program is no longer in the content', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await t.db.updateTable('cohorts').set({ program_id: 'retired' }).where('id', '=', cohort.id).execute();
    expect(await scan(new Date(now.getTime() + 100 * HOUR))).toEqual({ opened: 0, updated: 0, resolved: 0, resent: 0, escalated: 0 });
    expect((await flags(t.db)).map((f) => [f.member_id, f.status])).toEqual([[maria, 'open']]);
  });

  it('does not flag removed learners and closes their open flag without a message', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await t.db.updateTable('members').set({ removed_at: now }).where('id', '=', maria).execute();
    const chen = await silent(cohort, 'Chen');
    await t.db.updateTable('members').set({ removed_at: now }).where('id', '=', chen).execute();

    expect(await scan(new Date(now.getTime() + HOUR))).toEqual({ opened: 0, updated: 0, resolved: 1, resent: 0, escalated: 0 });
    expect((await flags(t.db)).map((f) => [f.member_id, f.status, f.resolution])).toEqual([[maria, 'resolved', 'removed']]);
    expect(await outbox(t.db)).toHaveLength(1);
  });

  it('does not raise again a flag a mentor resolved until a fact newer than the resolution', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await t.db.updateTable('stall_flags').set({ status: 'resolved', resolution: 'mentor', resolved_at: now, resolved_by: 'Ana' }).execute();
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ opened: 0 });
    expect(await scan(at(5, 150))).toMatchObject({ opened: 0 });
    // Week 5 closes unanswered when week 6 opens: a new fact.
    await addRound(t.db, cohort, 6);
    expect(await scan(at(6, 1))).toMatchObject({ opened: 1 });
    const open = (await flags(t.db)).filter((f) => f.status === 'open');
    expect(open.map((f) => f.member_id)).toEqual([maria]);
  });
});

describe('scanStalls: open flags over time', () => {
  beforeEach(() => t.reset());

  it('updates the reasons of an open flag without a second alert', async () => {
    const { cohort } = await spring();
    await scan(now);
    await addRound(t.db, cohort, 6);
    // A week later: the reasons move on; the alert is edited once and re-sent (48 h unacknowledged), not raised anew.
    expect(await scan(at(6, 25))).toMatchObject({ opened: 0, updated: 1, resent: 1 });
    const [flag] = await flags(t.db);
    expect(flag!.reasons[0]).toMatchObject({ code: 'missed-rounds', text: 'missed the last 2 check-ins (weeks 4 and 5)' });
    const sent = await outbox(t.db);
    expect(sent.map((s) => s.key)).toEqual([`alert:${flag!.id}`, `alert-update:alert:${flag!.id}:open:v1`, `alert:${flag!.id}:resend`]);
    expect(sent[1]!.message.text).toContain('• missed the last 2 check-ins (weeks 4 and 5)');
    expect(sent[2]!.message.text).toContain('• missed the last 2 check-ins (weeks 4 and 5)');
    expect(await scan(at(6, 26))).toMatchObject({ updated: 0 });
  });

  it('a reason added to an open flag edits the alert and sends the mentor one short DM', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await answer(t.db, cohort, maria, 4, 'blocked', 3, { blocker: 'GPU quota', late: true });
    await answer(t.db, cohort, maria, 5, 'blocked', 2, { blocker: 'GPU quota' });
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ updated: 1 });
    expect(await scan(new Date(now.getTime() + 2 * HOUR))).toMatchObject({ updated: 0 });
    const [flag] = await flags(t.db);
    const sent = (await outbox(t.db)).slice(1);
    expect(sent.map((s) => [s.key, s.to])).toEqual([
      [`alert-update:alert:${flag!.id}:open:v1`, `sent:alert:${flag!.id}`],
      [`flag-reason:${flag!.id}:v1`, 'U-ana'],
    ]);
    expect(sent[1]!.message.text).toBe(
      '⚠️ **Maria** in **spring**: their open stall flag now also says answered “blocked” in 2 of the last 3 check-ins (weeks 4 and 5). The alert above is updated.',
    );
  });

  it('resolves a flag by itself when the learner is back on track, and tells the mentor', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await answer(t.db, cohort, maria, 3, 'behind', 3, { late: true });
    await answer(t.db, cohort, maria, 4, 'on-track', 4, { late: true });
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');

    expect(await scan(new Date(now.getTime() + 2 * HOUR))).toMatchObject({ resolved: 1 });
    const [flag] = await flags(t.db);
    expect(flag).toMatchObject({ status: 'resolved', resolution: 'auto', resolved_by: null });
    const sent = await outbox(t.db);
    expect(sent[1]).toMatchObject({
      key: `flag-resolved:${flag!.id}`,
      to: 'U-ana',
      message: { text: '✅ **Maria** in **spring**: no stall reason applies any more, so their flag resolved itself. Nothing to do.' },
    });
    expect(await scan(new Date(now.getTime() + 3 * HOUR))).toMatchObject({ resolved: 0, opened: 0 });
  });

  it('resolves once no reason is left, even while the latest answer is behind', async () => {
    const { cohort, maria } = await spring();
    await scan(now);
    await answer(t.db, cohort, maria, 3, 'on-track', 3);
    await answer(t.db, cohort, maria, 4, 'behind', 3);
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');
    expect(await scan(new Date(now.getTime() + HOUR))).toMatchObject({ resolved: 1, updated: 0 });
    expect((await flags(t.db))[0]!.status).toBe('resolved');
  });

  it('re-sends an unacknowledged alert once after 48 hours, then escalates it to the organizers 48 hours later', async () => {
    await spring();
    await scan(now);
    const [flag] = await flags(t.db);

    expect(await scan(new Date(now.getTime() + 47 * HOUR))).toMatchObject({ resent: 0 });
    expect(await scan(new Date(now.getTime() + 48 * HOUR))).toMatchObject({ resent: 1, escalated: 0 });
    expect(await scan(new Date(now.getTime() + 60 * HOUR))).toMatchObject({ resent: 0, escalated: 0 });
    let sent = await outbox(t.db);
    expect(sent.map((s) => [s.key, s.to])).toEqual([
      [`alert:${flag!.id}`, 'U-ana'],
      [`alert:${flag!.id}:resend`, 'U-ana'],
    ]);
    expect(sent[1]!.message.text).toBe(`**Reminder:** nobody has acknowledged this stall alert since Tue 31 Mar 2026, 16:00 (Europe/Berlin).\n${MARIA_ALERT}`);
    expect(sent[1]!.message.buttons?.map((b) => b.label)).toEqual(['Acknowledge', 'Resolve']);

    expect(await scan(new Date(now.getTime() + 95 * HOUR))).toMatchObject({ escalated: 0 });
    expect(await scan(new Date(now.getTime() + 96 * HOUR))).toMatchObject({ escalated: 1 });
    expect(await scan(new Date(now.getTime() + 120 * HOUR))).toMatchObject({ escalated: 0, resent: 0 });
    sent = await outbox(t.db);
    // Only the organizers of the cohort's platform (Slack), each once.
    expect(sent.slice(2).map((s) => [s.key, s.to])).toEqual([
      [`alert:${flag!.id}:escalate:U-org1`, 'U-org1'],
      [`alert:${flag!.id}:escalate:U-org2`, 'U-org2'],
      [`alert:${flag!.id}:escalate:U-admin`, 'U-admin'],
    ]);
    expect(sent[2]!.message.text).toBe(
      `**Escalated to the organizers:** Ana, the assigned mentor, has not acknowledged this stall alert since Tue 31 Mar 2026, 16:00 (Europe/Berlin).\n${MARIA_ALERT}`,
    );
    expect(sent[2]!.message.buttons?.map((b) => b.action)).toEqual(['flag.ack', 'flag.resolve']);
    const [after] = await flags(t.db);
    expect(after!.resent_at).toEqual(new Date(now.getTime() + 48 * HOUR));
    expect(after!.escalated_at).toEqual(new Date(now.getTime() + 96 * HOUR));
  });

  it('never re-sends an acknowledged alert', async () => {
    await spring();
    await scan(now);
    await t.db.updateTable('stall_flags').set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: 'Ana' }).execute();
    expect(await scan(new Date(now.getTime() + 100 * HOUR))).toMatchObject({ resent: 0, escalated: 0 });
    expect(await outbox(t.db)).toHaveLength(1);
  });

  it('two replicas re-sending and escalating at once still send each message once', async () => {
    await spring();
    await scan(now);
    const other = await t.connectAgain();
    const resend = await Promise.all([scan(new Date(now.getTime() + 50 * HOUR)), scan(new Date(now.getTime() + 50 * HOUR), other)]);
    expect(resend[0].resent + resend[1].resent).toBe(1);
    const escalate = await Promise.all([scan(new Date(now.getTime() + 100 * HOUR)), scan(new Date(now.getTime() + 100 * HOUR), other)]);
    expect(escalate[0].escalated + escalate[1].escalated).toBe(1);
    expect((await outbox(t.db)).map((s) => s.key.replace(/\d+/, 'N'))).toEqual([
      'alert:N',
      'alert:N:resend',
      'alert:N:escalate:U-org1',
      'alert:N:escalate:U-org2',
      'alert:N:escalate:U-admin',
    ]);
  });

  it('re-sends to a current mentor when the assigned one has left', async () => {
    const { cohort, mentors } = await spring();
    await scan(now);
    await t.db.updateTable('members').set({ removed_at: now }).where('id', '=', mentors[0]!).execute();
    const bob = await addMember(t.db, cohort.id, 'Bob', 'mentor');
    await scan(new Date(now.getTime() + 48 * HOUR));
    const sent = await outbox(t.db);
    expect(sent[1]).toMatchObject({ to: 'U-bob' });
    expect((await flags(t.db))[0]!.mentor_member_id).toBe(bob);
  });
});
