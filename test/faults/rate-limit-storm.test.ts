import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Clock } from '../../src/core/clock.js';
import { createLogger } from '../../src/log.js';
import { startBot, type Bot } from '../../src/main.js';
import { useTestDb } from '../helpers/db.js';
import { realContent } from '../helpers/engine.js';
import { FakeSlack } from '../helpers/fake-slack.js';
import { SIGNING_SECRET } from '../helpers/slack-requests.js';
import { seedCohorts, type SeededCohort } from './seed.js';
import { SlackFront } from './slack-front.js';

const DATE = '2026-03-02';
const SLOT = new Date(`${DATE}T09:00:00Z`);
const COHORTS = 50;
const LEARNERS = 2;

/**
 * Slack answers most posts with 429 and Retry-After: 1 for a while. The bot runs as in production
 * (its own scheduler, the real Slack port) with the clock driven by the test; every round post and
 * every reminder must reach Slack exactly once, and none may be given up on.
 */
describe('a storm of 429s from the Slack Web API', () => {
  const t = useTestDb();
  let fake: FakeSlack;
  let front: SlackFront;
  let bot: Bot;
  let clock: Clock;
  let cohorts: SeededCohort[];

  beforeAll(async () => {
    fake = await FakeSlack.start();
    front = await SlackFront.start(fake);
    clock = new Clock();
    clock.freeze(new Date(`${DATE}T08:00:00Z`));
    const config = loadConfig({ PORT: '0', SLACK_BOT_TOKEN: 'xoxb-fault-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: front.apiUrl });
    bot = await startBot(config, { handle: t.handle, clock, content: (await realContent()).content, log: createLogger('silent'), autoStart: false });
    cohorts = await seedCohorts(t.db, { count: COHORTS, date: DATE, learners: LEARNERS, prefix: 'R' });
  });
  afterAll(async () => {
    await bot?.stop();
    await front?.close();
    await fake?.close();
  });

  const pending = async () => (await t.db.selectFrom('outbox').select('id').where('status', '=', 'pending').execute()).length;

  /** Lets the clock run one second at a time, as the poller would see it, until nothing is waiting. */
  async function drainThroughTheStorm(): Promise<number> {
    let seconds = 0;
    while ((await pending()) > 0) {
      if (++seconds > 120) throw new Error(`${await pending()} messages still waiting after ${seconds} s of bot time`);
      clock.advance(1000);
      await bot.scheduler.drain();
    }
    return seconds;
  }

  it('posts every round exactly once and waits out Retry-After instead of hammering Slack', async () => {
    front.startStorm({ methods: ['chat.postMessage'], rate: 0.7, retryAfterSec: 1, max: 250, seed: 7 });
    clock.freeze(SLOT);
    const first = await bot.scheduler.runNow();
    expect(first.tick.rounds).toBe(COHORTS);
    expect(first.delivered.retried).toBeGreaterThan(0);

    // Everything Slack refused is due one second later, not now: a second pass at the same instant sends nothing.
    const waiting = await pending();
    expect(waiting).toBeGreaterThan(0);
    expect(await bot.scheduler.drain()).toEqual({ sent: 0, retried: 0, dead: 0 });
    const early = await t.db.selectFrom('outbox').select('available_at').where('status', '=', 'pending').execute();
    for (const row of early) expect(new Date(row.available_at).getTime()).toBeGreaterThanOrEqual(SLOT.getTime() + 1000);

    await drainThroughTheStorm();

    const rounds = await t.db.selectFrom('rounds').select(['id', 'channel_id', 'message_id']).execute();
    expect(rounds).toHaveLength(COHORTS);
    const posts = fake.messages.filter((m) => m.metadata?.event_type === 'mentorbot_round');
    for (const round of rounds) {
      const mine = posts.filter((m) => Number(m.metadata!.event_payload.round_id) === round.id);
      expect(mine, `round ${round.id}`).toHaveLength(1);
      expect(mine[0]!.channel).toBe(round.channel_id);
      expect(round.message_id).toBe(mine[0]!.ts);
    }
    expect(posts).toHaveLength(COHORTS);
  });

  it('sends every reminder exactly once, none given up on, while Slack keeps refusing', async () => {
    expect(front.storming).toBe(true);
    const before = front.rateLimited.get('chat.postMessage') ?? 0;
    clock.advance(24 * 3_600_000);
    const run = await bot.scheduler.runNow();
    expect(run.tick.reminders).toBe(COHORTS * LEARNERS);
    await drainThroughTheStorm();
    expect(front.rateLimited.get('chat.postMessage') ?? 0).toBeGreaterThan(before);

    for (const learner of cohorts.flatMap((c) => c.learners)) {
      const dms = fake.messagesIn(`D${learner}`);
      expect(dms, learner).toHaveLength(1);
      expect(dms[0]!.text).toContain('Reminder: week 1 check-in');
    }
  });

  it('leaves nothing pending or dead, and Slack saw one post per message', async () => {
    const rows = await t.db.selectFrom('outbox').select(['status', 'target_kind', 'last_error']).execute();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    const posts = rows.filter((r) => r.target_kind !== 'message').length;
    expect(fake.messages.filter((m) => !m.ephemeralTo)).toHaveLength(posts);
    // The storm really hit: most first tries were refused.
    expect(front.rateLimited.get('chat.postMessage')).toBeGreaterThanOrEqual(200);
  });
});
