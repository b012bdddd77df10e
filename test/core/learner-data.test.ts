import { beforeEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/chat.js';
import { exportCheckins } from '../../src/core/export.js';
import { learnerDataFiles } from '../../src/core/learner-data.js';
import { listAudit } from '../../src/core/audit.js';
import { testEngine, textOf, CHANNEL, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

let e: TestEngine;
const admin = () => e.as('olga', { admin: true });
const buttonsOf = (r: Reply) => (r.kind === 'message' ? (r.message.buttons ?? []) : []);

/** maria: two answers (the first edited), a break, an FAQ question and a flag; li and sam answer or not. */
async function history(): Promise<void> {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  await e.run(admin(), '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  for (const who of ['maria', 'li', 'sam']) await e.run(e.as(who), '/cohort join');
  await e.run(admin(), '/cohort mentor @dana');
  await e.at(slot(1));
  await e.run(e.as('maria'), '/checkin behind docker networking eats my evenings');
  await e.run(e.as('maria'), '/checkin blocked docker networking, day three');
  await e.run(e.as('li'), '/checkin on-track li private note');
  await e.run(e.as('maria'), '/faq how long does the move to ML engineering take?');
  await e.at(slot(2));
  await e.run(e.as('maria'), '/checkin blocked compose will not start');
  await e.run(e.as('li'), '/checkin done');
  await e.at(slot(2, 1));
  await e.run(e.as('maria'), '/away 2027-03-25');
}

describe('/mydata', () => {
  beforeEach(async () => {
    await t.reset();
    await history();
  });

  it('shows a learner what is kept about them, and nobody else’s', async () => {
    const reply = await e.run(e.as('maria'), '/mydata');
    expect(reply.kind === 'message' && reply.message.private).toBe(true);
    const text = textOf(reply);
    expect(text).toContain('Spring 2027: learner since');
    expect(text).toContain('Spring 2027, week 1: blocked · blocker “docker networking, day three” · note “docker networking eats my evenings” · edited 1×');
    expect(text).toContain('Spring 2027, week 2: blocked · blocker “compose will not start”');
    expect(text).toMatch(/Breaks\*\* \(1\)\n• Spring 2027: from .* back Thu 25 Mar 2027/);
    expect(text).toMatch(/Stall flags about you\*\* \(1\)\n• Spring 2027: raised .*, open: .*blocked/);
    expect(text).toContain('“how long does the move to ML engineering take?”');
    expect(text).not.toContain('li private note');
    expect(buttonsOf(reply).map((b) => [b.action, b.label])).toEqual([
      ['mydata.download', 'Download'],
      ['mydata.delete', 'Delete my data…'],
    ]);
    expect(textOf(await e.run(e.as('sam'), '/mydata'))).not.toContain('maria');
    expect(textOf(await e.run(e.as('sam'), '/mydata'))).not.toContain('docker');
    expect(textOf(await e.run(e.as('stranger'), '/mydata'))).toBe("I keep nothing about you: you're in no cohort and have asked no FAQ question.");
  });

  it('Download queues one DM with the files per click, and the files hold every edit', async () => {
    const place = { channelId: CHANNEL, messageId: 'view-1' };
    expect(textOf(await e.core.action(e.as('maria'), place, 'mydata.download', 'maria'))).toContain('On its way');
    expect(textOf(await e.core.action(e.as('maria'), place, 'mydata.download', 'maria'))).toBe('Already on its way: check your DMs.');
    expect(textOf(await e.core.action(e.as('li'), place, 'mydata.download', 'maria'))).toContain("belongs to someone else's");
    await e.deliver();
    const dms = e.port.dmsTo('maria').filter((d) => d.key?.startsWith('mydata:'));
    expect(dms).toHaveLength(1);
    // The two files travel with the DM through the outbox, as built at the click.
    expect(dms[0]!.files.map((f) => [f.name, f.contentType])).toEqual([
      ['mentorbot-local-maria-2027-03-08.json', 'application/json'],
      ['mentorbot-local-maria-2027-03-08-checkins.csv', 'text/csv'],
    ]);
    expect(JSON.parse(Buffer.from(dms[0]!.files[0]!.bytes).toString()).user).toBe('local:maria');

    const [json, csv] = await learnerDataFiles(e.deps.db, { platform: 'local', userId: 'maria' }, new Date(slot(2, 2)));
    expect(json!.name).toBe('mentorbot-local-maria-2027-03-08.json');
    expect(csv!.contentType).toBe('text/csv');
    const data = JSON.parse(json!.data.toString());
    expect(data.user).toBe('local:maria');
    expect(data.checkins.map((c: { week: number; versions: unknown[] }) => [c.week, c.versions.length])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(data.checkins[0].versions.map((v: { status: string; note: string | null; blocker: string | null }) => [v.status, v.note, v.blocker])).toEqual([
      ['behind', 'docker networking eats my evenings', null],
      ['blocked', 'docker networking eats my evenings', 'docker networking, day three'],
    ]);
    expect(data.breaks).toEqual([{ cohort: 'Spring 2027', from: '2027-03-08', back_on: '2027-03-25' }]);
    expect(data.flags[0].reasons[0]).toMatch(/blocked/i);
    expect(data.faq_questions.map((q: { via: string }) => q.via)).toEqual(['checkin', 'command', 'checkin']);
    expect(JSON.stringify(data)).not.toContain('li private note');
    const lines = csv!.data.toString().trim().split('\n');
    expect(lines[0]).toBe('cohort,week,milestone,version,recorded_at,status,confidence,blocker,note,milestones,late,source');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',1,');
    expect(lines[1]).toContain('docker networking eats my evenings');
  });
});

describe('/mydata delete', () => {
  beforeEach(async () => {
    await t.reset();
    await history();
  });

  it('asks first, erases on the confirmation only, says what went, and is idempotent', async () => {
    expect(textOf(await e.run(e.as('maria'), '/evidence https://github.com/maria/churn-model'))).toContain('Checking');
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toContain('https://github.com/maria/churn-model');
    await e.core.action(e.as('maria'), { channelId: CHANNEL, messageId: 'view-1' }, 'mydata.download', 'maria');
    await e.deliver();
    expect(await e.deps.db.selectFrom('outbox_files').select('name').where('outbox_key', 'like', 'mydata:%').execute()).toHaveLength(2);
    const ask = await e.run(e.as('maria'), '/mydata delete');
    expect(textOf(ask)).toContain('This erases your 2 check-ins (notes, blockers, confidence and every edit), 1 break, 1 evidence link and 3 FAQ questions, and closes the stall flags about you.');
    expect(textOf(ask)).toContain('Nobody, organizers included, can undo this.');
    const confirm = buttonsOf(ask).find((b) => b.label === 'Yes, delete my data')!;
    expect(confirm).toMatchObject({ action: 'mydata.delete', value: 'maria', style: 'danger' });
    // Asking changed nothing.
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toContain('docker networking');
    // Someone else's button does nothing for them.
    expect(textOf(await e.core.action(e.as('li'), { channelId: CHANNEL }, 'mydata.delete', 'maria'))).toContain("belongs to someone else's");
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toContain('docker networking');

    const done = await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'mydata.delete', confirm.value);
    expect(textOf(done)).toBe(
      'Deleted: 2 check-ins (3 versions, 1 note, 2 blockers), 1 break, 1 evidence link, 3 FAQ questions, 1 open flag closed.\n' +
        'You have left **Spring 2027**; its figures keep only anonymous counts.',
    );
    expect(textOf(await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'mydata.delete', confirm.value))).toBe('Your data is already deleted: I keep nothing about you.');
    expect(textOf(await e.run(e.as('maria'), '/mydata'))).toBe("I keep nothing about you: you're in no cohort and have asked no FAQ question.");

    const db = e.deps.db;
    expect(await db.selectFrom('members').select('id').where('user_id', '=', 'maria').execute()).toEqual([]);
    expect(await db.selectFrom('evidence_links').select('url').execute()).toEqual([]);
    expect(await db.selectFrom('outbox_files').select('outbox_key').where('outbox_key', 'like', 'mydata:%').execute()).toEqual([]);
    expect(await db.selectFrom('faq_questions').select('id').where('user_id', '=', 'maria').execute()).toEqual([]);
    const erased = await db.selectFrom('members').selectAll().where('erased_at', 'is not', null).execute();
    expect(erased.map((m) => m.display_name)).toEqual(['former learner']);
    expect(await db.selectFrom('away_periods').select('id').where('member_id', '=', erased[0]!.id).execute()).toEqual([]);
    const flags = await db.selectFrom('stall_flags').selectAll().where('member_id', '=', erased[0]!.id).execute();
    expect(flags.map((f) => [f.status, f.resolution, f.reasons])).toEqual([['resolved', 'removed', []]]);
    // Nothing of what maria wrote is left anywhere in the check-ins or the outbox.
    const everything = JSON.stringify([await exportCheckins(db), await db.selectFrom('outbox').select('payload').execute(), await db.selectFrom('checkin_history').selectAll().execute()]);
    expect(everything).not.toContain('docker networking');
    expect(everything).not.toContain('compose will not start');
    expect(everything).toContain('li private note');

    const audit = await listAudit(db, 'Spring 2027');
    const deletion = audit.find((a) => a.action === 'data.delete')!;
    expect(deletion).toMatchObject({ actor_id: 'self', actor_name: 'the learner themselves', subject: 'a learner' });
    expect(JSON.stringify(deletion)).not.toContain('maria');
  });

  it('keeps the cohort’s figures consistent: round count, alerts, digest and export', async () => {
    await e.deliver();
    const alertBefore = e.port.dmsTo('dana').find((d) => d.key?.startsWith('alert:'));
    expect(alertBefore?.message.text).toContain('maria');
    const exportBefore = await exportCheckins(e.deps.db, 'Spring 2027');
    await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'mydata.delete', 'maria');
    await e.deliver();

    // The open week-2 post now counts li and sam: li answered.
    const updates = e.port.sent.filter((s) => s.kind === 'update');
    const roundUpdates = updates.filter((u) => u.message.roundId === 2);
    expect(roundUpdates.at(-1)!.message.text).toMatch(/_1 of 2 checked in_$/);
    // The alert dana holds no longer names maria or her reasons.
    const alertAfter = updates.filter((u) => u.message.text.includes('may be stalling')).at(-1)!;
    expect(alertAfter.message.text).not.toContain('maria');
    expect(alertAfter.message.text).toContain('former learner');
    expect(alertAfter.message.buttons ?? []).toEqual([]);

    // The week-1 digest dana already had is edited: the counts of those still in it, no name, no blocker.
    const week1 = updates.find((u) => u.message.text.startsWith('**Weekly digest · Spring 2027 · week 1'))!;
    expect(week1.message.text).toContain('1 of 2 checked in: 50%.');
    expect(week1.message.text).not.toContain('maria');
    expect(week1.message.text).not.toContain('docker');

    // Answers stay counted, anonymously, in the export.
    const exportAfter = await exportCheckins(e.deps.db, 'Spring 2027');
    const counts = (rows: typeof exportBefore) => rows.map((r) => `${r.week}:${r.status}`).sort();
    expect(counts(exportAfter)).toEqual(counts(exportBefore));
    expect(exportAfter.filter((r) => r.name === 'former learner').map((r) => [r.week, r.note, r.blocker, r.confidence])).toEqual([
      [1, null, null, null],
      [2, null, null, null],
    ]);

    // Week 2's digest counts the learners who are left, and never names maria.
    await e.at(slot(2, 6 * 24 + 1));
    const digest = e.port.dmsTo('dana').find((d) => d.key === 'digest:1:2:4')!;
    expect(digest.message.text).toContain('1 of 2 checked in: 50%.');
    expect(JSON.stringify(digest.message)).not.toContain('maria');
    expect(JSON.stringify(digest.message)).not.toContain('former learner');
    // No reminder, flag or DM goes to maria afterwards.
    const before = e.port.dmsTo('maria').length;
    await e.at(slot(3, 26));
    expect(e.port.dmsTo('maria')).toHaveLength(before);
  });
});

describe('/mydata delete after the program ended', () => {
  beforeEach(async () => {
    await t.reset();
  });

  it('the final report mentors hold is rewritten without the learner', { timeout: 300_000 }, async () => {
    e = await testEngine(t.db, '2027-02-26T12:00:00Z');
    await e.run(admin(), '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
    for (const who of ['maria', 'li']) await e.run(e.as(who), '/cohort join');
    await e.run(admin(), '/cohort mentor @dana');
    for (let week = 1; week <= 24; week++) {
      await e.at(slot(week));
      await e.run(e.as('maria'), '/checkin on-track');
      await e.at(slot(week, 6 * 24 + 1));
    }
    await e.at(slot(25, 1));
    const report = e.port.dmsTo('dana').find((d) => d.key?.startsWith('final-report:'))!;
    expect(report.message.text).toContain('• maria: ');
    expect(report.message.text).toContain('2 learners at the end.');

    const done = await e.core.action(e.as('maria'), { channelId: CHANNEL }, 'mydata.delete', 'maria');
    expect(textOf(done)).toContain('Deleted: 24 check-ins');
    await e.deliver();
    const edited = e.port.sent.filter((s) => s.kind === 'update' && s.message.text.startsWith('**Final report')).at(-1)!;
    expect(edited.message.text).not.toContain('maria');
    expect(edited.message.text).toContain('1 learner at the end.');
    const stored = await e.deps.db.selectFrom('outbox').select('payload').where('key', 'like', 'final-report:%').execute();
    expect(JSON.stringify(stored)).not.toContain('maria');
  });
});

describe('/mydata delete by someone who also mentors', () => {
  beforeEach(async () => {
    await t.reset();
    await history();
  });

  it('erases their learner data and leaves their mentor role and its messages alone', async () => {
    expect(textOf(await e.run(admin(), '/cohort create name:"Summer 2027" program:ds-to-mle start:2027-03-15 day:mon time:09:00 tz:Europe/Berlin', 'C-summer'))).toContain('is set up');
    await e.run(e.as('dana'), '/cohort join', 'C-summer');
    await e.at(slot(3));
    expect(textOf(await e.run(e.as('dana'), '/checkin behind dana learns too', 'C-summer'))).toContain('Recorded');
    await e.at(slot(3, 6 * 24 + 1));
    const pending = await e.deps.db.selectFrom('outbox').select(['key', 'status']).where('target_id', '=', 'dana').where('key', 'like', 'digest:%').execute();
    expect(pending.length).toBeGreaterThan(0);

    const done = await e.core.action(e.as('dana'), { channelId: 'C-summer' }, 'mydata.delete', 'dana');
    expect(textOf(done)).toContain('Deleted: 1 check-in (1 version, 1 note, 0 blockers)');
    expect(textOf(done)).toContain('You have left **Summer 2027**');
    expect(textOf(done)).toContain('You are still a mentor of **Spring 2027**; an organizer can remove you.');
    const after = await e.deps.db.selectFrom('outbox').select(['key', 'status', 'payload']).where('target_id', '=', 'dana').where('key', 'like', 'digest:%').execute();
    expect(after.map((r) => [r.key, r.status])).toEqual(pending.map((r) => [r.key, r.status]));
    expect(JSON.stringify(after)).toContain('Weekly digest');
    expect(textOf(await e.run(e.as('dana'), '/cohort status'))).toContain('Spring 2027');
  });
});
