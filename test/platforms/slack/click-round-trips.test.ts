import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminId } from '../../../src/config.js';
import type { CoreDeps } from '../../../src/core/core.js';
import { createCore } from '../../../src/core/create-core.js';
import { deliverDue } from '../../../src/jobs/deliver.js';
import { runTick } from '../../../src/jobs/tick.js';
import { countingDb, type CountingDb } from '../../helpers/counting-db.js';
import { useTestDb } from '../../helpers/db.js';
import { realDeps } from '../../helpers/engine.js';
import { visibleText, type RecordedCall } from '../../helpers/fake-slack.js';
import { clickButton, type ClickableMessage, type Person } from '../../helpers/slack-requests.js';
import { startSlackHarness, type SlackHarness } from './harness.js';

const CHANNEL = 'C0CLICKS';
const omar: Person = { id: 'U0OMAR', name: 'omar' };
const maria: Person = { id: 'U0MARIA', name: 'maria' };
const li: Person = { id: 'U0LI', name: 'li' };

/**
 * A click on a round post's status button is the bot's hot path (issue #27): every round trip to
 * the database costs CPU on both ends. A one-click check-in, first answer or edit, costs one.
 */
describe('round trips to the database per one-click check-in', () => {
  const t = useTestDb();
  let h: SlackHarness;
  let deps: CoreDeps;
  let counting: CountingDb;

  beforeAll(async () => {
    counting = countingDb(t);
    const admins: AdminId[] = [{ platform: 'slack', userId: omar.id }];
    deps = { ...(await realDeps(counting.db, admins, '2026-03-01T12:00:00Z')) };
    h = await startSlackHarness({ core: createCore(deps), db: counting.db, adminIds: admins });
    for (const p of [omar, maria, li]) h.fake.addUser({ id: p.id, name: p.name, real_name: p.name });
  });
  afterAll(async () => {
    await h?.close();
    await counting?.close();
  });

  const slash = (user: Person, command: string, text: string) => h.slash(user, command, text, CHANNEL);
  async function deliver(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const r = await deliverDue(t.db, new Map([['slack' as const, h.platform.port]]), deps.clock.now(), { workerId: 'w1' });
      if (r.sent + r.retried + r.dead === 0) return;
    }
  }
  const roundPost = () => h.fake.messagesIn(CHANNEL).find((m) => m.metadata?.event_type === 'mentorbot_round' && !m.thread_ts)!;

  /** Clicks, waits for the answer on response_url, and returns it with the statements the click sent. */
  async function click(user: Person, message: ClickableMessage, label: string): Promise<{ answer: RecordedCall; statements: string[] }> {
    counting.reset();
    const responseUrl = h.fake.responseUrl();
    const target = responseUrl.split('/').pop();
    const res = await h.send(clickButton({ message, label, user, responseUrl }));
    expect(res.status).toBe(200);
    const answer = await h.fake.waitFor('response_url', (c) => c.target === target);
    return { answer, statements: [...counting.statements] };
  }

  it('costs one round trip for a first answer, an edit and the same answer again', async () => {
    await slash(omar, '/cohort', 'create name:Clicks program:ds-to-mle start:2026-03-02 day:mon time:09:00 tz:Europe/Berlin');
    await slash(maria, '/cohort', 'join');
    await slash(li, '/cohort', 'join');
    deps.clock.freeze(new Date('2026-03-02T08:00:00Z'));
    await runTick(deps, deps.clock.now());
    await deliver();
    expect(visibleText(roundPost())).toMatch(/0 of 2 checked in/);

    const first = await click(maria, roundPost(), 'On track');
    expect(visibleText(first.answer.args)).toMatch(/^Recorded: \*On track\* for week 1/);
    expect(first.statements).toHaveLength(1);

    const edit = await click(maria, roundPost(), 'Behind');
    expect(visibleText(edit.answer.args)).toMatch(/^Updated: \*Behind\* for week 1/);
    expect(edit.statements).toHaveLength(1);

    const same = await click(maria, roundPost(), 'Behind');
    expect(visibleText(same.answer.args)).toMatch(/^Already recorded: \*Behind\* for week 1 .*Nothing changed\./);
    expect(same.statements).toHaveLength(1);

    // The count on the post changed once, with the first answer, and its edit goes out once.
    const updates = await t.db.selectFrom('outbox').select(['key', 'payload']).where('kind', '=', 'round-update').execute();
    expect(updates.map((u) => u.key)).toEqual([expect.stringMatching(/^round-update:\d+:v1$/)]);
    await deliver();
    expect(visibleText(roundPost())).toMatch(/1 of 2 checked in/);
  });
});
