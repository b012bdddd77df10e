import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/core/audit.js';
import type { HeatmapData } from '../../src/core/report/heatmap.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { useTestDb } from '../helpers/db.js';

const t = useTestDb();
const DAY = 86_400_000;
// Monday 1 March 2027, 09:00 in Berlin (CET, UTC+1) is week 1.
const WEEK1 = Date.parse('2027-03-01T08:00:00Z');
const slot = (week: number, hours = 0) => new Date(WEEK1 + (week - 1) * 7 * DAY + hours * 3_600_000).toISOString();

/** A renderer whose "picture" is the list of names in its rows, so a test can read who is in it. */
const namesRenderer = { render: (data: HeatmapData) => new TextEncoder().encode(`PNG rows: ${data.rows.map((r) => r.name).join(', ')}`) };
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

let e: TestEngine;

/**
 * priya is added by the organizer, blocked twice (a flag dana acknowledges), and erases her data in
 * week 3. By then maria, silent for two closed weeks, has a flag of her own, which week 1's digest
 * could not have shown.
 */
beforeAll(async () => {
  e = await testEngine(t.db, '2027-02-26T12:00:00Z');
  e.deps.renderer = namesRenderer;
  const olga = e.as('olga', { admin: true });
  await e.run(olga, '/cohort create name:"Spring 2027" program:ds-to-mle start:2027-03-01 day:mon time:09:00 tz:Europe/Berlin');
  await e.run(olga, '/cohort mentor @dana');
  await e.run(olga, '/cohort add @priya');
  for (const who of ['maria', 'li']) await e.run(e.as(who), '/cohort join');
  await e.at(slot(1));
  await e.run(e.as('priya'), '/checkin blocked priya cannot get docker to build');
  await e.run(e.as('li'), '/checkin on-track');
  await e.at(slot(1, 6 * 24 + 1)); // week 1's digest
  await e.at(slot(2));
  await e.run(e.as('priya'), '/checkin blocked still docker');
  await e.at(slot(2, 1));
  const flag = await t.db.selectFrom('stall_flags').innerJoin('members', 'members.id', 'stall_flags.member_id').select('stall_flags.id').where('members.user_id', '=', 'priya').executeTakeFirstOrThrow();
  await e.core.action(e.as('dana'), { channelId: 'dm-dana' }, 'flag.ack', String(flag.id));
  await e.at(slot(2, 6 * 24 + 1)); // week 2's digest
  await e.run(e.as('dana'), '/cohort report');
  await e.at(slot(3, 2)); // week 2 closed: maria has missed two weeks
  await e.deliver();
  const maria = await t.db.selectFrom('stall_flags').innerJoin('members', 'members.id', 'stall_flags.member_id').select('stall_flags.status').where('members.user_id', '=', 'maria').executeTakeFirst();
  expect(maria?.status).toBe('open');
  await e.core.action(e.as('priya'), { channelId: 'dm-priya' }, 'mydata.delete', 'priya');
  await e.deliver();
});

describe('an erasure reaches everything that names the learner', () => {
  it('replaces the picture of every digest dana holds with one drawn without her', async () => {
    const edits = e.port.sent.filter((s) => s.kind === 'update' && s.message.text.startsWith('**Weekly digest'));
    // Edits of different messages go out side by side, in either order.
    expect(edits.map((s) => s.message.text.split('\n')[0]).sort()).toEqual(['**Weekly digest · Spring 2027 · week 1: Production code baseline**', '**Weekly digest · Spring 2027 · week 2: Production code baseline**']);
    for (const edit of edits) {
      expect(edit.message.replaceFiles).toBe(true);
      expect(edit.files.map((f) => decode(f.bytes))).toEqual(['PNG rows: li, maria']);
      expect(edit.message.text).not.toContain('priya');
    }
    // What dana first got named her, in the text and the picture.
    const first = e.port.dmsTo('dana').find((s) => s.key?.startsWith('digest:'))!;
    expect(decode(first.files[0]!.bytes)).toBe('PNG rows: li, maria, priya');
  });

  it('rebuilds a digest with its own week’s facts, not today’s', async () => {
    const week1 = e.port.sent.filter((s) => s.kind === 'update' && s.message.text.startsWith('**Weekly digest · Spring 2027 · week 1')).at(-1)!;
    // Maria's flag came in week 3; week 1's digest had none open, and still says so.
    expect(week1.message.text).toContain('**Open stall flags (0)**');
    expect(week1.message.text).toContain('1 of 2 checked in: 50%.');
    // It went out a day before week 1 closed: maria had not answered yet, and it says so still.
    expect(week1.message.text).toContain('**Not checked in yet (1):** maria. Week 1 stays open until Mon 8 Mar 2027, 09:00 (Europe/Berlin)');
  });

  it('takes the picture off the on-demand report, and keeps no stored copy of any picture of her', async () => {
    const report = e.port.sent.filter((s) => s.kind === 'update' && s.message.text.startsWith('**Cohort report')).at(-1)!;
    expect(report.message.replaceFiles).toBe(true);
    expect(report.files).toEqual([]);
    expect(report.message.text).toContain("The picture was removed: a learner's data was erased.");
    const stored = await t.db.selectFrom('outbox_files').select(['outbox_key', 'bytes']).execute();
    for (const f of stored) expect(decode(new Uint8Array(f.bytes))).not.toContain('priya');
    const kept = await t.db.selectFrom('digests').select(['data', 'heatmap']).execute();
    expect(JSON.stringify(kept)).not.toContain('priya');
    expect(JSON.stringify(kept)).not.toContain('docker');
  });

  it('leaves her name out of the audit log: the entries stay, about "a learner"', async () => {
    const audit = await listAudit(t.db, 'Spring 2027');
    expect(audit.filter((a) => a.action === 'cohort.add' || a.action === 'flag.acknowledge').map((a) => [a.action, a.subject])).toEqual([
      ['cohort.add', 'a learner'],
      ['flag.acknowledge', 'a learner'],
    ]);
    expect(JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute())).not.toContain('priya');
  });
});
