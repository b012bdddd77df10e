/**
 * Stall scan at size: 50,000 learners with 26 weeks of history (bulk-inserted with generate_series:
 * most on track, some missing rounds, some blocked, some losing confidence, some behind on
 * milestones), timing one scanStalls and its peak memory, then a second scan with the flags already
 * open (steady state). Baselines: the naive way (a few queries per learner, on a 1,000-learner
 * subset, extrapolated) and the floor (reading every check-in of the history in one query).
 *
 * Run: npx tsx bench/stall-scan.ts [--learners 50000]
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import { loadContent } from '../src/content/load.js';
import type { Content, Program } from '../src/content/types.js';
import { cohortToday, scanStalls, type ScanResult } from '../src/core/stalls/scan.js';
import { stallReasons, type StallAnswer } from '../src/core/stalls/rules.js';
import type { Db } from '../src/db/connect.js';
import type { CheckinStatus } from '../src/db/types.js';
import { openBenchDb } from './lib/db.js';
import { count, epochNow, heading, machineLine, mb, ms, numberArg, summarize, table } from './lib/report.js';

const WEEKS = 26;
const COHORT_SIZE = 25;
const PROGRAM_ID = 'bench-26w';
const WEEK_MS = 7 * 86_400_000;
// Week 1 opened on Monday 5 January 2026 at 09:00 UTC; the scan runs two days after week 26 opened.
const T0 = new Date('2026-01-05T09:00:00Z');
const NOW = new Date(T0.getTime() + (WEEKS - 1) * WEEK_MS + 2 * 86_400_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The real program stretched to 26 weeks (the last milestone's weeks repeat), so 26 rounds are all in the program. */
function benchContent(content: Content): Content {
  const base = content.programs.get('ds-to-mle')!;
  const weeks = [...base.weeks];
  while (weeks.length < WEEKS) weeks.push({ ...weeks[weeks.length - 1]!, week: weeks.length + 1 });
  const program: Program = { ...base, id: PROGRAM_ID, weeks };
  return { ...content, programs: new Map([...content.programs, [PROGRAM_ID, program]]) };
}

// A learner's kind, from a hash of their id: 5% stopped answering, 4% blocked twice lately, 4% losing
// confidence, 3% behind on milestones, the rest on track (with a few random skips, some "behind" answers).
const KIND = sql`(case when abs(hashint4(m.id)) % 100 < 5 then 'missing' when abs(hashint4(m.id)) % 100 < 9 then 'blocked'
  when abs(hashint4(m.id)) % 100 < 13 then 'dropping' when abs(hashint4(m.id)) % 100 < 16 then 'behind' else 'on-track' end)`;

async function seed(db: Db, program: Program, learners: number): Promise<void> {
  const cohorts = Math.ceil(learners / COHORT_SIZE);
  const milestoneOfWeek = program.weeks.map((w) => w.milestoneId).join(',');
  await sql`
    insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
    select 'scan-' || i, 'slack', 'CS' || lpad(i::text, 6, '0'), ${PROGRAM_ID}, '2026-01-05', 1, '09:00', 'UTC', 'U0ORGANIZER', ${new Date(T0.getTime() - WEEK_MS)}
    from generate_series(1, ${cohorts}) i`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'US' || c.id || 'L' || j, 'Learner ' || c.id || '-' || j, 'learner', ${new Date(T0.getTime() - 86_400_000)}
    from cohorts c cross join generate_series(1, ${COHORT_SIZE}) j
    where (c.id - 1) * ${COHORT_SIZE} + j <= ${learners}`.execute(db);
  await sql`
    insert into members (cohort_id, user_id, display_name, role, joined_at)
    select c.id, 'US' || c.id || 'M' || j, 'Mentor ' || c.id || '-' || j, 'mentor', ${new Date(T0.getTime() - WEEK_MS)}
    from cohorts c cross join generate_series(1, 2) j`.execute(db);
  await sql`
    insert into rounds (cohort_id, week, milestone_id, local_date, opens_at, created_at, reminded_at, channel_id, message_id)
    select c.id, w, (string_to_array(${milestoneOfWeek}, ','))[w],
      to_char(${T0}::timestamptz at time zone 'UTC' + (w - 1) * interval '7 days', 'YYYY-MM-DD'),
      ${T0}::timestamptz + (w - 1) * interval '7 days', ${T0}::timestamptz + (w - 1) * interval '7 days',
      ${T0}::timestamptz + (w - 1) * interval '7 days' + interval '1 day', c.channel_id, '1800000000.' || lpad(w::text, 6, '0')
    from cohorts c cross join generate_series(1, ${WEEKS}) w`.execute(db);
  await sql`
    insert into checkins (round_id, member_id, status, confidence, blocker, note, late, source, created_at, updated_at)
    select round_id, member_id, status, confidence, case when status = 'blocked' then 'waiting for access to the training data' end,
      null, false, case when confidence is null then 'button' else 'form' end, at, at
    from (
      select r.id as round_id, m.id as member_id, r.week, r.opens_at + interval '5 hours' as at, k.kind, x.h,
        case
          when k.kind = 'blocked' and r.week in (${WEEKS - 2}, ${WEEKS}) then 'blocked'
          when x.h < 2 then 'blocked'
          when x.h < 12 then 'behind'
          when x.h < 15 then 'done'
          else 'on-track'
        end as status,
        case
          when k.kind = 'dropping' and r.week >= ${WEEKS - 2} then (array[5, 4, 2])[r.week - ${WEEKS - 3}]
          when x.h % 5 < 2 then null
          else 3 + m.id % 2 + case when x.h % 7 = 0 then 1 else 0 end
        end as confidence
      from members m
      join rounds r on r.cohort_id = m.cohort_id
      cross join lateral (select ${KIND} as kind) k
      cross join lateral (select abs(hashint8(m.id::bigint * 64 + r.week)) % 100 as h) x
      where m.role = 'learner'
    ) a
    where not (kind = 'missing' and week >= ${WEEKS - 1})
      and (h >= 4 or (kind in ('blocked', 'dropping') and week >= ${WEEKS - 2}))`.execute(db);
  const milestones = program.milestones.filter((m) => m.week < WEEKS);
  await sql`
    insert into milestone_completions (member_id, milestone_id, checkin_id, completed_at)
    select m.id, ms.id, null, ${T0}::timestamptz + ms.week * interval '7 days'
    from members m
    cross join unnest(string_to_array(${milestones.map((x) => x.id).join(',')}, ','), string_to_array(${milestones.map((x) => x.week).join(',')}, ',')::int[]) as ms(id, week)
    where m.role = 'learner' and not (${KIND} = 'behind' and ms.week >= ${milestones[milestones.length - 2]?.week ?? 0})`.execute(db);
  await sql`analyze`.execute(db);
}

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
    const answers = await db
      .selectFrom('checkins')
      .innerJoin('rounds', 'rounds.id', 'checkins.round_id')
      .select(['rounds.week', 'checkins.status', 'checkins.confidence'])
      .where('checkins.member_id', '=', id)
      .orderBy('rounds.week', 'desc')
      .execute();
    const done = await db.selectFrom('milestone_completions').select('milestone_id').where('member_id', '=', id).execute();
    const reasons = stallReasons(
      {
        now: NOW,
        today: cohortToday(NOW, 'UTC'),
        joinedAt: new Date(member.joined_at),
        awayUntil: member.away_until,
        rounds: rounds.map((r) => ({ week: r.week, opensAt: new Date(r.opens_at), localDate: r.local_date })),
        answers: answers.map((a): StallAnswer => ({ week: a.week, status: a.status as CheckinStatus, confidence: a.confidence })),
        milestones,
        completed: new Set(done.map((d) => d.milestone_id)),
      },
      program.stall,
    );
    if (reasons.length > 0) flagged.add(id);
  }
  return flagged;
}

async function main(): Promise<void> {
  const learners = numberArg('--learners', 50_000);
  const bdb = await openBenchDb();
  const content = benchContent(await loadContent(fileURLToPath(new URL('../content', import.meta.url))));
  const program = content.programs.get(PROGRAM_ID)!;
  try {
    console.log(`stall-scan bench on ${bdb.label}; ${machineLine()}`);
    const tLoad = epochNow();
    await seed(bdb.db, program, learners);
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
    console.log(`learners by kind: ${kinds.rows.map((k) => `${k.kind} ${count(k.n)}`).join(', ')}; scan time ${NOW.toISOString()} (week ${WEEKS} opened two days before)`);

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
    console.log(`\nthe scan and the naive loop agree on ${agree} of ${subset.length} learners (flagged or not); process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);

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
    ]);
  } finally {
    await bdb.close();
  }
}

await main();
process.exit(0);
