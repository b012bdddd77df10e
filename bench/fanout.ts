/**
 * Round fan-out: 1,000 cohorts due in the same minute, from the tick until every round post has
 * reached a local fake Slack, through the real Slack ChatPort and the real scheduler + deliverDue on
 * two replicas (two pools, two ports, two schedulers, as two processes would run them). Then the
 * same against a fake that allows 1 message/s per channel and answers 429 with Retry-After beyond
 * it, and 100 posts into 10 channels so that limit is what bounds the time. Lost and doubled posts
 * are counted per round id at the fake. Baseline: the same messages sent by a plain loop of
 * WebClient chat.postMessage calls, no outbox.
 *
 * Run: npx tsx bench/fanout.ts [--cohorts 1000]
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { webApi } from '@slack/bolt';
import { loadContent } from '../src/content/load.js';
import type { OutMessage } from '../src/core/chat.js';
import { openDueRounds } from '../src/core/rounds.js';
import type { Db } from '../src/db/connect.js';
import { DELIVERY_DEFAULTS, deliverDue } from '../src/jobs/deliver.js';
import { createScheduler } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/log.js';
import { boltLogger } from '../src/platforms/slack/app.js';
import { renderMessage } from '../src/platforms/slack/blocks.js';
import { openBenchDb, type BenchDb } from './lib/db.js';
import { BOT_TOKEN, makeReplicas, seedBacklog, seedDueCohorts, type Replica } from './lib/fanout-setup.js';
import { count, epochNow, figure, heading, machineLine, ms, numberArg, pollUntil, sleep, summarize, table, type SummaryRow } from './lib/report.js';
import { SlackSide } from './lib/slack-side.js';

const log = createLogger('silent', false);

interface Outcome {
  rounds: number;
  posts: number;
  rateLimited: number;
  lost: number;
  doubled: number;
  /** From t0 (ms); null when it never happened. */
  roundsWritten: number | null;
  firstPost: number | null;
  allPosted: number | null;
  dead: number;
}

async function outcome(db: Db, slack: SlackSide, t0: number, roundsWritten: number | null): Promise<Outcome> {
  const stats = await slack.stats();
  const rounds = (await db.selectFrom('rounds').select('id').execute()).map((r) => r.id);
  const posted = new Map(stats.roundPosts);
  const dead = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'dead').executeTakeFirstOrThrow();
  const allThere = rounds.every((id) => posted.has(id));
  return {
    rounds: rounds.length,
    posts: stats.posts,
    rateLimited: stats.rateLimited,
    lost: rounds.filter((id) => !posted.has(id)).length,
    doubled: [...posted.values()].reduce((sum, c) => sum + Math.max(0, c - 1), 0),
    roundsWritten,
    firstPost: stats.firstPostAt === null ? null : stats.firstPostAt - t0,
    allPosted: allThere && stats.lastPostAt !== null ? stats.lastPostAt - t0 : null,
    dead: dead.n,
  };
}

const pendingCount = async (db: Db) =>
  (await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n;

/**
 * Both replicas' schedulers start at t0 exactly as startBot starts them: each ticks at once (the
 * tick writes the rounds and their outbox rows) and polls for due deliveries every second.
 */
async function scheduled(bdb: BenchDb, replicas: Replica[], slack: SlackSide, expected: number, timeoutMs: number, pollMs = 1000): Promise<Outcome> {
  const t0 = epochNow();
  const schedulers = replicas.map((r) => createScheduler({ deps: r.deps, ports: r.ports, log, autoStart: true, pollMs, notifications: r.handle }));
  let roundsWritten: number | null = null;
  let watching = true;
  const watcher = (async () => {
    while (watching && roundsWritten === null) {
      const n = (await bdb.db.selectFrom('rounds').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
      if (n >= expected) roundsWritten = epochNow() - t0;
      else await sleep(20);
    }
  })();
  await slack.waitRoundPosts(expected, timeoutMs);
  // Anything still pending (a re-post in the making) must be given its chance to show up as doubled.
  await pollUntil(async () => (await pendingCount(bdb.db)) === 0, 5000, 50);
  await sleep(300);
  watching = false;
  await watcher;
  await Promise.all(schedulers.map((s) => s.stop()));
  return outcome(bdb.db, slack, t0, roundsWritten);
}

/** The delivery worker alone: rows already due, each replica calling deliverDue back to back. */
async function deliveryOnly(bdb: BenchDb, replicas: Replica[], slack: SlackSide, expected: number, opts: { batchSize: number; concurrency: number }): Promise<Outcome & { passes: number }> {
  const t0 = epochNow();
  let passes = 0;
  let done = false;
  const loops = replicas.map(async (r, i) => {
    while (!done) {
      const res = await deliverDue(r.db, r.ports, new Date(), { workerId: `bench-${i}`, ...opts });
      passes++;
      if (res.sent + res.retried + res.dead === 0) {
        if ((await pendingCount(r.db)) === 0) break;
        await sleep(5);
      }
    }
  });
  await slack.waitRoundPosts(expected, 60_000);
  done = true;
  await Promise.all(loops);
  return { ...(await outcome(bdb.db, slack, t0, null)), passes };
}

/** The baseline: the same messages, one chat.postMessage after another, a stock WebClient (it waits out 429s itself). */
async function plainLoop(bdb: BenchDb, slack: SlackSide, perChannelPerSec: number | null): Promise<{ ms: number; posts: number; rateLimited: number }> {
  // Week by week, channel by channel: the order the ticks would have produced them in.
  const rows = await bdb.db
    .selectFrom('outbox')
    .innerJoin('rounds', (j) => j.on(sql<boolean>`rounds.id = (outbox.payload->>'roundId')::int`))
    .select(['outbox.target_id', 'outbox.payload'])
    .where('outbox.kind', '=', 'round')
    .orderBy('rounds.week')
    .orderBy('outbox.target_id')
    .execute();
  await slack.configure(perChannelPerSec);
  const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logger: boltLogger(log) });
  const messages = rows.map((r) => ({ channel: r.target_id, ...renderMessage(r.payload as OutMessage), roundId: (r.payload as OutMessage).roundId }));
  const t0 = epochNow();
  for (const m of messages) {
    await client.chat.postMessage({
      channel: m.channel,
      text: m.text,
      blocks: m.blocks,
      unfurl_links: false,
      metadata: { event_type: 'mentorbot_round', event_payload: { round_id: m.roundId ?? 0 } },
    });
  }
  const elapsed = epochNow() - t0;
  const stats = await slack.stats();
  return { ms: elapsed, posts: stats.posts, rateLimited: stats.rateLimited };
}

const when = (v: number | null) => (v === null ? 'never' : ms(v));

async function main(): Promise<void> {
  const cohorts = numberArg('--cohorts', 1000);
  const bdb = await openBenchDb();
  const slack = await SlackSide.start();
  const content = await loadContent(fileURLToPath(new URL('../content', import.meta.url)));
  const summary: SummaryRow[] = [];
  try {
    console.log(`fan-out bench on ${bdb.label}; fake Slack in its own process; 2 replicas, deliverDue defaults (batch ${DELIVERY_DEFAULTS.batchSize}, concurrency ${DELIVERY_DEFAULTS.concurrency}), woken by the tick and by outbox notifications, poll 1 s as a safety net; ${machineLine()}`);
    const replicas = await makeReplicas(bdb, content, slack, 2, log);
    const rows: Array<Array<string | number>> = [];
    const report = (name: string, o: Outcome, bound: string, baseline: { ms: number; rateLimited: number }) => {
      rows.push([name, count(o.rounds), count(o.posts), count(o.rateLimited), o.lost, o.doubled, o.dead, when(o.roundsWritten), when(o.firstPost), when(o.allPosted), bound, ms(baseline.ms), count(baseline.rateLimited)]);
    };

    // 0. Warm-up, not reported: the same path (schedulers, ticks, delivery, the plain loop) once at a
    // tenth of the size, so that run 1 compares a warm bot with a warm loop. Cold, the bot's first
    // fan-out also paid for compiling (tsx, the JIT) what a running bot compiled long before.
    await bdb.truncate();
    await slack.configure(null);
    await seedDueCohorts(bdb.db, Math.max(1, Math.round(cohorts / 10)), new Date());
    const warm = await scheduled(bdb, replicas, slack, Math.max(1, Math.round(cohorts / 10)), 120_000);
    await plainLoop(bdb, slack, null);
    console.log(`warm-up (not counted): ${count(warm.rounds)} rounds posted at ${when(warm.allPosted)}, ${warm.lost} lost, ${warm.doubled} doubled`);

    // 1. Unthrottled: the tick and the delivery worker are all there is.
    await bdb.truncate();
    await slack.configure(null);
    await seedDueCohorts(bdb.db, cohorts, new Date());
    const open = await scheduled(bdb, replicas, slack, cohorts, 120_000);
    const openBase = await plainLoop(bdb, slack, null);
    report(`${cohorts} cohorts, unthrottled`, open, '-', openBase);

    // 2. The same at 1 message/s per channel: one post per channel, so the limit should not bind.
    await bdb.truncate();
    await slack.configure(1);
    await seedDueCohorts(bdb.db, cohorts, new Date());
    const wide = await scheduled(bdb, replicas, slack, cohorts, 120_000);
    const wideBase = await plainLoop(bdb, slack, 1);
    report(`${cohorts} cohorts, 1 msg/s/channel`, wide, '1 s', wideBase);

    // 3. 100 posts into 10 channels at 1 message/s per channel: the limit binds (10 posts per channel → 10 s).
    await bdb.truncate();
    await slack.configure(1);
    await seedBacklog(bdb.db, content, 10, 10, new Date());
    const narrow = await scheduled(bdb, replicas, slack, 100, 120_000);
    const narrowBase = await plainLoop(bdb, slack, 1);
    report('100 posts in 10 channels, 1 msg/s/ch', narrow, '10 s', narrowBase);

    // 3b. The same with the scheduler polling every 250 ms instead of every second.
    await bdb.truncate();
    await slack.configure(1);
    await seedBacklog(bdb.db, content, 10, 10, new Date());
    const narrowFast = await scheduled(bdb, replicas, slack, 100, 120_000, 250);
    report('  same, scheduler poll 250 ms', narrowFast, '10 s', narrowBase);

    heading('time from t0 (schedulers started) — rounds written by the tick, first post, every round posted');
    console.log(
      table(['scenario', 'rounds', 'posts', '429s', 'lost', 'doubled', 'dead', 'rounds written', 'first post', 'all posted', 'rate bound', 'baseline loop', 'baseline 429s'], rows),
    );
    const ratio = (open.allPosted ?? Number.NaN) / openBase.ms;
    if (open.roundsWritten !== null && open.allPosted !== null) {
      console.log(
        `\nunthrottled: the two ticks had written all ${count(cohorts)} rounds at ${ms(open.roundsWritten)}; the last post went out ${ms(open.allPosted - open.roundsWritten)} after that ` +
          `(delivery starts at each commit of the tick, not at a poll). Every round posted ${ms(open.allPosted)} after start against ${ms(openBase.ms)} for the plain loop: ${ratio.toFixed(2)}×. ` +
          'Baseline: a plain loop of WebClient calls, no outbox; under a 429 the stock client waits Retry-After and then its own backoff.',
      );
    }

    // 4. Where the time goes: the tick alone, then deliverDue alone at its defaults and with more room.
    heading('where the time goes (unthrottled, 1 replica ticking, then 2 workers calling deliverDue back to back)');
    const parts: Array<Array<string | number>> = [];
    const variants = [
      { batchSize: 100, concurrency: 8 },
      { batchSize: 100, concurrency: 32 },
      { batchSize: DELIVERY_DEFAULTS.batchSize, concurrency: DELIVERY_DEFAULTS.concurrency },
      { batchSize: 1000, concurrency: 64 },
      { batchSize: 500, concurrency: 128 },
    ];
    let tickMs = 0;
    let defaultDelivery = Number.NaN;
    for (const v of variants) {
      await bdb.truncate();
      await slack.configure(null);
      const now = new Date();
      await seedDueCohorts(bdb.db, cohorts, now);
      const t = epochNow();
      const opened = await openDueRounds(bdb.db, content, now);
      tickMs = epochNow() - t;
      const d = await deliveryOnly(bdb, replicas, slack, opened.length, v);
      const isDefault = v.batchSize === DELIVERY_DEFAULTS.batchSize && v.concurrency === DELIVERY_DEFAULTS.concurrency;
      if (isDefault) defaultDelivery = d.allPosted ?? Number.NaN;
      parts.push([
        `batch ${v.batchSize}, concurrency ${v.concurrency}${isDefault ? ' (default)' : ''}`,
        ms(tickMs),
        when(d.allPosted),
        d.allPosted ? `${Math.round((d.posts / d.allPosted) * 1000)}/s` : '-',
        d.passes,
        d.lost,
        d.doubled,
      ]);
    }
    console.log(table(['deliverDue options', `openDueRounds (${cohorts})`, 'delivery of all', 'posts/s', 'passes', 'lost', 'doubled'], parts));

    const ok = (o: Outcome) => o.lost === 0 && o.doubled === 0;
    summary.push(
      {
        bench: 'fanout',
        what: `${cohorts} rounds posted, unthrottled`,
        value: when(open.allPosted),
        baseline: `plain loop ${ms(openBase.ms)}`,
        target: '≤ 5 s, 0 lost/doubled',
        ok: open.allPosted !== null && open.allPosted <= 5000 && ok(open),
      },
      {
        bench: 'fanout',
        what: `${cohorts} rounds posted ÷ plain loop`,
        value: Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '-',
        baseline: `plain loop ${ms(openBase.ms)}`,
        target: '≤ 1.5×',
        ok: Number.isFinite(ratio) && ratio <= 1.5 && ok(open),
      },
      {
        bench: 'fanout',
        what: `${cohorts} rounds, 1 msg/s/channel`,
        value: when(wide.allPosted),
        baseline: `plain loop ${ms(wideBase.ms)}`,
        target: '≤ 5 s (1 post per channel: the limit does not bind)',
        ok: wide.allPosted !== null && wide.allPosted <= 5000 && ok(wide),
      },
      {
        bench: 'fanout',
        what: '100 posts in 10 channels, 1 msg/s/ch',
        value: when(narrow.allPosted),
        baseline: `plain loop ${ms(narrowBase.ms)}`,
        target: '≤ 11 s (1.1× 10 s), 0 lost/doubled',
        ok: narrow.allPosted !== null && narrow.allPosted <= 11_000 && ok(narrow),
      },
      {
        bench: 'fanout',
        what: `lost / doubled (all runs)`,
        value: `${warm.lost + open.lost + wide.lost + narrow.lost} / ${warm.doubled + open.doubled + wide.doubled + narrow.doubled}`,
        baseline: '-',
        target: '0 / 0',
        ok: ok(warm) && ok(open) && ok(wide) && ok(narrow),
      },
      {
        bench: 'fanout',
        what: `deliverDue alone, ${cohorts} posts, 2 workers`,
        value: ms(defaultDelivery),
        baseline: `openDueRounds ${ms(tickMs)}`,
        target: '-',
        ok: null,
      },
    );
    const lostOrDoubled = (o: Outcome) => o.lost + o.doubled;
    summarize(summary, [
      figure('fanout', 'rounds-posted', open.allPosted ?? Number.NaN, 'ms', ['fanout/plain-loop', openBase.ms]),
      figure('fanout', 'rounds-posted-ratio', ratio, 'x'),
      figure('fanout', 'rounds-posted-rate-limited', wide.allPosted ?? Number.NaN, 'ms', ['fanout/plain-loop-rate-limited', wideBase.ms]),
      figure('fanout', 'backlog-posted-rate-limited', narrow.allPosted ?? Number.NaN, 'ms', ['fanout/plain-loop-backlog', narrowBase.ms]),
      figure('fanout', 'lost-or-doubled', lostOrDoubled(warm) + lostOrDoubled(open) + lostOrDoubled(wide) + lostOrDoubled(narrow), 'posts'),
      figure('fanout', 'deliver-due', defaultDelivery, 'ms', ['fanout/open-due-rounds', tickMs]),
    ]);
  } finally {
    await slack.close();
    await bdb.close();
  }
}

await main();
process.exit(0);
