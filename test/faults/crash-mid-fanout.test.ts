import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../helpers/db.js';
import { FakeSlack, type FakeMessage } from '../helpers/fake-slack.js';
import { eventually, killAllBots, spawnBot, type BotProcess } from '../helpers/processes.js';
import { SIGNING_SECRET } from '../helpers/slack-requests.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-db.js';
import { seedCohorts, type SeededCohort } from './seed.js';
import { SlackFront } from './slack-front.js';

// Far enough ahead that the replicas' first tick, on the real clock, finds nothing due.
const DATE = '2031-03-03';
const SLOT = `${DATE}T09:00:00Z`;
const REMINDERS_DUE = `${DATE.slice(0, 8)}04T09:00:00Z`;
/** Two minutes on: past the 60 s claim lease of everything the killed replica had claimed. */
const afterLease = (iso: string) => new Date(new Date(iso).getTime() + 2 * 60_000).toISOString();
const COHORTS = 200;
const KILL_AFTER = 60;
const ROUND_EVENT = 'mentorbot_round';

async function setClock(bot: BotProcess, at: string): Promise<Response> {
  return fetch(`${bot.baseUrl}/_test/clock`, { method: 'POST', body: JSON.stringify({ set: at }) });
}

/**
 * Two real bot processes share one Postgres. Replica A is killed with SIGKILL in the middle of a
 * fan-out to a slow Slack, with some messages posted but not yet confirmed; it is started again
 * and both replicas drain. Slack cannot deduplicate, so a claimed-but-unconfirmed round must be
 * looked up in the channel's history (its metadata carries the round id) before it is posted again.
 */
describe.skipIf(testDbKind !== 'postgres')('a replica killed with -9 in the middle of a fan-out (Postgres only: set TEST_DATABASE_URL)', () => {
  let scratch: ScratchDatabase;
  let fake: FakeSlack;
  let front: SlackFront;
  let a: BotProcess;
  let b: BotProcess;
  let cohorts: SeededCohort[];
  let env: Record<string, string>;
  /** While set, A is killed the moment the Nth matching post is in Slack, before its answer is sent back. */
  let killWhen: { matches: (m: FakeMessage) => boolean; at: number; killedAt: number | null } | null = null;

  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!);
    cohorts = await seedCohorts(scratch.handle.db, { count: COHORTS, date: DATE, learners: 1, prefix: 'K' });
    fake = await FakeSlack.start();
    front = await SlackFront.start(fake, {
      slow: { methods: ['chat.postMessage'], ms: 20 },
      onRecorded: (method) => {
        const kill = killWhen;
        if (method !== 'chat.postMessage' || !kill || kill.killedAt !== null || !a?.alive()) return;
        const seen = fake.messages.filter(kill.matches).length;
        if (seen >= kill.at) {
          kill.killedAt = seen;
          process.kill(a.pid, 'SIGKILL');
        }
      },
    });
    env = { DATABASE_URL: scratch.url, SLACK_BOT_TOKEN: 'xoxb-fault-test', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: front.apiUrl, MENTORBOT_TEST_CLOCK: '1' };
    [a, b] = await Promise.all([spawnBot('replica A', env), spawnBot('replica B', env)]);
    await Promise.all([a.waitHealthy(), b.waitHealthy()]);
  }, 90_000);

  afterAll(async () => {
    await killAllBots();
    await front?.close();
    await fake?.close();
    await scratch?.drop();
  });

  const db = () => scratch.handle.db;
  const isRoundPost = (m: FakeMessage) => m.metadata?.event_type === ROUND_EVENT;
  const isDm = (m: FakeMessage) => m.channel.startsWith('D');
  const diagnostics = async () => {
    const outbox = await db().selectFrom('outbox').select(['status']).execute();
    const byStatus = outbox.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    return `outbox ${JSON.stringify(byStatus)}, rounds posted ${fake.messages.filter(isRoundPost).length}, DMs ${fake.messages.filter(isDm).length}\n--- A ---\n${a?.output() ?? ''}\n--- B ---\n${b?.output() ?? ''}`;
  };
  const unfinished = async () => (await db().selectFrom('outbox').select(['id', 'payload', 'claimed_until', 'kind']).where('status', '=', 'pending').execute());

  /**
   * A moves its clock to `at` (a tick and a fan-out) and is killed after KILL_AFTER matching posts;
   * A is started again and both replicas move past the lease and drain. Returns how many rows A
   * left posted-but-unconfirmed, as far as the test can tell.
   */
  async function crashAndRecover(at: string, matches: (m: FakeMessage) => boolean, postedIdOf: (m: FakeMessage) => string, rowIdOf: (payload: unknown, targetId: string) => string): Promise<number> {
    killWhen = { matches, at: KILL_AFTER, killedAt: null };
    const trigger = setClock(a, at).catch(() => null);
    await eventually(() => !a.alive(), { timeoutMs: 30_000, intervalMs: 50, describe: async () => `replica A was never killed; ${await diagnostics()}` });
    await trigger;
    expect(killWhen.killedAt, await diagnostics()).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(killWhen.killedAt).toBeLessThan(COHORTS);

    // The crash left rows claimed by A that are already in Slack, with no record that they were sent.
    const posted = new Set(fake.messages.filter(matches).map(postedIdOf));
    const claimed = await db().selectFrom('outbox').select(['payload', 'target_id']).where('status', '=', 'pending').where('claimed_until', 'is not', null).execute();
    const postedButUnconfirmed = claimed.filter((r) => posted.has(rowIdOf(r.payload, r.target_id))).length;
    expect(postedButUnconfirmed).toBeGreaterThan(0);

    a = await spawnBot('replica A (restarted)', env);
    await a.waitHealthy();
    const [ra, rb] = await Promise.all([setClock(a, afterLease(at)), setClock(b, afterLease(at))]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    await eventually(async () => (await unfinished()).length === 0, { timeoutMs: 45_000, intervalMs: 200, describe: diagnostics });
    return postedButUnconfirmed;
  }

  it('posts every round exactly once after the crash, and loses none', async () => {
    const historyBefore = fake.callsOf('conversations.history').length;
    const unconfirmed = await crashAndRecover(
      SLOT,
      isRoundPost,
      (m) => String(m.metadata!.event_payload.round_id),
      (payload) => String((payload as { roundId: number }).roundId),
    );

    const rounds = await db().selectFrom('rounds').select(['id', 'channel_id', 'message_id']).orderBy('id').execute();
    expect(rounds).toHaveLength(COHORTS);
    const posts = fake.messages.filter(isRoundPost);
    const notOnce = rounds.filter((r) => posts.filter((m) => Number(m.metadata!.event_payload.round_id) === r.id).length !== 1);
    expect(notOnce.map((r) => r.id), 'rounds not posted exactly once').toEqual([]);
    expect(posts).toHaveLength(COHORTS);
    for (const round of rounds) {
      const post = posts.find((m) => Number(m.metadata!.event_payload.round_id) === round.id)!;
      expect(post.channel).toBe(round.channel_id);
      // The round knows its post, also when it was found in the history rather than posted again.
      expect(round.message_id).toBe(post.ts);
    }
    const outbox = await db().selectFrom('outbox').select(['status', 'kind']).execute();
    expect(outbox.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(outbox.filter((r) => r.kind === 'round')).toHaveLength(COHORTS);
    // The history lookup really ran for what A had posted without confirming.
    expect(fake.callsOf('conversations.history').length - historyBefore).toBeGreaterThanOrEqual(unconfirmed);
  }, 120_000);

  describe('and again during the reminder fan-out a day later', () => {
    it('loses no reminder', async () => {
      await crashAndRecover(
        REMINDERS_DUE,
        isDm,
        (m) => m.channel,
        (_payload, targetId) => `D${targetId}`,
      );
      const reminders = await db().selectFrom('outbox').select(['status']).where('kind', '=', 'reminder').execute();
      expect(reminders).toHaveLength(COHORTS);
      expect(reminders.filter((r) => r.status !== 'sent')).toEqual([]);
      for (const learner of cohorts.flatMap((c) => c.learners)) expect(fake.messagesIn(`D${learner}`).length, learner).toBeGreaterThanOrEqual(1);
    }, 120_000);

    // A DM claimed and posted by the dead replica is found in the DM's history by its outbox key.
    it('sends each learner that reminder only once', () => {
      const twice = cohorts.flatMap((c) => c.learners).filter((learner) => fake.messagesIn(`D${learner}`).length !== 1);
      expect(twice).toEqual([]);
    });
  });
});
