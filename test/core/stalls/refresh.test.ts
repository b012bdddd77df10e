import { beforeEach, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { Actor } from '../../../src/core/chat.js';
import { acknowledgeFlag, resolveFlag } from '../../../src/core/stalls/actions.js';
import { scanStalls } from '../../../src/core/stalls/scan.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { useTestDb } from '../../helpers/db.js';
import { RecordingPort } from '../../helpers/recording-port.js';
import { addMember, answer, at, complete, content, flags, HOUR, makeCohort } from './fixtures.js';

const t = useTestDb();
const admins: AdminId[] = [
  { platform: 'slack', userId: 'U-org1' },
  { platform: 'slack', userId: 'U-org2' },
];
const now = at(4, 30);
const after = (hours: number) => new Date(now.getTime() + hours * HOUR);
const olga: Actor = { platform: 'slack', userId: 'U-org1', displayName: 'Olga', isAdmin: true };
const ana: Actor = { platform: 'slack', userId: 'U-ana', displayName: 'Ana', isAdmin: false };

let port: RecordingPort;
const scan = (when: Date) => scanStalls(t.db, content, when, { admins });
const deliver = (when: Date) => deliverDue(t.db, new Map([['slack', port]]), when, { workerId: 'w' });

/** Maria in spring stopped answering after a blocked week 2; Ana mentors. */
async function spring() {
  const cohort = await makeCohort(t.db, { weeks: 4 });
  await addMember(t.db, cohort.id, 'Ana', 'mentor');
  const maria = await addMember(t.db, cohort.id, 'Maria');
  await answer(t.db, cohort, maria, 1, 'on-track', 4);
  await answer(t.db, cohort, maria, 2, 'blocked', 2, { blocker: 'Docker build fails on M1' });
  return { cohort, maria };
}

/** The alert, its 48 h reminder and the escalation to both organizers, all delivered. */
async function everyAlertSent() {
  const setup = await spring();
  await scan(now);
  await deliver(now);
  await scan(after(48));
  await deliver(after(48));
  await scan(after(96));
  await deliver(after(96));
  const [flag] = await flags(t.db);
  const dms = port.sent.filter((s) => s.kind === 'dm');
  expect(dms.map((s) => s.target)).toEqual(['U-ana', 'U-ana', 'U-org1', 'U-org2', 'U-admin']);
  return { ...setup, flagId: flag!.id, dms };
}

const edits = () => port.sent.filter((s) => s.kind === 'update');

describe('alert DMs follow their flag', () => {
  beforeEach(async () => {
    await t.reset();
    port = new RecordingPort('slack');
  });

  it('an organizer acknowledging the escalation updates every alert: the mentor’s, the reminder and the other organizers’', async () => {
    const { flagId, dms } = await everyAlertSent();
    await acknowledgeFlag(t.db, flagId, olga, after(97), { admins });
    await deliver(after(97));

    expect(edits().map((e) => e.target).sort()).toEqual(dms.map((d) => `${d.target}/${d.messageId}`).sort());
    for (const edit of edits()) {
      expect(edit.message.text).toContain('**Maria** in **spring** may be stalling:');
      expect(edit.message.text).toMatch(/✔️ Acknowledged by Olga on .+\.$/);
      expect(edit.message.buttons?.map((b) => b.label)).toEqual(['Resolve']);
    }

    // A second click changes nothing, so nothing is edited again.
    await acknowledgeFlag(t.db, flagId, ana, after(98), { admins });
    await deliver(after(98));
    expect(edits()).toHaveLength(5);
  });

  it('the alert clicked is updated by the reply alone: the outbox edits only the other copies, once each', async () => {
    const { flagId, dms } = await everyAlertSent();
    const clicked = dms[0]!;
    await acknowledgeFlag(t.db, flagId, ana, after(97), { admins, clickedMessageId: clicked.messageId });
    await deliver(after(97));
    expect(edits().map((e) => e.target).sort()).toEqual(dms.slice(1).map((d) => `${d.target}/${d.messageId}`).sort());
  });

  it('a flag resolved by itself leaves no alert with buttons, and the mentor still gets the notice', async () => {
    const { cohort, maria, flagId } = await everyAlertSent();
    await answer(t.db, cohort, maria, 3, 'behind', 3, { late: true });
    await answer(t.db, cohort, maria, 4, 'on-track', 4, { late: true });
    await complete(t.db, maria, 'package');
    await complete(t.db, maria, 'serve');
    expect(await scan(after(100))).toMatchObject({ resolved: 1 });
    await deliver(after(100));

    expect(edits()).toHaveLength(5);
    for (const edit of edits()) {
      expect(edit.message.text).toMatch(/✅ Resolved automatically on .+: Maria is back on track\.$/);
      expect(edit.message.buttons).toBeUndefined();
    }
    expect(port.dmsTo('U-ana').at(-1)!.message.text).toBe('✅ **Maria** in **spring**: no stall reason applies any more, so their flag resolved itself. Nothing to do.');
    expect((await flags(t.db)).find((f) => f.id === flagId)!.status).toBe('resolved');
  });

  it('acknowledged then resolved: each alert ends on the last state, whatever order the edits are claimed in', async () => {
    const { flagId } = await everyAlertSent();
    await acknowledgeFlag(t.db, flagId, ana, after(97), { admins });
    await resolveFlag(t.db, flagId, ana, after(97.5), { admins });
    await deliver(after(98));

    // The acknowledged edits are superseded by the resolved ones and never reach the platform.
    expect(edits()).toHaveLength(5);
    for (const edit of edits()) expect(edit.message.text).toMatch(/✅ Resolved by Ana on .+\.$/);
  });

  it('an alert still waiting to be sent gets its edit once it is out; one that could never be sent is skipped', async () => {
    await spring();
    await scan(now);
    const [flag] = await flags(t.db);
    await acknowledgeFlag(t.db, flag!.id, ana, after(1), { admins });

    await deliver(after(1));
    // Claimed together, the edit may run before the DM is out; then it waits for it.
    const first = edits().length;
    if (first === 0) await deliver(after(2));
    expect(port.dmsTo('U-ana')).toHaveLength(1);
    expect(edits()).toHaveLength(1);
    expect(edits()[0]!.target).toBe(`U-ana/${port.dmsTo('U-ana')[0]!.messageId}`);
    expect(edits()[0]!.message.text).toMatch(/✔️ Acknowledged by Ana on .+\.$/);

    // An alert that died (the user blocked the bot, say): its edit is dropped, not retried forever.
    await t.db.updateTable('outbox').set({ status: 'dead' }).where('key', '=', `alert:${flag!.id}`).execute();
    await t.db.updateTable('outbox').set({ status: 'pending', available_at: after(3) }).where('key', 'like', 'alert-update:%').execute();
    const result = await deliver(after(3));
    expect(result).toMatchObject({ sent: 1, dead: 0 });
    expect(edits()).toHaveLength(1);
  });
});
