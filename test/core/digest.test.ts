import { beforeEach, describe, expect, it } from 'vitest';
import { buildDigest, enqueueDueDigests } from '../../src/core/digest.js';
import { DIGEST_PART_LIMIT } from '../../src/core/messages/digest.js';
import { useTestDb } from '../helpers/db.js';
import { addMember, addRound, answer, at, complete, content, DAY, HOUR, makeCohort, outbox } from './stalls/fixtures.js';

const t = useTestDb();

/**
 * spring, weeks 1-4 posted. Ben is on track; Maria blocked in week 2, skipped week 3 and is behind;
 * Chen joined in week 3; Dee is away until May. Mentors Ana and Bob; one open flag on Maria.
 */
async function spring() {
  const cohort = await makeCohort(t.db, { weeks: 4 });
  const ana = await addMember(t.db, cohort.id, 'Ana', 'mentor');
  const bob = await addMember(t.db, cohort.id, 'Bob', 'mentor');
  const maria = await addMember(t.db, cohort.id, 'Maria');
  const ben = await addMember(t.db, cohort.id, 'Ben');
  const chen = await addMember(t.db, cohort.id, 'Chen', 'learner', { joinedAt: at(3, -10) });
  const dee = await addMember(t.db, cohort.id, 'Dee', 'learner', { awayUntil: '2026-05-01', awayFrom: '2026-03-23' });
  await answer(t.db, cohort, maria, 1, 'on-track', 4);
  await answer(t.db, cohort, maria, 2, 'blocked', 2, { blocker: 'Docker build fails' });
  await answer(t.db, cohort, maria, 4, 'behind', 3, { blocker: 'Waiting for cloud credits' });
  for (const week of [1, 2, 3]) await answer(t.db, cohort, ben, week, 'on-track', 4);
  await answer(t.db, cohort, ben, 4, 'done', 5);
  await complete(t.db, ben, 'package');
  await complete(t.db, ben, 'serve');
  await answer(t.db, cohort, chen, 3, 'done', 4);
  await answer(t.db, cohort, dee, 1, 'on-track', 4);
  await answer(t.db, cohort, dee, 2, 'on-track', 4);
  await t.db
    .insertInto('stall_flags')
    .values({
      member_id: maria,
      cohort_id: cohort.id,
      reasons: JSON.stringify([{ code: 'blocked-often', text: 'answered “blocked” in 2 of the last 3 check-ins (weeks 2 and 4)' }]),
      mentor_member_id: ana,
      opened_at: at(4, 30),
    })
    .execute();
  // The digests of weeks 1 to 3 went out in their weeks.
  await t.db.updateTable('rounds').set({ digest_at: at(3, 150) }).where('week', '<', 4).execute();
  return { cohort, ana, bob };
}

describe('buildDigest', () => {
  beforeEach(() => t.reset());

  it('reports completion, who is missing, blockers, open flags and an aligned progress grid', async () => {
    const { cohort } = await spring();
    const digest = await buildDigest(t.db, content, cohort.id, 4, at(4, 144));
    expect(digest.thread).toBeUndefined();
    expect(digest.buttons).toBeUndefined();
    expect(digest.text).toBe(
      [
        '**Weekly digest · spring · week 4: Monitor drift**',
        '2 of 3 checked in (1 more is away): 67%.',
        '**Not checked in yet (1):** Chen. Week 4 stays open until Mon 30 Mar 2026, 09:00 (Europe/Berlin); their answers may still come.',
        '**Away:** Dee (until Fri 1 May 2026)',
        '',
        '**Blockers this week (1)**',
        '• Maria: “Waiting for cloud credits”',
        '',
        '**Open stall flags (1)**',
        '• Maria (not yet acknowledged): answered “blocked” in 2 of the last 3 check-ins (weeks 2 and 4)',
        '',
        '**Response to stall alerts** (alert → first mentor answer)',
        'No stall alert answered yet (1 waiting).',
        '',
        '**Progress grid**',
        '✅ done or on track · 🟡 behind · 🛑 blocked · `?` not answered yet · `·` missed · `a` away · `L` left the channel · `—` not a member yet · `×` week not run · ms: milestones done',
        '```',
        'Learner       1  2  3  4 ms',
        'Ben          ✅ ✅ ✅ ✅ 2/3',
        'Chen         —  —  ✅ ?  0/3',
        'Dee          ✅ ✅ ·  a  0/3',
        'Maria        ✅ 🛑 ·  🟡 0/3',
        '```',
      ].join('\n'),
    );
  });

  it('describes an earlier week as it was', async () => {
    const { cohort } = await spring();
    const digest = await buildDigest(t.db, content, cohort.id, 2, at(3, 144));
    expect(digest.text).toContain('**Weekly digest · spring · week 2: Package the model**');
    // Chen was not a member yet; Dee's away note covers this week too.
    expect(digest.text).toContain('3 of 3 checked in: 100%.');
    expect(digest.text).toContain('**Missing:** nobody. 🎉');
    expect(digest.text).toContain('• Maria: “Docker build fails”');
    expect(digest.text).toContain('Maria        ✅ 🛑 0/3');
  });

  it('moves the grid to the thread when the digest is too long for one message', async () => {
    const cohort = await makeCohort(t.db, { weeks: 5 });
    await addMember(t.db, cohort.id, 'Ana', 'mentor');
    const names: string[] = [];
    for (let i = 1; i <= 90; i++) {
      const name = `Learner ${String(i).padStart(2, '0')}`;
      names.push(name);
      const id = await addMember(t.db, cohort.id, name);
      for (const week of [1, 2, 3, 4, 5]) if ((i + week) % 4 !== 0) await answer(t.db, cohort, id, week, 'on-track', 4);
    }
    const digest = await buildDigest(t.db, content, cohort.id, 5, at(5, 144));
    expect(digest.text.length).toBeLessThanOrEqual(DIGEST_PART_LIMIT);
    // Every fourth learner skipped week 5.
    expect(digest.text).toContain('68 of 90 checked in: 76%.');
    expect(digest.text).toContain('_The progress grid is in the thread._');
    expect(digest.text).not.toContain('```');
    const thread = digest.thread ?? [];
    expect(thread[0]).toMatch(/^\*\*Progress grid\*\*/);
    const blocks = thread.slice(1);
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) {
      expect(block.length).toBeLessThanOrEqual(DIGEST_PART_LIMIT);
      expect(block.split('\n').slice(0, 2)).toEqual(['```', 'Learner       1  2  3  4  5 ms']);
      expect(block.endsWith('```')).toBe(true);
    }
    const rows = blocks.flatMap((b) => b.split('\n').filter((l) => l.startsWith('Learner ') && !l.startsWith('Learner  ')));
    expect(rows.map((r) => r.slice(0, 10))).toEqual(names);
  });
});

describe('enqueueDueDigests', () => {
  beforeEach(() => t.reset());

  it('queues one DM per mentor six days after the round opened, once', async () => {
    const { cohort, ana, bob } = await spring();
    expect(await enqueueDueDigests(t.db, content, new Date(at(4).getTime() + 6 * DAY - HOUR))).toBe(0);
    expect(await enqueueDueDigests(t.db, content, new Date(at(4).getTime() + 6 * DAY))).toBe(2);
    expect(await enqueueDueDigests(t.db, content, new Date(at(4).getTime() + 6 * DAY + HOUR))).toBe(0);

    const sent = await outbox(t.db);
    expect(sent.map((s) => [s.key, s.kind, s.targetKind, s.to])).toEqual([
      [`digest:${cohort.id}:4:${ana}`, 'digest', 'user', 'U-ana'],
      [`digest:${cohort.id}:4:${bob}`, 'digest', 'user', 'U-bob'],
    ]);
    expect(sent[0]!.message).toEqual(await buildDigest(t.db, content, cohort.id, 4, at(4, 144)));

    // The next week's round: its digest comes six days later.
    await addRound(t.db, cohort, 5);
    expect(await enqueueDueDigests(t.db, content, new Date(at(5).getTime() + 2 * DAY))).toBe(0);
    expect(await enqueueDueDigests(t.db, content, new Date(at(5).getTime() + 6 * DAY))).toBe(2);
    expect((await outbox(t.db)).map((s) => s.key).slice(2)).toEqual([`digest:${cohort.id}:5:${ana}`, `digest:${cohort.id}:5:${bob}`]);
  });

  it('skips removed mentors; a pause holds back weeks to come, not the digest of a week already posted', async () => {
    const { cohort, bob } = await spring();
    await t.db.updateTable('members').set({ removed_at: at(4) }).where('id', '=', bob).execute();
    const paused = await makeCohort(t.db, { name: 'winter', weeks: 4, status: 'paused' });
    await addMember(t.db, paused.id, 'Wim', 'mentor');
    // Paused after week 4 was posted; the weeks before it had their digests.
    await t.db.updateTable('rounds').set({ digest_at: at(4) }).where('cohort_id', '=', paused.id).where('week', '<', 4).execute();
    expect(await enqueueDueDigests(t.db, content, new Date(at(4).getTime() + 6 * DAY))).toBe(2);
    const sent = await outbox(t.db);
    expect(sent.map((s) => s.to).sort()).toEqual(['U-ana', 'U-wim']);
    expect(sent.find((s) => s.to === 'U-ana')!.key).toMatch(new RegExp(`^digest:${cohort.id}:4:`));
    expect(sent.find((s) => s.to === 'U-wim')!.key).toMatch(new RegExp(`^digest:${paused.id}:4:`));
  });

  it('after an outage, every week whose digest was not sent gets it once, oldest first; a week not run gets none', async () => {
    const { cohort, ana, bob } = await spring();
    await t.db.updateTable('rounds').set({ digest_at: null }).where('week', '=', 3).execute();
    await addRound(t.db, cohort, 5);
    await t.db.updateTable('rounds').set({ state: 'not-run', not_run_reason: 'offline' }).where('week', '=', 5).execute();
    await addRound(t.db, cohort, 6);
    expect(await enqueueDueDigests(t.db, content, at(6, 1))).toBe(4);
    expect((await outbox(t.db)).map((s) => s.key)).toEqual([
      `digest:${cohort.id}:3:${ana}`,
      `digest:${cohort.id}:3:${bob}`,
      `digest:${cohort.id}:4:${ana}`,
      `digest:${cohort.id}:4:${bob}`,
    ]);
    expect(await enqueueDueDigests(t.db, content, at(6, 2))).toBe(0);

    // Week 6's grid marks week 5 as not run for everyone, not as missed or away.
    await enqueueDueDigests(t.db, content, at(7, 1));
    const week6 = (await outbox(t.db)).find((m) => m.key === `digest:${cohort.id}:6:${ana}`)!;
    const grid = week6.message.text.split('```')[1]!.trim().split('\n');
    expect(grid[0]).toMatch(/^Learner\s+1 {2}2 {2}3 {2}4 {2}5 {2}6 ms$/);
    for (const row of grid.slice(1)) expect(row.slice(13).trim().split(/\s+/)[4]).toBe('×');
  });

  it('two replicas at once still queue each digest once', async () => {
    await spring();
    const other = await t.connectAgain();
    const when = new Date(at(4).getTime() + 6 * DAY);
    const [a, b] = await Promise.all([enqueueDueDigests(t.db, content, when), enqueueDueDigests(other, content, when)]);
    expect(a + b).toBe(2);
    expect(await outbox(t.db)).toHaveLength(2);
  });
});
