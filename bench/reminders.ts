/**
 * Each person's own time at size: 50,000 learners in 2,000 cohorts, the cohorts in 10 zones and
 * their people in 40 (half chose one with `/me tz:`, a third picked a reminder slot), every cohort's
 * week 1 posted over one week. Measures scheduling every learner's reminder once (as rounds open),
 * a tick with nothing due, and the busiest hour's tick run by two replicas at once, which must
 * send every due reminder exactly once. Baseline, same run: reading every learner once with their
 * zone (what a tick that recomputed due times would have to do).
 *
 * Run: npx tsx bench/reminders.ts [--learners 50000] [--cohorts 2000]
 */
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadContent } from '../src/content/load.js';
import { reminderDueAt, ownTimeOf } from '../src/core/own-time.js';
import { scheduleReminders } from '../src/core/reminder-schedule.js';
import { sendDueReminders } from '../src/core/reminders.js';
import { openBenchDb } from './lib/db.js';
import { count, epochNow, figure, heading, machineLine, ms, numberArg, summarize, table } from './lib/report.js';

const HOUR = 3_600_000;
// Monday 4 January 2027 00:00 UTC: cohorts open their week 1 over the next seven days.
const T0 = new Date('2027-01-04T00:00:00Z');
const COHORT_ZONES = ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo', 'Africa/Lagos'];

function peopleZones(): string[] {
  const all = Intl.supportedValuesOf('timeZone').filter((z) => z.includes('/'));
  const step = Math.floor(all.length / 40);
  return Array.from({ length: 40 }, (_, i) => all[i * step]!);
}

async function median<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const out: Array<{ ms: number; value: T }> = [];
  for (let i = 0; i < runs; i++) {
    const t = epochNow();
    const value = await fn();
    out.push({ ms: epochNow() - t, value });
  }
  return out.sort((a, b) => a.ms - b.ms)[Math.floor(runs / 2)]!;
}

async function main(): Promise<void> {
  const learners = numberArg('--learners', 50_000);
  const cohorts = numberArg('--cohorts', 2_000);
  const perCohort = Math.ceil(learners / cohorts);
  const bdb = await openBenchDb();
  const content = await loadContent(fileURLToPath(new URL('../content', import.meta.url)));
  const zones = peopleZones();
  try {
    console.log(`reminders bench on ${bdb.label}; ${machineLine()}`);
    const db = bdb.db;
    const tLoad = epochNow();
    await sql`
      insert into cohorts (name, platform, channel_id, program_id, start_date, weekday, slot_time, timezone, created_by, created_at)
      select 'own-' || i, 'slack', 'CO' || lpad(i::text, 6, '0'), 'ds-to-mle', '2027-01-04', 1 + (i % 7), lpad(((i * 7) % 24)::text, 2, '0') || ':00',
        (string_to_array(${COHORT_ZONES.join(',')}, ','))[1 + (i % ${COHORT_ZONES.length})], 'U0ORG', ${new Date(T0.getTime() - 7 * 24 * HOUR)}
      from generate_series(1, ${cohorts}) i`.execute(db);
    await sql`
      insert into members (cohort_id, user_id, display_name, role, joined_at)
      select c.id, 'UO' || c.id || 'L' || j, 'Learner ' || c.id || '-' || j, 'learner', ${new Date(T0.getTime() - 24 * HOUR)}
      from cohorts c cross join generate_series(1, ${perCohort}) j
      where (c.id - 1) * ${perCohort} + j <= ${learners}`.execute(db);
    await sql`
      insert into people (platform, user_id, chosen_tz, remind_weekday, remind_time, updated_at)
      select 'slack', m.user_id,
        case when m.id % 2 = 0 then (string_to_array(${zones.join(',')}, ','))[1 + (m.id % 40)] end,
        case when m.id % 3 = 0 then 1 + (m.id % 7) end,
        case when m.id % 3 = 0 then lpad((9 + m.id % 12)::text, 2, '0') || ':30' end,
        ${T0}
      from members m where m.role = 'learner'`.execute(db);
    // Week 1 of every cohort, posted over the week (the cohorts' slots spread across it).
    await sql`
      insert into rounds (cohort_id, week, milestone_id, local_date, opens_at, created_at, channel_id, message_id)
      select c.id, 1, 'production-code', to_char(${T0}::timestamptz + ((c.id % 168) * interval '1 hour'), 'YYYY-MM-DD'),
        ${T0}::timestamptz + ((c.id % 168) * interval '1 hour'), ${T0}::timestamptz + ((c.id % 168) * interval '1 hour'), c.channel_id, '1800000000.000001'
      from cohorts c`.execute(db);
    await sql`analyze`.execute(db);
    const loadMs = epochNow() - tLoad;
    console.log(`loaded in ${ms(loadMs)}: ${count(learners)} learners in ${count(cohorts)} cohorts (cohorts in ${COHORT_ZONES.length} zones, people in ${zones.length}; half chose a zone, a third a slot)`);

    // Baseline: every learner read once with their zone and slot, as a tick recomputing due times would.
    const readLearners = () =>
      db
        .selectFrom('members as m')
        .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
        .innerJoin('rounds as r', 'r.cohort_id', 'c.id')
        .leftJoin('people as p', (j) => j.onRef('p.user_id', '=', 'm.user_id').onRef('p.platform', '=', 'c.platform'))
        .select(['m.id', 'r.opens_at', 'r.created_at', 'c.timezone', 'p.chosen_tz', 'p.profile_tz', 'p.remind_weekday', 'p.remind_time'])
        .where('m.role', '=', 'learner')
        .execute();
    const readAll = await median(5, async () => (await readLearners()).length);
    // The same read with each due time computed (the whole cost of recomputing every tick).
    const recompute = await median(3, async () => {
      let due = 0;
      for (const r of await readLearners()) if (reminderDueAt({ opensAt: new Date(r.opens_at), postedAt: new Date(r.created_at) }, ownTimeOf(r, r.timezone), 24) <= T0) due += 1;
      return due;
    });

    const rounds = (await db.selectFrom('rounds').select('id').execute()).map((r) => r.id);
    const tSchedule = epochNow();
    let scheduled = 0;
    for (let i = 0; i < rounds.length; i += 100) scheduled += await scheduleReminders(db, rounds.slice(i, i + 100), 24);
    const scheduleMs = epochNow() - tSchedule;

    // A tick with nothing due: before the first reminder.
    const first = await db.selectFrom('reminder_schedule').select(sql<Date>`min(due_at)`.as('at')).executeTakeFirstOrThrow();
    const quietAt = new Date(new Date(first.at).getTime() - 60_000);
    const idle = await median(9, () => sendDueReminders(db, content, quietAt));

    // The busiest hour: everything due by its end, sent by two replicas at once.
    const busiest = await sql<{ hour: Date; n: number }>`
      select date_trunc('hour', due_at) as hour, count(*)::int as n from reminder_schedule group by 1 order by 2 desc, 1 limit 1`.execute(db);
    const hour = busiest.rows[0]!;
    const busyAt = new Date(new Date(hour.hour).getTime() + HOUR - 1);
    // Everything due before that hour goes first, so the measured tick holds that hour alone.
    await db.updateTable('reminder_schedule').set({ done_at: T0 }).where('due_at', '<', new Date(hour.hour)).execute();
    const dueThen = await db.selectFrom('reminder_schedule').select(sql<number>`count(*)::int`.as('n')).where('done_at', 'is', null).where('due_at', '<=', busyAt).executeTakeFirstOrThrow();
    const other = await bdb.connectAgain(5);
    const tBusy = epochNow();
    const [a, b] = await Promise.all([sendDueReminders(db, content, busyAt), sendDueReminders(other, content, busyAt)]);
    const busyMs = epochNow() - tBusy;
    const queued = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', 'reminder').executeTakeFirstOrThrow();
    const distinct = await db.selectFrom('outbox').select(sql<number>`count(distinct target_id)::int`.as('n')).where('kind', '=', 'reminder').executeTakeFirstOrThrow();
    const exactlyOnce = a + b === dueThen.n && queued.n === dueThen.n && distinct.n === dueThen.n;

    heading('reminders: due times computed once and kept (indexed); a tick reads only what is due');
    console.log(
      table(
        ['step', 'time', '× read all', 'rows'],
        [
          [`read every learner once (baseline)`, ms(readAll.ms), '1.000', count(readAll.value)],
          ['  … and compute every due time (recomputing each tick)', ms(recompute.ms), (recompute.ms / readAll.ms).toFixed(3), count(learners)],
          ['schedule every learner’s reminder (once, as rounds open)', ms(scheduleMs), (scheduleMs / readAll.ms).toFixed(3), count(scheduled)],
          ['a tick with nothing due (median of 9)', ms(idle.ms), (idle.ms / readAll.ms).toFixed(3), count(idle.value)],
          [`the busiest hour (${new Date(hour.hour).toISOString().slice(0, 13)}h), two replicas at once`, ms(busyMs), (busyMs / readAll.ms).toFixed(3), `${count(a)} + ${count(b)} of ${count(dueThen.n)} due`],
        ],
      ),
    );
    console.log(`\noutbox after the busy tick: ${count(queued.n)} reminders to ${count(distinct.n)} learners; ${exactlyOnce ? 'every due reminder exactly once' : 'NOT exactly once'}`);
    summarize(
      [
        { bench: 'reminders', what: `tick with nothing due, ${count(learners)} learners`, value: ms(idle.ms), baseline: `read all ${ms(readAll.ms)}`, target: '≤ 0.05 × read all', ok: idle.ms <= 0.05 * readAll.ms },
        { bench: 'reminders', what: 'busiest hour, two replicas', value: `${ms(busyMs)} (${count(dueThen.n)} due)`, baseline: `read all ${ms(readAll.ms)}`, target: 'each exactly once', ok: exactlyOnce },
        { bench: 'reminders', what: 'scheduling every reminder once', value: ms(scheduleMs), baseline: `recompute all ${ms(recompute.ms)}`, target: '-', ok: null },
      ],
      [figure('reminders', 'idle-tick', idle.ms, 'ms', ['reminders/read-all', readAll.ms]), figure('reminders', 'busy-hour', busyMs, 'ms', ['reminders/read-all', readAll.ms])],
    );
  } finally {
    await bdb.close();
  }
}

await main();
