/**
 * Check-in ingest: signed Slack button clicks (block_actions, as Slack sends them) at a fixed rate,
 * open loop, against the running bot (startBot with SLACK_API_URL on a fake Web API), measuring the
 * time to Slack's HTTP 200 (the ack) and to the answer on response_url. Baseline: a bare Bolt app
 * that only acks, on the same path with the same signature check, hit by the same clicks.
 * CPU per click is process.cpuUsage of this process (which hosts the bot, and in the baseline phase
 * the bare app beside the idle bot) over the run, divided by the clicks sent; on PGlite it includes
 * the database, on Postgres it does not.
 * "Slack" (the fake Web API and the load generator) runs in a process of its own.
 *
 * Run: npx tsx bench/ingest.ts [--quick] [--duration 60] [--rate 300]
 */
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { App } from '@slack/bolt';
import { sql } from 'kysely';
import type { Config } from '../src/config.js';
import { loadContent } from '../src/content/load.js';
import type { Db } from '../src/db/connect.js';
import { createLogger } from '../src/log.js';
import { startBot } from '../src/main.js';
import { boltLogger } from '../src/platforms/slack/app.js';
import { SIGNING_SECRET } from '../test/helpers/slack-requests.js';
import { openBenchDb } from './lib/db.js';
import { count, figure, flag, heading, machineLine, ms, numberArg, percentile, sortedCopy, summarize, table } from './lib/report.js';
import { SlackSide } from './lib/slack-side.js';
import type { LoadResult } from './lib/slack-process.js';

const BOT_TOKEN = 'xoxb-bench-token';
const log = createLogger('silent', false);

/** `cohorts` cohorts of `learners` learners, their first round due this minute. */
async function seed(db: Db, cohorts: number, learners: number, now: Date): Promise<Array<{ userId: string; channel: string }>> {
  await sql`
    insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
    select 'ingest-' || i, 'slack', 'CI' || lpad(i::text, 5, '0'), 'ds-to-mle', ${now.toISOString().slice(0, 10)}, ${((now.getUTCDay() + 6) % 7) + 1},
      ${now.toISOString().slice(11, 16)}, 'UTC', 'U0ORGANIZER', ${now}
    from generate_series(1, ${cohorts}) i`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'UI' || lpad(c.id::text, 4, '0') || 'L' || lpad(j::text, 3, '0'), 'Learner ' || c.id || '-' || j, 'learner', ${now}
    from cohorts c cross join generate_series(1, ${learners}) j`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'UI' || lpad(c.id::text, 4, '0') || 'M', 'Mentor ' || c.id, 'mentor', ${now} from cohorts c`.execute(db);
  const rows = await db
    .selectFrom('members')
    .innerJoin('cohorts', 'cohorts.id', 'members.cohort_id')
    .select(['members.user_id', 'cohorts.channel_id'])
    .where('members.role', '=', 'learner')
    .orderBy('members.id')
    .execute();
  // Interleave cohorts, so consecutive clicks come from different channels.
  const byCohort = new Map<string, Array<{ userId: string; channel: string }>>();
  for (const r of rows) {
    if (!byCohort.has(r.channel_id)) byCohort.set(r.channel_id, []);
    byCohort.get(r.channel_id)!.push({ userId: r.user_id, channel: r.channel_id });
  }
  const lists = [...byCohort.values()];
  const out: Array<{ userId: string; channel: string }> = [];
  for (let i = 0; out.length < rows.length; i++) for (const l of lists) if (l[i]) out.push(l[i]!);
  return out;
}

interface Figures {
  name: string;
  result: LoadResult;
  loopDelayP99: number;
  loopDelayMax: number;
  /** CPU time of this process (the bot, or the bare app) from the first click until every answer was out, in ms. */
  cpuMs: number;
  wallMs: number;
}

function row(f: Figures): Array<string | number> {
  const r = f.result;
  const ack = sortedCopy(r.ack.filter((v) => !Number.isNaN(v)));
  const service = sortedCopy(r.service.filter((v) => !Number.isNaN(v)));
  const follow = sortedCopy(r.followup.filter((v) => !Number.isNaN(v)));
  const ok = r.statuses['200'] ?? 0;
  const failed = r.measured - ack.length + Object.entries(r.statuses).reduce((s, [k, v]) => (k === '200' ? s : s + v), 0);
  return [
    f.name,
    count(r.measured),
    `${((r.sent / r.elapsedMs) * 1000).toFixed(0)}/s`,
    count(ok),
    failed,
    ms(percentile(ack, 0.5)),
    ms(percentile(ack, 0.9)),
    ms(percentile(ack, 0.99)),
    ms(ack[ack.length - 1] ?? Number.NaN),
    ms(percentile(service, 0.99)),
    follow.length ? ms(percentile(follow, 0.5)) : '-',
    follow.length ? ms(percentile(follow, 0.99)) : '-',
    follow.length ? `${count(follow.length)}/${count(r.measured)}` : '-',
    ms(f.loopDelayP99),
    `${((f.cpuMs / f.wallMs) * 100).toFixed(0)}%`,
    ms(f.cpuMs / f.result.sent),
  ];
}

/** p99 of the acks in each tenth of the run: a rising series is a backlog, a flat one is not. */
function window(r: LoadResult): string {
  const parts = 10;
  const size = Math.ceil(r.ack.length / parts);
  const out: string[] = [];
  for (let i = 0; i < r.ack.length; i += size) out.push(ms(percentile(sortedCopy(r.ack.slice(i, i + size).filter((v) => !Number.isNaN(v))), 0.99)));
  return `${((size * r.elapsedMs) / r.sent / 1000).toFixed(1)} s window: ${out.join(', ')}`;
}

async function underLoad(name: string, slack: SlackSide, job: Parameters<SlackSide['load']>[0]): Promise<Figures> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await slack.load(job);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - t;
  delay.disable();
  return { name, result, loopDelayP99: delay.percentile(99) / 1e6, loopDelayMax: delay.max / 1e6, cpuMs: (used.user + used.system) / 1000, wallMs };
}

async function main(): Promise<void> {
  const quick = flag('--quick');
  const durationS = quick ? 10 : numberArg('--duration', 60);
  const rate = numberArg('--rate', 300);
  const warmupMs = quick ? 2000 : 3000;
  const cohorts = numberArg('--cohorts', 100);
  const learnersPer = numberArg('--learners', 50);

  const bdb = await openBenchDb();
  const slack = await SlackSide.start();
  const contentDir = fileURLToPath(new URL('../content', import.meta.url));
  const content = await loadContent(contentDir);
  let bot: Awaited<ReturnType<typeof startBot>> | null = null;
  let bare: App | null = null;
  try {
    console.log(
      `ingest bench on ${bdb.label}; ${rate} signed clicks/s for ${durationS} s (after ${warmupMs / 1000} s of warm-up), open loop, fetch with keep-alive; ` +
        `fake Slack and load generator in their own process; ${machineLine()}`,
    );
    const learners = await seed(bdb.db, cohorts, learnersPer, new Date());
    const config: Config = {
      databaseUrl: null,
      dataDir: 'unused',
      contentDir,
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      adminUserIds: [],
      reminderAfterHours: 24,
      testClock: false,
      slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: null, apiUrl: slack.apiUrl },
      discord: null,
    };
    bot = await startBot(config, { handle: bdb.handle, log, content, autoStart: true });
    const posted = await slack.waitRoundPosts(cohorts, 60_000);
    if (posted.roundPosts.length < cohorts) throw new Error(`only ${posted.roundPosts.length} of ${cohorts} rounds were posted`);
    console.log(`${count(learners.length)} learners in ${cohorts} cohorts; the bot posted their rounds; the clicks cycle On track → Behind → Done → On track → Blocked`);

    // The baseline: Bolt's own HTTP receiver, one listener that acks and does nothing else.
    bare = new App({
      token: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      clientOptions: { slackApiUrl: slack.apiUrl },
      logger: boltLogger(log),
      // With token verification on, auth.test runs once at init; off, Bolt calls it on every request.
      deferInitialization: true,
    });
    bare.action(/.*/, async ({ ack }) => {
      await ack();
    });
    await bare.init();
    const server = (await bare.start(0)) as Server;
    const address = server.address();
    const barePort = typeof address === 'object' && address ? address.port : 0;

    const duration = durationS * 1000;
    const base = await underLoad('bare Bolt app (ack only)', slack, {
      url: `http://127.0.0.1:${barePort}/slack/events`,
      rate,
      durationMs: duration,
      warmupMs,
      learners,
      followupTimeoutMs: 0,
      tag: 'bare',
    });
    await bare.stop();
    bare = null;

    const before = await bdb.db.selectFrom('checkins').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const ours = await underLoad('mentorbot (startBot)', slack, {
      url: `http://127.0.0.1:${bot.port}/slack/events`,
      rate,
      durationMs: duration,
      warmupMs,
      learners,
      followupTimeoutMs: 30_000,
      tag: 'bot',
    });
    const after = await bdb.db
      .selectFrom('checkins')
      .select([sql<number>`count(*)::int`.as('n'), sql<number>`count(*) filter (where source = 'button')::int`.as('buttons')])
      .executeTakeFirstOrThrow();
    const history = await bdb.db.selectFrom('checkin_history').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();

    heading('ack = time to HTTP 200 from the moment the click was due; follow-up = until the answer reached response_url');
    console.log(
      table(
        ['target', 'clicks', 'sent at', '200s', 'failed', 'ack p50', 'p90', 'p99', 'max', 'service p99', 'follow-up p50', 'p99', 'answered', 'loop delay p99', 'CPU', 'CPU/click'],
        [row(base), row(ours)],
      ),
    );
    const stats = await slack.stats();
    console.log(
      `\ncheck-ins: ${count(after.n - before.n)} new rows (${count(after.buttons)} from buttons), ${count(history.n)} versions in checkin_history; ` +
        `Web API calls during the run: ${Object.entries(stats.methods)
          .map(([m, n]) => `${m} ${count(n)}`)
          .join(', ')}`,
    );
    console.log(
      `bot event-loop delay during the run: p99 ${ms(ours.loopDelayP99)}, max ${ms(ours.loopDelayMax)}; load generator's worst lateness ${ms(ours.result.maxLateMs)}, ` +
        `most requests in flight ${ours.result.maxInflight}` +
        (bdb.kind === 'pglite' ? '; the bot\'s CPU includes the embedded PGlite database' : ''),
    );
    const recorded = (stats.replies['Recorded:'] ?? 0) + (stats.replies['Updated:'] ?? 0);
    const other = Object.entries(stats.replies).filter(([gist]) => gist !== 'Recorded:' && gist !== 'Updated:');
    console.log(
      `replies on response_url: ${count(recorded)} said Recorded or Updated` +
        (other.length > 0 ? `; others: ${other.map(([gist, n]) => `"${gist}…" ${count(n)}`).join(', ')}` : ''),
    );
    for (const f of [base, ours]) console.log(`${f.name}: ack p99 per ${window(f.result)}`);
    for (const f of [base, ours]) {
      if (Object.keys(f.result.errors).length > 0) console.log(`${f.name} transport errors: ${JSON.stringify(f.result.errors)}`);
    }

    const p99 = (r: LoadResult) => percentile(sortedCopy(r.ack.filter((v) => !Number.isNaN(v))), 0.99);
    const p50 = (r: LoadResult) => percentile(sortedCopy(r.ack.filter((v) => !Number.isNaN(v))), 0.5);
    const cpuPerClick = (f: Figures) => f.cpuMs / f.result.sent;
    const answered = ours.result.followup.filter((v) => !Number.isNaN(v)).length;
    const okAll = (ours.result.statuses['200'] ?? 0) === ours.result.measured && Object.keys(ours.result.errors).length === 0;
    summarize([
      {
        bench: 'ingest',
        what: `ack p99 at ${rate} clicks/s, ${durationS} s`,
        value: ms(p99(ours.result)),
        baseline: `bare Bolt ${ms(p99(base.result))}`,
        target: '≤ 100 ms',
        ok: p99(ours.result) <= 100 && okAll,
      },
      { bench: 'ingest', what: 'ack p50', value: ms(p50(ours.result)), baseline: `bare Bolt ${ms(p50(base.result))}`, target: '-', ok: null },
      {
        bench: 'ingest',
        what: 'answered on response_url (p99)',
        value: `${count(answered)}/${count(ours.result.measured)} (${ms(percentile(sortedCopy(ours.result.followup.filter((v) => !Number.isNaN(v))), 0.99))})`,
        baseline: '-',
        target: 'all',
        ok: answered === ours.result.measured,
      },
      {
        bench: 'ingest',
        what: 'clicks told Recorded or Updated',
        value: `${count(recorded)}/${count(stats.responses)}`,
        baseline: '-',
        target: 'all',
        ok: recorded === stats.responses,
      },
      {
        bench: 'ingest',
        what: 'CPU per click',
        value: `${ms(cpuPerClick(ours))} (${(cpuPerClick(ours) / cpuPerClick(base)).toFixed(2)}× bare Bolt)`,
        baseline: `bare Bolt ${ms(cpuPerClick(base))}`,
        target: '≤ 2× bare Bolt',
        ok: cpuPerClick(ours) <= 2 * cpuPerClick(base),
      },
    ], [
      figure('ingest', 'ack-p99', p99(ours.result), 'ms', ['ingest/bare-bolt-ack-p99', p99(base.result)]),
      figure('ingest', 'ack-p50', p50(ours.result), 'ms', ['ingest/bare-bolt-ack-p50', p50(base.result)]),
      figure('ingest', 'answered', answered, 'clicks', ['ingest/clicks', ours.result.measured]),
      figure('ingest', 'recorded', recorded, 'replies', ['ingest/replies', stats.responses]),
      figure('ingest', 'cpu-per-click', cpuPerClick(ours), 'ms', ['ingest/bare-bolt-cpu-per-click', cpuPerClick(base)]),
    ]);
  } finally {
    if (bare) await bare.stop().catch(() => undefined);
    if (bot) await bot.stop();
    await slack.close();
    await bdb.close();
  }
}

await main();
process.exit(0);
