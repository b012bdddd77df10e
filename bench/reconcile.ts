/**
 * The daily members check at size: 1,000 cohorts of 30 members (28 learners, 2 mentors) with week 1
 * posted, reconciled against an in-process channelMembers that pages as the Slack port does (200 a
 * page, the bot listed too) with a simulated latency per page. Runs: nothing changed; 1% of the
 * members gone unannounced (their leave applied, round posts recounted); the same people back.
 * Baseline, same run: reading every members row once (the floor of any reconciliation).
 * API calls are counted; what they would take at Slack's pace (conversations.members is Tier 4,
 * 100+ a minute) is printed beside them.
 *
 * Run: npx tsx bench/reconcile.ts [--cohorts 1000] [--members 30] [--page-size 200] [--page-ms 1] [--left-permille 10]
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadContent } from '../src/content/load.js';
import type { ChatPort } from '../src/core/chat.js';
import { Clock } from '../src/core/clock.js';
import { reconcileMembers, type ReconcileResult } from '../src/jobs/reconcile.js';
import { openBenchDb } from './lib/db.js';
import { count, epochNow, figure, heading, machineLine, ms, summarize, table } from './lib/report.js';

const PROGRAM_ID = 'ds-to-mle';
const WEEK1 = new Date('2027-03-01T08:00:00Z');
const NOW = new Date(WEEK1.getTime() + 2 * 3_600_000);
/** conversations.members is Tier 4: "100+ per minute". */
const TIER4_PER_MINUTE = 100;

/** `--name value`, zero allowed (bench/lib's numberArg wants a positive number). */
function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const n = Number(process.argv[at + 1]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} expects a number ≥ 0, got "${process.argv[at + 1]}"`);
  return n;
}

/** A platform whose channels are these member lists, read page by page like the Slack port reads conversations.members. */
function fakeMembersPort(channels: Map<string, string[]>, pageSize: number, pageMs: number): ChatPort & { calls: number } {
  const refuse = () => Promise.reject(new Error('the members bench sends nothing'));
  const port = {
    platform: 'slack' as const,
    calls: 0,
    postToChannel: refuse,
    sendDirect: refuse,
    updateMessage: refuse,
    async channelMembers(channelId: string) {
      const all = channels.get(channelId) ?? [];
      const members = new Set<string>();
      let calls = 0;
      for (let from = 0; from === 0 || from < all.length; from += pageSize) {
        calls += 1;
        if (pageMs > 0) await new Promise((resolve) => setTimeout(resolve, pageMs));
        for (const id of all.slice(from, from + pageSize)) members.add(id);
      }
      port.calls += calls;
      return { members, calls };
    },
  };
  return port;
}

async function main(): Promise<void> {
  const cohorts = arg('--cohorts', 1000);
  const perCohort = arg('--members', 30);
  const pageSize = Math.max(1, arg('--page-size', 200));
  const pageMs = arg('--page-ms', 1);
  const leftPermille = arg('--left-permille', 10);
  const bdb = await openBenchDb();
  const content = await loadContent(fileURLToPath(new URL('../content', import.meta.url)));
  const clock = new Clock();
  clock.freeze(NOW);
  const deps = { db: bdb.db, content, admins: [], clock };
  try {
    console.log(`reconcile bench on ${bdb.label}; ${machineLine()}`);
    const tLoad = epochNow();
    await sql`
      insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
      select 'members-' || i, 'slack', 'CM' || lpad(i::text, 6, '0'), ${PROGRAM_ID}, '2027-03-01', 1, '09:00', 'Europe/Berlin', 'U0ORGANIZER', ${new Date(WEEK1.getTime() - 7 * 86_400_000)}
      from generate_series(1, ${cohorts}) i`.execute(bdb.db);
    await sql`
      insert into members (cohort_id, user_id, display_name, role, joined_at)
      select c.id, 'UM' || c.id || 'P' || j, 'Person ' || c.id || '-' || j, case when j <= 2 then 'mentor' else 'learner' end, ${new Date(WEEK1.getTime() - 86_400_000)}
      from cohorts c cross join generate_series(1, ${perCohort}) j`.execute(bdb.db);
    const milestone = content.programs.get(PROGRAM_ID)!.weeks[0]!.milestoneId;
    await sql`
      insert into rounds (cohort_id, week, milestone_id, local_date, opens_at, created_at, channel_id, message_id)
      select c.id, 1, ${milestone}, '2027-03-01', ${WEEK1}, ${WEEK1}, c.channel_id, '1800000000.000001'
      from cohorts c`.execute(bdb.db);
    const rows = await bdb.db.selectFrom('members').innerJoin('cohorts', 'cohorts.id', 'members.cohort_id').select(['cohorts.channel_id', 'members.user_id']).orderBy('members.id').execute();
    const channels = new Map<string, string[]>();
    for (const r of rows) {
      if (!channels.has(r.channel_id)) channels.set(r.channel_id, ['U0BOT']);
      channels.get(r.channel_id)!.push(r.user_id);
    }
    console.log(`loaded in ${ms(epochNow() - tLoad)}: ${count(cohorts)} cohorts × ${perCohort} members = ${count(rows.length)} members; week 1 posted in each`);
    console.log(`channelMembers pages ${pageSize} ids with ${pageMs} ms each (in process: no HTTP)`);

    // The floor: every members row read once.
    const floorRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = epochNow();
      await bdb.db.selectFrom('members').select(['cohort_id', 'user_id', 'left_at']).where('removed_at', 'is', null).where('erased_at', 'is', null).execute();
      floorRuns.push(epochNow() - t);
    }
    const floor = floorRuns.sort((a, b) => a - b)[1]!;

    const port = fakeMembersPort(channels, pageSize, pageMs);
    const ports = new Map([['slack' as const, port as ChatPort]]);
    const runs: Array<{ name: string; ms: number; result: ReconcileResult; outbox: number }> = [];
    const run = async (name: string) => {
      const before = await bdb.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      const t = epochNow();
      const result = await reconcileMembers(deps, ports, { force: true });
      const took = epochNow() - t;
      const after = await bdb.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      runs.push({ name, ms: took, result, outbox: after.n - before.n });
      clock.freeze(new Date(clock.now().getTime() + 60_000));
    };

    await run('nothing changed');
    // 1% leave unannounced, spread over the cohorts (every hundredth member, mentors included).
    const gone: Array<[string, string]> = [];
    const step = Math.max(1, Math.round(1000 / Math.max(1, leftPermille)));
    rows.forEach((r, i) => {
      if (i % step === step - 1) gone.push([r.channel_id, r.user_id]);
    });
    for (const [channel, user] of gone) channels.set(channel, channels.get(channel)!.filter((u) => u !== user));
    await run(`${count(gone.length)} left unannounced (${(leftPermille / 10).toFixed(1)}%)`);
    await run('nothing changed again');
    // Next day, they are all back in their channels.
    clock.freeze(new Date(clock.now().getTime() + 86_400_000));
    for (const [channel, user] of gone) channels.get(channel)!.push(user);
    await run(`the ${count(gone.length)} back`);

    heading(`reconcileMembers over ${count(cohorts)} cohorts; baseline: reading every members row once (${ms(floor)}, median of 3)`);
    console.log(
      table(
        ['run', 'time', '× read all', 'API calls', 'at Tier 4 pace', 'left', 'back', 'outbox rows'],
        runs.map((r) => [
          r.name,
          ms(r.ms),
          (r.ms / floor).toFixed(1),
          count(r.result.calls),
          `${(r.result.calls / TIER4_PER_MINUTE).toFixed(1)} min`,
          count(r.result.left),
          count(r.result.returned),
          count(r.outbox),
        ]),
      ),
    );
    const quiet = runs[0]!;
    const changed = runs[1]!;
    summarize(
      [
        { bench: 'reconcile', what: `${count(cohorts)} cohorts × ${perCohort}, nothing changed`, value: ms(quiet.ms), baseline: `read all members ${ms(floor)}`, target: '-', ok: null },
        { bench: 'reconcile', what: `${count(cohorts)} cohorts × ${perCohort}, ${(leftPermille / 10).toFixed(1)}% left`, value: ms(changed.ms), baseline: `nothing changed ${ms(quiet.ms)}`, target: '-', ok: null },
        { bench: 'reconcile', what: `API calls (${pageSize} members a page)`, value: count(quiet.result.calls), baseline: `${count(cohorts)} cohorts`, target: '-', ok: null },
        { bench: 'reconcile', what: 'leaves found', value: count(changed.result.left), baseline: `${count(gone.length)} made`, target: 'all', ok: changed.result.left === gone.length },
      ],
      [
        figure('reconcile', 'nothing-changed', quiet.ms, 'ms', ['reconcile/read-all-members', floor]),
        figure('reconcile', 'one-percent-left', changed.ms, 'ms', ['reconcile/nothing-changed', quiet.ms]),
        figure('reconcile', 'api-calls', quiet.result.calls, 'calls', ['reconcile/cohorts', cohorts]),
      ],
    );
  } finally {
    await bdb.close();
  }
}

await main();
process.exit(0);
