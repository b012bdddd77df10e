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
const sam: Person = { id: 'U0SAM', name: 'sam' };
const nadia: Person = { id: 'U0NADIA', name: 'nadia' };
const stranger: Person = { id: 'U0STRANGER', name: 'stranger' };

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
    for (const p of [omar, maria, li, sam, nadia, stranger]) h.fake.addUser({ id: p.id, name: p.name, real_name: p.name });
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

  it('refuses a mentor and a non-member as before, in one round trip each', async () => {
    await slash(omar, '/cohort', `mentor <@${nadia.id}|nadia>`);
    const mentor = await click(nadia, roundPost(), 'On track');
    expect(visibleText(mentor.answer.args)).toMatch(/You're a mentor of \*Clicks\*; only learners check in/);
    expect(mentor.statements).toHaveLength(1);
    const outsider = await click(stranger, roundPost(), 'On track');
    expect(visibleText(outsider.answer.args)).toMatch(/You're not in \*Clicks\*\. Join with `\/cohort join`/);
    expect(outsider.statements).toHaveLength(1);
    expect(await t.db.selectFrom('checkins').select('member_id').execute()).toHaveLength(1);
  });

  it('a round posted before the post kept its template: the first answer takes the longer way once, and counts the same', async () => {
    await slash(sam, '/cohort', 'join');
    await t.db.updateTable('rounds').set({ post_template: null }).execute();
    const slow = await click(li, roundPost(), 'Done');
    expect(visibleText(slow.answer.args)).toMatch(/^Recorded: \*Done\* for week 1 .*\nMilestone done: /);
    expect(slow.statements.length).toBeGreaterThan(1);
    expect((await t.db.selectFrom('rounds').select('post_template').executeTakeFirstOrThrow()).post_template).not.toBeNull();
    // The template is back: the next first answer is one round trip again.
    const fast = await click(sam, roundPost(), 'Blocked');
    expect(visibleText(fast.answer.args)).toMatch(/^Recorded: \*Blocked\* for week 1/);
    expect(fast.statements).toHaveLength(1);
    await deliver();
    expect(visibleText(roundPost())).toMatch(/3 of 3 checked in/);
    // Sam's join and Li's answer each queued an edit; Sam's answer, before any went out, changed the last one instead.
    const updates = await t.db.selectFrom('outbox').select(['key', 'status']).where('kind', '=', 'round-update').orderBy('id').execute();
    expect(updates.map((u) => [u.key.replace(/^round-update:\d+:/, ''), u.status])).toEqual([
      ['v1', 'sent'],
      ['v2', 'sent'],
      ['v3', 'sent'],
    ]);
    expect(h.fake.callsOf('chat.update').map((c) => visibleText(c.args).split('\n').at(-2))).toEqual(['_1 of 2 checked in_', '_3 of 3 checked in_']);
  });

  it('a click on a closed week leaves the answer as it was, in one round trip', async () => {
    deps.clock.freeze(new Date('2026-03-09T08:00:00Z'));
    await runTick(deps, deps.clock.now());
    await deliver();
    const week1 = h.fake.messagesIn(CHANNEL).filter((m) => m.metadata?.event_type === 'mentorbot_round' && !m.thread_ts)[0]!;
    const closed = await click(maria, week1, 'Done');
    expect(visibleText(closed.answer.args)).toMatch(/^Week 1 closed when week 2 opened, so your answer \(\*Behind\*\) stays as it was\./);
    expect(closed.statements).toHaveLength(1);
  });
});
