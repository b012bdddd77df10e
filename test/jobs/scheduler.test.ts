import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutMessage, SentRef } from '../../src/core/chat.js';
import type { CoreDeps } from '../../src/core/core.js';
import { enqueue } from '../../src/core/outbox.js';
import type { Db, DbHandle } from '../../src/db/connect.js';
import { createScheduler, type Scheduler } from '../../src/jobs/scheduler.js';
import { runTick } from '../../src/jobs/tick.js';
import { createLogger } from '../../src/log.js';
import { testDbKind, useTestDb } from '../helpers/db.js';
import { realDeps } from '../helpers/engine.js';
import { eventually } from '../helpers/processes.js';
import { RecordingPort } from '../helpers/recording-port.js';

const t = useTestDb();
const log = createLogger('silent', false);
/** A Monday 09:00 UTC: the seeded cohorts' first slot. */
const NOW = '2026-03-02T09:00:00Z';
/** Far longer than any wait below: whatever is delivered in these tests was woken, never polled. */
const POLL_MS = 60_000;
/** "At once": well under a poll, with room for a slow shared machine. */
const PROMPTLY_MS = 5_000;

async function seedDueCohorts(db: Db, n: number): Promise<void> {
  await sql`
    insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
    select 'wake-' || i, 'local', 'C-wake-' || i, 'ds-to-mle', '2026-03-02', 1, '09:00', 'UTC', 'organizer', ${new Date(NOW)}
    from generate_series(1, ${n}) i`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'learner-' || c.id, 'Learner ' || c.id, 'learner', ${new Date(NOW)} from cohorts c`.execute(db);
}

const roundPosts = (port: RecordingPort) => port.sent.filter((s) => s.kind === 'post' && s.message.roundId !== undefined);

async function everyRoundOnce(ports: RecordingPort[]): Promise<{ rounds: number; lost: number[]; doubled: number[] }> {
  const rounds = (await t.db.selectFrom('rounds').select('id').execute()).map((r) => r.id);
  const posts = ports.flatMap(roundPosts).map((s) => s.message.roundId!);
  return {
    rounds: rounds.length,
    lost: rounds.filter((id) => !posts.includes(id)),
    doubled: rounds.filter((id) => posts.filter((p) => p === id).length > 1),
  };
}

/** The first tick of a scheduler started with autoStart has run once the heartbeat is there. */
async function firstTickDone(): Promise<void> {
  await eventually(async () => (await t.db.selectFrom('heartbeats').select('at').where('name', '=', 'scheduler').executeTakeFirst()) !== undefined, {
    timeoutMs: 10_000,
    describe: () => 'the scheduler never ticked',
  });
}

/**
 * node-cron ticks at every wall-clock minute, and a tick also starts delivery: a test that must see
 * only a notification at work starts well clear of the next minute.
 */
async function clearOfTheMinute(needMs: number): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute + needMs > 59_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 500));
}

/** The connections of this test file that last ran LISTEN (Postgres): a replica's notification listener. */
async function listeners(): Promise<number[]> {
  const r = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = current_database() and application_name = current_setting('application_name') and query ilike 'listen%'`.execute(t.db);
  return r.rows.map((row) => row.pid);
}

class SlowPort extends RecordingPort {
  constructor(private readonly ms: number) {
    super('local');
  }
  override async postToChannel(channelId: string, message: OutMessage, key: string): Promise<SentRef> {
    await new Promise((r) => setTimeout(r, this.ms));
    return super.postToChannel(channelId, message, key);
  }
}

describe('the scheduler delivers what is written at once, with its poll a minute away', () => {
  const running: Scheduler[] = [];
  const start = (deps: CoreDeps, port: RecordingPort, notifications?: DbHandle) => {
    const s = createScheduler({ deps, ports: new Map([['local', port]]), log, autoStart: true, pollMs: POLL_MS, notifications });
    running.push(s);
    return s;
  };
  beforeEach(() => t.reset());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  it('posts the rounds its own tick wrote right after that tick, without any notification', async () => {
    await seedDueCohorts(t.db, 20);
    const port = new RecordingPort('local');
    const started = Date.now();
    start(await realDeps(t.db, [], NOW), port);
    await eventually(() => roundPosts(port).length >= 20, { timeoutMs: PROMPTLY_MS, describe: () => `${roundPosts(port).length} of 20 rounds posted` });
    expect(Date.now() - started).toBeLessThan(PROMPTLY_MS);
    expect(await everyRoundOnce([port])).toEqual({ rounds: 20, lost: [], doubled: [] });
  });

  it('is woken by a notification when another replica writes outbox rows', async () => {
    await clearOfTheMinute(10_000);
    const port = new RecordingPort('local');
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await firstTickDone();
    expect(port.sent).toEqual([]);

    // Replica A ticks on its own connection and delivers nothing itself.
    await seedDueCohorts(t.db, 20);
    const written = Date.now();
    expect((await runTick(await realDeps(t.db, [], NOW), new Date(NOW))).rounds).toBe(20);
    await eventually(() => roundPosts(port).length >= 20, { timeoutMs: PROMPTLY_MS, describe: () => `replica B posted ${roundPosts(port).length} of 20 rounds` });
    expect(Date.now() - written).toBeLessThan(PROMPTLY_MS);
    expect(await everyRoundOnce([port])).toEqual({ rounds: 20, lost: [], doubled: [] });

    // And any other write: a message a command queued.
    await enqueue(t.db, { key: 'notice:1', kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-other', message: { text: 'hello' }, availableAt: new Date(NOW) });
    await eventually(() => port.sent.some((s) => s.key === 'notice:1'), { timeoutMs: PROMPTLY_MS, describe: () => 'the notice was not delivered' });
  });

  it('sends nothing early when woken for a row that is not due yet', async () => {
    const port = new RecordingPort('local');
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await firstTickDone();
    await enqueue(t.db, { key: 'later', kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-later', message: { text: 'later' }, availableAt: new Date(Date.parse(NOW) + 3_600_000) });
    await new Promise((r) => setTimeout(r, 300));
    expect(port.sent).toEqual([]);
    const row = await t.db.selectFrom('outbox').select(['status', 'claimed_by']).where('key', '=', 'later').executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', claimed_by: null });
  });

  it('two replicas, both listening and ticking, post every round exactly once', async () => {
    await seedDueCohorts(t.db, 60);
    const [pa, pb] = [new RecordingPort('local'), new RecordingPort('local')];
    start(await realDeps(t.db, [], NOW), pa, t.handle);
    start(await realDeps(await t.connectAgain(), [], NOW), pb, await t.openAgain());
    await eventually(() => roundPosts(pa).length + roundPosts(pb).length >= 60, {
      timeoutMs: PROMPTLY_MS,
      describe: () => `${roundPosts(pa).length} + ${roundPosts(pb).length} of 60 rounds posted`,
    });
    // Time for a post twice to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(await everyRoundOnce([pa, pb])).toEqual({ rounds: 60, lost: [], doubled: [] });
    const outbox = await t.db.selectFrom('outbox').select('status').where('kind', '=', 'round').execute();
    expect(outbox.filter((r) => r.status !== 'sent')).toEqual([]);
  });

  it('ticks only while no other replica holds the tick, and still delivers meanwhile', async () => {
    await seedDueCohorts(t.db, 5);
    // Another replica is ticking (its lease runs another 30 s on the real clock).
    await t.db.insertInto('leases').values({ name: 'tick', holder: 'replica-elsewhere', expires_at: new Date(Date.now() + 30_000) }).execute();
    const port = new RecordingPort('local');
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await enqueue(t.db, { key: 'notice:held', kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-other', message: { text: 'hello' }, availableAt: new Date(NOW) });
    await eventually(() => port.sent.some((s) => s.key === 'notice:held'), { timeoutMs: PROMPTLY_MS, describe: () => 'the notice was not delivered' });
    expect(await t.db.selectFrom('rounds').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('heartbeats').select('at').where('name', '=', 'scheduler').execute()).toEqual([]);
    expect(await t.db.selectFrom('leases').select('holder').where('name', '=', 'tick').execute()).toEqual([{ holder: 'replica-elsewhere' }]);
  });

  it('takes over the tick from a replica whose lease ran out, and gives it back when done', async () => {
    await seedDueCohorts(t.db, 5);
    await t.db.insertInto('leases').values({ name: 'tick', holder: 'replica-died', expires_at: new Date(Date.now() - 1_000) }).execute();
    const port = new RecordingPort('local');
    start(await realDeps(t.db, [], NOW), port);
    await eventually(() => roundPosts(port).length >= 5, { timeoutMs: PROMPTLY_MS, describe: () => `${roundPosts(port).length} of 5 rounds posted` });
    expect(await t.db.selectFrom('leases').select('holder').where('name', '=', 'tick').execute()).toEqual([]);
  });

  it('stops listening when stopped: no connection left, and later writes wait for a replica that runs', async () => {
    const port = new RecordingPort('local');
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await firstTickDone();
    if (testDbKind === 'postgres') expect(await listeners()).toHaveLength(1);
    await b.stop();
    if (testDbKind === 'postgres') await eventually(async () => (await listeners()).length === 0, { timeoutMs: 2_000, describe: () => 'the listening connection is still open' });
    await enqueue(t.db, { key: 'after-stop', kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-x', message: { text: 'x' }, availableAt: new Date(NOW) });
    await new Promise((r) => setTimeout(r, 300));
    expect(port.sent).toEqual([]);
    expect((await t.db.selectFrom('outbox').select('status').where('key', '=', 'after-stop').executeTakeFirstOrThrow()).status).toBe('pending');
  });

  it('lets the pass in flight finish on stop: what went out is marked sent, and nothing more is sent', async () => {
    const port = new SlowPort(100);
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await firstTickDone();
    for (let i = 0; i < 5; i++) {
      await enqueue(t.db, { key: `slow:${i}`, kind: 'notice', platform: 'local', targetKind: 'channel', targetId: 'C-slow', message: { text: `#${i}` }, availableAt: new Date(NOW) });
    }
    await eventually(() => port.attempts > 0, { timeoutMs: PROMPTLY_MS, intervalMs: 5, describe: () => 'nothing was being sent' });
    await b.stop();
    const sentByThen = port.sent.length;
    const rows = await t.db.selectFrom('outbox').select(['key', 'status', 'claimed_until']).where('key', 'like', 'slow:%').orderBy('key').execute();
    // Every post the platform got is recorded as sent: no claim is left to run out and be retried.
    expect(rows.filter((r) => r.status === 'sent').map((r) => r.key)).toEqual(port.sent.map((s) => s.key));
    await new Promise((r) => setTimeout(r, 300));
    expect(port.sent.length).toBe(sentByThen);
  });

  it.skipIf(testDbKind !== 'postgres')('listens again after its connection was cut, and is woken as before (Postgres)', async () => {
    const port = new RecordingPort('local');
    const b = start(await realDeps(t.db, [], NOW), port, await t.openAgain());
    expect(await b.listening).toBe(true);
    await firstTickDone();
    await clearOfTheMinute(10_000);
    const [cut] = await listeners();
    await sql`select pg_terminate_backend(${cut})`.execute(t.db);
    await eventually(
      async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== cut;
      },
      { timeoutMs: 5_000, describe: () => 'the listener did not come back' },
    );
    await seedDueCohorts(t.db, 5);
    await runTick(await realDeps(t.db, [], NOW), new Date(NOW));
    await eventually(() => roundPosts(port).length >= 5, { timeoutMs: PROMPTLY_MS, describe: () => `${roundPosts(port).length} of 5 rounds posted after the reconnection` });
  });
});
