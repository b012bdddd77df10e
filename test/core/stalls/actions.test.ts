import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Reply } from '../../../src/core/chat.js';
import { acknowledgeFlag, resolveFlag } from '../../../src/core/stalls/actions.js';
import { scanStalls } from '../../../src/core/stalls/scan.js';
import { stalledView } from '../../../src/core/stalls/view.js';
import { createCore } from '../../../src/core/create-core.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { addMember, answer, at, content, flags, HOUR, makeCohort } from './fixtures.js';

const t = useTestDb();
// Week 5 is open: weeks 3 and 4 have closed.
const now = at(5, 30);
const later = new Date(now.getTime() + 2 * HOUR);

const person = (userId: string, displayName: string, isAdmin = false, platform: Actor['platform'] = 'slack'): Actor => ({ platform, userId, displayName, isAdmin });
const ana = person('U-ana', 'Ana');
const maria = person('U-maria', 'Maria');

/** spring (mentor Ana, learners Maria and Ben, both silent since week 2) and autumn (mentor Carl, learner Ida). */
async function setup() {
  const spring = await makeCohort(t.db, { name: 'spring', weeks: 5 });
  await addMember(t.db, spring.id, 'Ana', 'mentor');
  const mariaId = await addMember(t.db, spring.id, 'Maria');
  const benId = await addMember(t.db, spring.id, 'Ben');
  await answer(t.db, spring, mariaId, 1, 'on-track', 4);
  await answer(t.db, spring, mariaId, 2, 'blocked', 3, { blocker: 'Cannot push the image' });
  await answer(t.db, spring, benId, 1, 'on-track', 3);
  await answer(t.db, spring, benId, 2, 'on-track', 3);
  const autumn = await makeCohort(t.db, { name: 'autumn', weeks: 5 });
  await addMember(t.db, autumn.id, 'Carl', 'mentor');
  await addMember(t.db, autumn.id, 'Ida');
  await scanStalls(t.db, content, now);
  const all = await flags(t.db);
  const idOf = async (name: string) => {
    const m = await t.db.selectFrom('members').select('id').where('display_name', '=', name).executeTakeFirstOrThrow();
    return all.find((f) => f.member_id === m.id)!.id;
  };
  return { maria: await idOf('Maria'), ben: await idOf('Ben'), ida: await idOf('Ida') };
}

function update(reply: Reply) {
  if (reply.kind !== 'update') throw new Error(`expected an update, got ${JSON.stringify(reply)}`);
  return reply;
}
function message(reply: Reply) {
  if (reply.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(reply)}`);
  return reply.message;
}

describe('acknowledge and resolve', () => {
  beforeEach(() => t.reset());

  it('a mentor acknowledges: the alert shows who and when, and keeps only Resolve', async () => {
    const { maria: flagId } = await setup();
    const reply = update(await acknowledgeFlag(t.db, flagId, ana, later));
    expect(reply.message.text).toContain('**Maria** in **spring** may be stalling:');
    expect(reply.message.text).toContain('• missed the last 2 check-ins (weeks 3 and 4)');
    expect(reply.message.text).toContain('• Week 2 · blocked · confidence 3/5 · blocker: “Cannot push the image”');
    expect(reply.message.text).toMatch(/✔️ Acknowledged by Ana on Tue 31 Mar 2026, 18:00 \(Europe\/Berlin\)\.$/);
    expect(reply.message.buttons).toEqual([{ action: 'flag.resolve', label: 'Resolve', value: String(flagId) }]);
    expect(reply.notice).toEqual({
      text: 'You acknowledged the flag on Maria. Reach out to them, then press Resolve once they are unblocked.',
      private: true,
    });
    const [row] = (await flags(t.db)).filter((f) => f.id === flagId);
    expect(row).toMatchObject({ status: 'acknowledged', acknowledged_by: 'Ana', acknowledged_at: later });

    const again = update(await acknowledgeFlag(t.db, flagId, person('U-org', 'Olga', true), new Date(later.getTime() + HOUR)));
    expect(again.notice?.text).toBe('The flag on Maria was already acknowledged by Ana on Tue 31 Mar 2026, 18:00 (Europe/Berlin).');
    expect((await flags(t.db)).find((f) => f.id === flagId)!.acknowledged_by).toBe('Ana');
  });

  it('a mentor resolves: the alert says so and loses its buttons; a second click says it is already done', async () => {
    const { maria: flagId } = await setup();
    const reply = update(await resolveFlag(t.db, flagId, ana, later));
    expect(reply.message.text).toMatch(/✅ Resolved by Ana on Tue 31 Mar 2026, 18:00 \(Europe\/Berlin\)\.$/);
    expect(reply.message.buttons).toBeUndefined();
    expect(reply.notice?.text).toBe('You resolved the flag on Maria. They won’t be flagged again for the same weeks.');
    expect((await flags(t.db)).find((f) => f.id === flagId)).toMatchObject({ status: 'resolved', resolution: 'mentor', resolved_by: 'Ana' });

    for (const act of [acknowledgeFlag, resolveFlag]) {
      const late = update(await act(t.db, flagId, ana, new Date(later.getTime() + HOUR)));
      expect(late.notice?.text).toBe('Nothing to do: the flag on Maria was already resolved by Ana on Tue 31 Mar 2026, 18:00 (Europe/Berlin).');
      expect(late.message.buttons).toBeUndefined();
    }
  });

  it('a learner cannot acknowledge or resolve, and is told why', async () => {
    const { maria: flagId } = await setup();
    expect(message(await acknowledgeFlag(t.db, flagId, maria, later))).toEqual({
      text: 'You can’t acknowledge this stall flag. You are a learner in spring, and stall flags are handled by its mentors. Only the cohort’s mentors and the organizers can.',
      private: true,
    });
    expect(message(await resolveFlag(t.db, flagId, person('U-ben', 'Ben'), later)).text).toMatch(/^You can’t resolve this stall flag\. You are a learner in spring/);
    expect((await flags(t.db)).find((f) => f.id === flagId)!.status).toBe('open');
  });

  it('a stranger, a mentor of another cohort or an organizer of another platform cannot', async () => {
    const { maria: flagId } = await setup();
    for (const actor of [person('U-zed', 'Zed'), person('U-carl', 'Carl'), person('U-ana', 'Ana', true, 'discord')]) {
      expect(message(await resolveFlag(t.db, flagId, actor, later))).toEqual({
        text: 'You can’t resolve this stall flag. You are not a mentor of spring. Only the cohort’s mentors and the organizers can.',
        private: true,
      });
    }
    expect((await flags(t.db)).find((f) => f.id === flagId)!.status).toBe('open');
  });

  it('an organizer may, whether the platform says so or ADMIN_USER_IDS does', async () => {
    const { maria, ben } = await setup();
    expect(update(await acknowledgeFlag(t.db, maria, person('U-boss', 'Olga', true), later)).message.text).toContain('Acknowledged by Olga');
    const listed = await resolveFlag(t.db, ben, person('U-org', 'Oscar'), later, { admins: [{ platform: 'slack', userId: 'U-org' }] });
    expect(update(listed).message.text).toContain('Resolved by Oscar');
  });

  it('an unknown flag is reported plainly', async () => {
    await setup();
    expect(message(await acknowledgeFlag(t.db, 9999, ana, later))).toEqual({ text: 'That stall flag no longer exists.', private: true });
    expect(message(await resolveFlag(t.db, Number('not-a-number'), ana, later)).text).toBe('That stall flag no longer exists.');
  });
});

describe('/stalled', () => {
  beforeEach(() => t.reset());

  it('lists the open flags of the mentor’s cohorts with their reasons and a button pair per learner', async () => {
    const { maria, ben } = await setup();
    await acknowledgeFlag(t.db, ben, ana, later);
    const msg = message(await stalledView(t.db, ana, later));
    expect(msg.private).toBe(true);
    expect(msg.text).toBe(
      [
        '**Open stall flags in your cohorts (2)**',
        '',
        '**Maria** · spring · flagged Tue 31 Mar 2026 · not acknowledged',
        '• missed the last 2 check-ins (weeks 3 and 4)',
        '• behind schedule by 2 milestones: Package the model (due week 2) and Serve predictions (due week 3) not done yet',
        '',
        '**Ben** · spring · flagged Tue 31 Mar 2026 · acknowledged by Ana',
        '• missed the last 2 check-ins (weeks 3 and 4)',
        '• behind schedule by 2 milestones: Package the model (due week 2) and Serve predictions (due week 3) not done yet',
      ].join('\n'),
    );
    expect(msg.buttons).toEqual([
      { action: 'flag.ack', label: 'Acknowledge Maria', value: `${maria}:list`, style: 'primary' },
      { action: 'flag.resolve', label: 'Resolve Maria', value: `${maria}:list` },
      { action: 'flag.resolve', label: 'Resolve Ben', value: `${ben}:list` },
    ]);
  });

  it('a click in the list acts on that flag and leaves the list in place, up to date', async () => {
    const { maria, ben } = await setup();
    const core = createCore(await realDeps(t.db, [], later.toISOString()));
    const place = { channelId: 'D-ana' };
    const acked = update(await core.action(ana, place, 'flag.ack', `${maria}:list`));
    expect(acked.notice?.text).toMatch(/^You acknowledged the flag on Maria\./);
    expect(acked.message.text).toMatch(/^\*\*Open stall flags in your cohorts \(2\)\*\*/);
    expect(acked.message.text).toContain('**Maria** · spring · flagged Tue 31 Mar 2026 · acknowledged by Ana');
    expect(acked.message.buttons?.map((b) => b.label)).toEqual(['Resolve Maria', 'Acknowledge Ben', 'Resolve Ben']);

    const resolved = update(await core.action(ana, place, 'flag.resolve', `${ben}:list`));
    expect(resolved.message.text).toMatch(/^\*\*Open stall flags in your cohorts \(1\)\*\*/);
    expect(resolved.message.text).not.toContain('**Ben**');
    // The same flag's own alert DM still turns into that alert.
    expect(update(await core.action(ana, place, 'flag.resolve', String(maria))).message.text).toMatch(/^\*\*Maria\*\* in \*\*spring\*\* may be stalling:/);
  });

  it('an organizer sees every cohort of their platform', async () => {
    await setup();
    const msg = message(await stalledView(t.db, person('U-boss', 'Olga', true), later));
    expect(msg.text).toMatch(/^\*\*Open stall flags in your cohorts \(3\)\*\*/);
    expect(msg.text).toContain('**Ida** · autumn');
    expect(message(await stalledView(t.db, person('U-boss', 'Olga', true, 'discord'), later)).text).toBe('No learner is stalled in your cohorts. 🎉');
  });

  it('says so when nothing is open, and tells a non-mentor there is nothing for them', async () => {
    const { maria, ben } = await setup();
    await resolveFlag(t.db, maria, ana, later);
    await resolveFlag(t.db, ben, ana, later);
    expect(message(await stalledView(t.db, ana, later)).text).toBe('No learner is stalled in your cohorts. 🎉');
    expect(message(await stalledView(t.db, person('U-maria', 'Maria'), later)).text).toMatch(/^You are not a mentor of any cohort/);
  });
});
