/**
 * The dashboard's server time: the cohort page of 200 learners × 24 weeks and one learner's page,
 * each requested through the whole web stack (Fastify, session, permission check, the data, the
 * templates, the inline heatmap SVG), next to the same-run time of reading that page's data once
 * (the core loaders alone). Targets: cohort page p95 ≤ 100 ms, learner page p95 ≤ 50 ms.
 */
import { sql } from 'kysely';
import { Clock } from '../src/core/clock.js';
import { loadContent } from '../src/content/load.js';
import { createCore } from '../src/core/create-core.js';
import { cohortPage } from '../src/core/dashboard/cohort-page.js';
import { learnerOf, learnerPage } from '../src/core/dashboard/learner-page.js';
import { issueLink } from '../src/core/dashboard/signin.js';
import { createFaqEngine } from '../src/core/faq/engine.js';
import { createLogger } from '../src/log.js';
import { buildDashboard } from '../src/web/app.js';
import { openBenchDb } from './lib/db.js';
import { figure, heading, machineLine, ms, numberArg, percentile, sortedCopy, summarize, table } from './lib/report.js';

const LEARNERS = numberArg('--learners', 200);
const RUNS = numberArg('--runs', 40);
const WARMUP = 5;
const WEEKS = 24;
const T0 = new Date('2027-01-04T08:00:00Z');
const WEEK_MS = 7 * 86_400_000;
const NOW = new Date(T0.getTime() + (WEEKS - 1) * WEEK_MS + 2 * 86_400_000);

async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  const sorted = sortedCopy(times);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
}

async function main(): Promise<void> {
  const bdb = await openBenchDb({ poolSize: 10 });
  try {
    const content = await loadContent('content');
    const program = content.programs.get('ds-to-mle')!;
    if (program.weeks.length !== WEEKS) throw new Error(`expected a ${WEEKS}-week program`);
    const db = bdb.db;
    const milestoneOfWeek = program.weeks.map((w) => w.milestoneId).join(',');
    // One cohort: 200 learners and 2 mentors, 24 posted weeks, ~90% answers (a tenth edited), a few breaks, flags and linked repositories.
    await sql`insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
      values ('Bench cohort', 'slack', 'CBENCH', 'ds-to-mle', '2027-01-04', 1, '09:00', 'Europe/Berlin', 'U0ORG', ${new Date(T0.getTime() - WEEK_MS)})`.execute(db);
    const cohort = await db.selectFrom('cohorts').selectAll().executeTakeFirstOrThrow();
    await sql`insert into members (cohort_id, user_id, display_name, role, joined_at)
      select ${cohort.id}, 'UL' || j, 'Learner ' || j || ' <b>Müller</b>', 'learner', ${new Date(T0.getTime() - 86_400_000)} from generate_series(1, ${LEARNERS}) j`.execute(db);
    await sql`insert into members (cohort_id, user_id, display_name, role, joined_at)
      select ${cohort.id}, 'UM' || j, 'Mentor ' || j, 'mentor', ${T0} from generate_series(1, 2) j`.execute(db);
    await sql`insert into rounds (cohort_id, week, milestone_id, local_date, opens_at, created_at, channel_id, message_id, digest_at)
      select ${cohort.id}, w, (string_to_array(${milestoneOfWeek}, ','))[w], to_char(${T0}::timestamptz + (w - 1) * interval '7 days', 'YYYY-MM-DD'),
        ${T0}::timestamptz + (w - 1) * interval '7 days', ${T0}::timestamptz + (w - 1) * interval '7 days', 'CBENCH', '1800000000.' || lpad(w::text, 6, '0'),
        ${T0}::timestamptz + (w - 1) * interval '7 days' + interval '6 days'
      from generate_series(1, ${WEEKS}) w`.execute(db);
    await sql`insert into checkins (round_id, member_id, status, confidence, blocker, note, late, source, created_at, updated_at)
      select r.id, m.id, (array['on-track','behind','blocked','done'])[1 + abs(hashint4(m.id * 31 + r.week)) % 4],
        1 + abs(hashint4(m.id + r.week)) % 5, case when abs(hashint4(m.id * 7 + r.week)) % 6 = 0 then 'waiting for access to the <training> data' end,
        'week ' || r.week || ' note & more', abs(hashint4(m.id * 3 + r.week)) % 20 = 0, 'form', r.opens_at + interval '5 hours', r.opens_at + interval '6 hours'
      from rounds r cross join members m
      where m.role = 'learner' and abs(hashint4(m.id * 13 + r.week)) % 10 <> 0`.execute(db);
    await sql`insert into checkin_history (checkin_id, status, confidence, blocker, note, milestones, late, source, recorded_at)
      select id, status, confidence, blocker, note, '{}'::text[], late, source, created_at from checkins
      union all
      select id, 'behind', confidence, blocker, 'an earlier answer', '{}'::text[], late, source, created_at - interval '1 hour' from checkins where id % 10 = 0`.execute(db);
    await sql`insert into milestone_completions (member_id, milestone_id, checkin_id, completed_at)
      select m.id, ms, null, ${NOW} from members m cross join unnest(string_to_array(${[...new Set(program.weeks.map((w) => w.milestoneId))].slice(0, 4).join(',')}, ',')) ms
      where m.role = 'learner' and abs(hashint4(m.id)) % 3 = 0`.execute(db);
    await sql`insert into away_periods (member_id, starts_on, ends_on, created_at)
      select id, '2027-02-01', '2027-02-15', ${T0} from members where role = 'learner' and id % 25 = 0`.execute(db);
    await sql`insert into stall_flags (member_id, cohort_id, reasons, opened_at)
      select id, ${cohort.id}, '[{"code":"blocked-often","text":"answered “blocked” in 2 of the last 3 check-ins"}]', ${NOW} from members where role = 'learner' and id % 20 = 0`.execute(db);
    await sql`insert into evidence_links (member_id, milestone_id, url, kind, owner, repo, state, results, checked_at, verified_at, created_at)
      select id, ${program.weeks[0]!.milestoneId}, 'https://github.com/learner' || id || '/model', 'repo', 'learner' || id, 'model', 'verified', '[]', ${NOW}, ${NOW}, ${T0}
      from members where role = 'learner' and id % 4 = 0`.execute(db);
    await sql`analyze`.execute(db);
    const counts = await sql<{ checkins: number; versions: number }>`select (select count(*)::int from checkins) as checkins, (select count(*)::int from checkin_history) as versions`.execute(db);

    const clock = new Clock();
    clock.freeze(NOW);
    const deps = { db, content, faq: createFaqEngine(content.faq, content.thesaurus), clock, reminderAfterHours: 24, admins: [{ platform: 'slack' as const, userId: 'U0ORG' }] };
    const core = createCore(deps);
    const dash = await buildDashboard({ core, log: createLogger('silent', false), publicUrl: 'http://127.0.0.1:3000' });
    const issued = await issueLink(db, { platform: 'slack', userId: 'U0ORG', displayName: 'Org', isAdmin: false }, NOW);
    if (!('token' in issued)) throw new Error('no link');
    const signin = await dash.app.inject({ method: 'GET', url: `/signin/${issued.token}` });
    const cookie = (signin.cookies as Array<{ name: string; value: string }>).map((c) => `${c.name}=${c.value}`).join('; ');
    const learner = await db.selectFrom('members').select('id').where('role', '=', 'learner').orderBy('id').offset(20).limit(1).executeTakeFirstOrThrow();
    const found = (await learnerOf(deps, learner.id))!;

    const get = async (url: string) => {
      const res = await dash.app.inject({ method: 'GET', url, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
      return res.body.length;
    };
    console.log(
      `dashboard bench on ${bdb.label}: ${LEARNERS} learners × ${WEEKS} weeks (${counts.rows[0]!.checkins} check-ins, ${counts.rows[0]!.versions} versions), ${RUNS} requests after ${WARMUP} warm-up; ${machineLine()}`,
    );
    const cohortBytes = await get(`/cohorts/${cohort.id}`);
    const learnerBytes = await get(`/learners/${learner.id}`);
    const cohortData = await timed(() => cohortPage(deps, cohort, NOW));
    const cohortServed = await timed(() => get(`/cohorts/${cohort.id}`));
    const learnerData = await timed(() => learnerPage(deps, found));
    const learnerServed = await timed(() => get(`/learners/${learner.id}`));
    await dash.close();

    heading('dashboard pages (server time, in-process request)');
    console.log(
      table(
        ['page', 'served p50', 'served p95', 'data read once p50', 'data read once p95', 'HTML'],
        [
          [`cohort (${LEARNERS} × ${WEEKS})`, ms(cohortServed.p50), ms(cohortServed.p95), ms(cohortData.p50), ms(cohortData.p95), `${(cohortBytes / 1024).toFixed(0)} KB`],
          ['learner (24 weeks)', ms(learnerServed.p50), ms(learnerServed.p95), ms(learnerData.p50), ms(learnerData.p95), `${(learnerBytes / 1024).toFixed(0)} KB`],
        ],
      ),
    );
    summarize(
      [
        { bench: 'dashboard', what: `cohort page ${LEARNERS}×${WEEKS}, p95`, value: ms(cohortServed.p95), baseline: `its data read once ${ms(cohortData.p95)}`, target: '≤ 100 ms', ok: cohortServed.p95 <= 100 },
        { bench: 'dashboard', what: 'learner page, p95', value: ms(learnerServed.p95), baseline: `its data read once ${ms(learnerData.p95)}`, target: '≤ 50 ms', ok: learnerServed.p95 <= 50 },
      ],
      [
        figure('dashboard', 'cohort-page-p95', cohortServed.p95, 'ms', ['dashboard/cohort-data-read-p95', cohortData.p95]),
        figure('dashboard', 'learner-page-p95', learnerServed.p95, 'ms', ['dashboard/learner-data-read-p95', learnerData.p95]),
        figure('dashboard', 'cohort-page-html-size', cohortBytes / 1024, 'KB'),
      ],
    );
  } finally {
    await bdb.close();
  }
}

await main();
