/**
 * Stall scan at size: 50,000 learners with 26 weeks of history (bulk-inserted with generate_series:
 * most on track, some missing rounds, some blocked, some losing confidence, some behind on
 * milestones), timing one scanStalls and its peak memory, then a second scan with the flags already
 * open (steady state). Baselines: the naive way (a few queries per learner, on a 1,000-learner
 * subset, extrapolated) and the floor (reading every check-in of the history in one query).
 * Then the incremental evaluation a tick runs: a tick with nothing changed, a tick after one cohort's
 * round closed and its learners answered, and how many learners a full scan would still act on.
 *
 * Run: npx tsx bench/stall-scan.ts [--learners 50000] [--rated-percent 60]
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import { loadContent } from '../src/content/load.js';
import type { Program } from '../src/content/types.js';
import { scanStalls, type ScanResult } from '../src/core/stalls/scan.js';
import { evaluateStalls } from '../src/jobs/stall-evaluation.js';
import { stallReasons, type StallAnswer } from '../src/core/stalls/rules.js';
import type { Db } from '../src/db/connect.js';
import type { CheckinStatus } from '../src/db/types.js';
import { openBenchDb } from './lib/db.js';
import { benchContent, COHORT_SIZE, KIND, NOW, PROGRAM_ID, seedStallData, WEEKS } from './lib/stall-data.js';
import { count, epochNow, figure, heading, machineLine, mb, ms, numberArg, summarize, table } from './lib/report.js';

const MB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Peak {
  rss: number;
  heap: number;
}

/** Samples RSS and heap every few ms while `fn` runs (between its awaits; the scan awaits every query). */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; before: Peak; peak: Peak }> {
  gc();
  const before = { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed };
  const peak = { ...before };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const t = epochNow();
  const value = await fn();
  const elapsed = epochNow() - t;
  sample();
  clearInterval(timer);
  return { value, ms: elapsed, before, peak };
}

/** The naive scan: per learner, its cohort's rounds, its answers and its milestones, one query each. */
async function naive(db: Db, program: Program, memberIds: number[]): Promise<Set<number>> {
  const flagged = new Set<number>();
  const milestones = program.milestones.map((m) => ({ id: m.id, title: m.title, week: m.week }));
  for (const id of memberIds) {
    const member = await db.selectFrom('members').select(['cohort_id', 'joined_at', 'away_until']).where('id', '=', id).executeTakeFirstOrThrow();
    const rounds = await db.selectFrom('rounds').select(['week', 'opens_at', 'local_date']).where('cohort_id', '=', member.cohort_id).orderBy('week').execute();
    const breaks = await db.selectFrom('away_periods').select(['starts_on', 'ends_on']).where('member_id', '=', id).execute();
    const answers = await db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .select(['rounds.week', 'checkins.status', 'checkins.confidence', 'checkins.updated_at'])
      .where('checkins.member_id', '=', id)
      .orderBy('rounds.week', 'desc')
      .execute();
    const done = await db.selectFrom('milestone_completions').select('milestone_id').where('member_id', '=', id).execute();
    const reasons = stallReasons(
      {
        now: NOW,
        joinedAt: new Date(member.joined_at),
        rounds: rounds.map((r, i) => {
          const next = rounds[i + 1];
          const closesAt = next ? new Date(next.opens_at) : r.week >= program.weeks.length ? new Date(new Date(r.opens_at).getTime() + 7 * 86_400_000) : null;
          return { week: r.week, opensAt: new Date(r.opens_at), localDate: r.local_date, closesAt, until: next?.local_date ?? r.local_date };
        }),
        answers: answers.map((a): StallAnswer => ({ week: a.week, status: a.status as CheckinStatus, confidence: a.confidence, at: new Date(a.updated_at) })),
        milestones,
        completed: new Set(done.map((d) => d.milestone_id)),
        breaks: breaks.map((b) => ({ startsOn: b.starts_on, endsOn: b.ends_on })),
      },
      program.stall,
    );
    if (reasons.length > 0) flagged.add(id);
  }
  return flagged;
}

async function main(): Promise<void> {
  const learners = numberArg('--learners', 50_000);
  const ratedPercent = numberArg('--rated-percent', 60);
  const bdb = await openBenchDb();
  const content = benchContent(await loadContent(fileURLToPath(new URL('../content', import.meta.url))));
  const program = content.programs.get(PROGRAM_ID)!;
  try {
    console.log(`stall-scan bench on ${bdb.label}; ${machineLine()}`);
    const tLoad = epochNow();
    await seedStallData(bdb.db, program, learners, ratedPercent);
    const loadMs = epochNow() - tLoad;
    const sizes = await sql<{ members: number; rounds: number; checkins: number; completions: number }>`
      select (select count(*) from members)::int as members, (select count(*) from rounds)::int as rounds,
        (select count(*) from checkins)::int as checkins, (select count(*) from milestone_completions)::int as completions`.execute(bdb.db);
    const size = sizes.rows[0]!;
    const kinds = await sql<{ kind: string; n: number }>`select ${KIND} as kind, count(*)::int as n from members m where m.role = 'learner' group by 1 order by 2 desc`.execute(bdb.db);
    console.log(
      `loaded in ${ms(loadMs)}: ${count(size.members)} members (${count(learners)} learners in ${count(Math.ceil(learners / COHORT_SIZE))} cohorts, 2 mentors each), ` +
        `${count(size.rounds)} rounds, ${count(size.checkins)} check-ins, ${count(size.completions)} milestone completions`,
    );
    console.log(`learners by kind: ${kinds.rows.map((k) => `${k.kind} ${count(k.n)}`).join(', ')}; ${ratedPercent}% of answers carry a confidence (the rest are one-click); scan time ${NOW.toISOString()} (week ${WEEKS} opened two days before)`);

    // Baselines first, while no flag exists.
    const subset = (await bdb.db.selectFrom('members').select('id').where('role', '=', 'learner').orderBy('id').limit(1000).execute()).map((m) => m.id);
    const naiveRun = await measured(() => naive(bdb.db, program, subset));
    const naiveExtrapolated = (naiveRun.ms * learners) / subset.length;
    const floor = await measured(async () => {
      const rows = await sql<{ member_id: number; week: number; status: string; confidence: number | null }>`
        select c.member_id, r.week, c.status, c.confidence
        from checkins c join rounds r on r.id = c.round_id join cohorts co on co.id = r.cohort_id
        where co.status = 'active'`.execute(bdb.db);
      return rows.rows.length;
    });

    const scans: Array<{ name: string; run: Awaited<ReturnType<typeof measured<ScanResult>>>; outbox: number }> = [];
    for (const [name, at] of [
      ['first scan (flags to open)', NOW],
      ['second scan (steady state)', new Date(NOW.getTime() + 60_000)],
    ] as const) {
      const before = await bdb.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      const run = await measured(() => scanStalls(bdb.db, content, at, { admins: [] }));
      const after = await bdb.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      scans.push({ name, run, outbox: after.n - before.n });
    }
    // The incremental evaluation, as the tick runs it. The bulk load queued every learner through the
    // triggers; a full scan covers them, so the queue starts empty, as after a restore.
    await sql`truncate stall_queue`.execute(bdb.db);
    const t1 = new Date(NOW.getTime() + 2 * 60_000);
    const fullEval = await measured(() => evaluateStalls(bdb.db, content, t1, { admins: [] }));
    // Nothing changed: the median of several minutes' ticks, as one is a handful of small queries.
    const steadyRuns: Array<Awaited<ReturnType<typeof measured<Awaited<ReturnType<typeof evaluateStalls>>>>>> = [];
    for (let i = 1; i <= 9; i++) steadyRuns.push(await measured(() => evaluateStalls(bdb.db, content, new Date(t1.getTime() + i * 1000), { admins: [] })));
    const steady = steadyRuns.sort((a, b) => a.ms - b.ms)[4]!;
    // One cohort's next week opens (closing the last) and its learners answer it.
    const cohort = await bdb.db.selectFrom('cohorts').select(['id']).orderBy('id').limit(1).executeTakeFirstOrThrow();
    const nextWeek = WEEKS + 1;
    const opens = new Date(t1.getTime() + 5 * 60_000);
    const round = await bdb.db
      .insertInto('rounds')
      .values({ cohort_id: cohort.id, week: nextWeek, milestone_id: program.milestones[program.milestones.length - 1]!.id, local_date: opens.toISOString().slice(0, 10), opens_at: opens, created_at: opens, channel_id: 'C-bench' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cohortLearners = await bdb.db.selectFrom('members').select('id').where('cohort_id', '=', cohort.id).where('role', '=', 'learner').execute();
    await bdb.db
      .insertInto('checkins')
      .values(cohortLearners.map((m, i) => ({ round_id: round.id, member_id: m.id, status: i % 5 === 0 ? ('blocked' as const) : ('on-track' as const), confidence: 3, blocker: null, note: null, late: false, source: 'button' as const, created_at: opens, updated_at: opens })))
      .execute();
    const afterAt = new Date(opens.getTime() + 60_000);
    const afterRound = await measured(() => evaluateStalls(bdb.db, content, afterAt, { admins: [] }));
    const check = await scanStalls(bdb.db, content, afterAt, { dryRun: true });
    const totalLearners = learners;
    const agreement = (totalLearners - (check.planned?.length ?? 0)) / totalLearners;
    heading('the incremental evaluation a tick runs (one replica holds the lease); baseline: reading every check-in once');
    console.log(
      table(
        ['tick', 'mode', 'queued + due', 'time', '× read all', 'opened', 'updated', 'resolved'],
        [
          ['first tick (full scan: no earlier one)', fullEval, floor],
          ['a tick with nothing changed (median of 9)', steady, floor],
          [`one cohort (${cohortLearners.length} learners) closed a round and answered`, afterRound, floor],
        ].map(([name, r]) => {
          const run = r as typeof steady;
          return [name as string, run.value.mode, count(run.value.looked), ms(run.ms), (run.ms / floor.ms).toFixed(3), count(run.value.opened), count(run.value.updated), count(run.value.resolved)];
        }),
      ),
    );
    console.log(`\na full scan after those ticks would act on ${count(check.planned?.length ?? 0)} of ${count(totalLearners)} learners (agreement ${agreement.toFixed(4)})`);

    const flagsInSubset = await bdb.db.selectFrom('stall_flags').select('member_id').where('member_id', 'in', subset).where('status', '<>', 'resolved').execute();
    const scanSet = new Set(flagsInSubset.map((f) => f.member_id));
    const agree = subset.filter((id) => scanSet.has(id) === naiveRun.value.has(id)).length;

    heading('one scanStalls over every active cohort; memory sampled every 5 ms (between awaits), heap after a full GC before each run');
    console.log(
      table(
        ['run', 'time', 'opened', 'updated', 'resolved', 'resent', 'escalated', 'outbox rows', 'peak RSS', 'RSS +', 'peak heap', 'heap +'],
        [
          ...scans.map((s) => [
            s.name,
            ms(s.run.ms),
            count(s.run.value.opened),
            count(s.run.value.updated),
            count(s.run.value.resolved),
            count(s.run.value.resent),
            count(s.run.value.escalated),
            count(s.outbox),
            mb(s.run.peak.rss),
            mb(s.run.peak.rss - s.run.before.rss),
            mb(s.run.peak.heap),
            mb(s.run.peak.heap - s.run.before.heap),
          ]),
          [`naive loop, ${count(subset.length)} learners`, ms(naiveRun.ms), count(naiveRun.value.size), '', '', '', '', '', mb(naiveRun.peak.rss), mb(naiveRun.peak.rss - naiveRun.before.rss), mb(naiveRun.peak.heap), mb(naiveRun.peak.heap - naiveRun.before.heap)],
          [`  extrapolated to ${count(learners)}`, ms(naiveExtrapolated), '', '', '', '', '', '', '', '', '', ''],
          [`read all ${count(floor.value)} check-ins`, ms(floor.ms), '', '', '', '', '', '', mb(floor.peak.rss), mb(floor.peak.rss - floor.before.rss), mb(floor.peak.heap), mb(floor.peak.heap - floor.before.heap)],
        ],
      ),
    );
    console.log(
      `\nthe scan and the naive loop agree on ${agree} of ${subset.length} learners (flagged or not); process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}` +
        (bdb.kind === 'pglite' ? ' (RSS includes the embedded PGlite database)' : ''),
    );

    const first = scans[0]!;
    const second = scans[1]!;
    summarize([
      {
        bench: 'stall-scan',
        what: `first scan, ${count(learners)} learners × ${WEEKS} weeks`,
        value: ms(first.run.ms),
        baseline: `naive ${ms(naiveExtrapolated)}; read all ${ms(floor.ms)}`,
        target: '≤ 2 s',
        ok: first.run.ms <= 2000,
      },
      { bench: 'stall-scan', what: 'second scan (steady state)', value: ms(second.run.ms), baseline: '-', target: '≤ 2 s', ok: second.run.ms <= 2000 },
      {
        bench: 'stall-scan',
        what: 'peak heap / RSS growth, first scan',
        value: `${mb(first.run.peak.heap - first.run.before.heap)} / ${mb(first.run.peak.rss - first.run.before.rss)}`,
        baseline: `read all: ${mb(floor.peak.heap - floor.before.heap)} / ${mb(floor.peak.rss - floor.before.rss)}`,
        target: '-',
        ok: null,
      },
      { bench: 'stall-scan', what: 'agrees with the naive rules', value: `${agree}/${subset.length}`, baseline: '-', target: 'all', ok: agree === subset.length },
      { bench: 'stall-scan', what: 'steady tick (nothing changed)', value: ms(steady.ms), baseline: `read all ${ms(floor.ms)}`, target: '≤ 0.05 × read all', ok: steady.ms <= 0.05 * floor.ms },
      { bench: 'stall-scan', what: 'tick after one cohort closed a round', value: ms(afterRound.ms), baseline: `read all ${ms(floor.ms)}`, target: '≤ 0.05 × read all', ok: afterRound.ms <= 0.05 * floor.ms },
      { bench: 'stall-scan', what: 'incremental agrees with the full scan', value: agreement.toFixed(4), baseline: '-', target: '1.0', ok: agreement === 1 },
    ], [
      figure('stall', 'steady-tick', steady.ms, 'ms', ['stall/read-all', floor.ms]),
      figure('stall', 'after-round', afterRound.ms, 'ms', ['stall/read-all', floor.ms]),
      figure('stall', 'agreement', agreement, 'share', ['stall/learners', totalLearners]),
      figure('stall', 'full-scan', first.run.ms, 'ms', ['stall/read-all', floor.ms]),
      figure('stall', 'steady-scan', second.run.ms, 'ms', ['stall/read-all', floor.ms]),
      figure('stall', 'naive-extrapolated', naiveExtrapolated, 'ms', ['stall/read-all', floor.ms]),
      figure('stall', 'full-scan-heap-growth', (first.run.peak.heap - first.run.before.heap) / MB, 'MB', ['stall/read-all-heap-growth', (floor.peak.heap - floor.before.heap) / MB]),
      figure('stall', 'agrees-with-naive', agree, 'learners', ['stall/naive-subset', subset.length]),
    ]);
  } finally {
    await bdb.close();
  }
}

await main();
process.exit(0);
