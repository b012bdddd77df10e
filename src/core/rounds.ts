import { sql, type Transaction } from 'kysely';
import type { Content, Program } from '../content/types.js';
import type { Db } from '../db/connect.js';
import type { Cohort, Database, Round } from '../db/types.js';
import type { AdminId } from '../config.js';
import type { NotRunReason, RoundState } from '../db/types.js';
import { countSentence, roundTallies } from './attendance.js';
import type { OutMessage } from './chat.js';
import { noLearnersNotice, notRunNotice, roundPost } from './messages/rounds.js';
import { organizersOf } from './organizers.js';
import { enqueueMany, type Executor, type Outgoing } from './outbox.js';
import { postTemplate, refreshRoundPosts } from './round-post.js';
import { accessLosses } from './platform-access.js';
import { scheduleReminders } from './reminder-schedule.js';
import { dueSlots, LAST_WEEK_OPEN_MS, type Slot, type SlotRule } from './schedule.js';

/** The latest round of each cohort, in one query. */
export async function latestRounds(db: Executor, cohortIds: number[]): Promise<Map<number, Round>> {
  if (cohortIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('rounds')
    .selectAll()
    .distinctOn('cohort_id')
    .where('cohort_id', 'in', cohortIds)
    .orderBy('cohort_id')
    .orderBy('week', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.cohort_id, r]));
}

export async function latestRound(db: Executor, cohortId: number): Promise<Round | undefined> {
  return (await latestRounds(db, [cohortId])).get(cohortId);
}

export interface OpenedRound {
  cohortId: number;
  roundId: number;
  week: number;
}

/** A round posted this long after its slot says so: the bot was offline when it was due. */
export const LATE_AFTER_MS = 3_600_000;

interface DueWeek {
  week: number;
  slot: Slot;
  state: RoundState;
  reason: NotRunReason | null;
}

interface DueCohort {
  cohort: Cohort;
  program: Program;
  weeks: DueWeek[];
  /** The latest week recorded before: a streak of weeks with no learners is announced once. */
  previous: Round | undefined;
}

/**
 * Cohorts per transaction when many rounds open in the same minute. Each commit wakes the delivery
 * workers (the outbox notification): the first hundred posts go out while the rest are written, in
 * larger batches, since each batch is a dozen statements that wait their turn beside the deliveries.
 */
const FIRST_BATCH = 100;
const BATCH = 450;

export interface OpenOptions {
  admins?: readonly AdminId[];
  /** When a scheduler last ticked before this one: the start of an outage, for the late marker. */
  lastSeen?: Date | null;
  /** REMINDER_AFTER_HOURS: each learner's reminder of a new round is scheduled as it opens. */
  reminderAfterHours?: number;
}

/**
 * Records every week whose slot has come. The calendar never slides: after downtime, the weeks that
 * passed are recorded as not run and only the latest is posted, marked late, and organizers are told
 * once. A week with no active learners is recorded but not posted. Round rows (unique per cohort and
 * week) and their messages commit together, a batch of cohorts per transaction, so any number of
 * schedulers may run this at once: a second one finds the rows there and writes nothing.
 */
export async function openDueRounds(db: Db, content: Content, now: Date, options: OpenOptions = {}): Promise<OpenedRound[]> {
  // A channel that cannot be used, or a platform whose access was revoked, holds its rounds back:
  // once it works again the weeks that fell due meanwhile follow the outage rule.
  const lost = (await accessLosses(db)).map((l) => l.platform);
  const cohorts = await db
    .selectFrom('cohorts')
    .selectAll()
    .where('status', '=', 'active')
    .where('unreachable_at', 'is', null)
    .$if(lost.length > 0, (q) => q.where('platform', 'not in', lost))
    .orderBy('id')
    .execute();
  if (cohorts.length === 0) return [];
  const ids = cohorts.map((c) => c.id);
  const [latest, skipped] = await Promise.all([latestRounds(db, ids), skippedDatesOf(db, ids)]);

  // Cohorts on one schedule have the same due slots; computing them in their zone is most of a big
  // tick's work in this process, so each schedule is worked out once.
  const slotsOf = new Map<string, ReturnType<typeof dueSlots>>();
  const due: DueCohort[] = [];
  for (const cohort of cohorts) {
    const program = content.programs.get(cohort.program_id);
    if (!program) continue;
    const last = latest.get(cohort.id);
    const remaining = program.weeks.length - (last?.week ?? 0);
    if (remaining <= 0) continue;
    const rule = ruleOf(cohort, skipped.get(cohort.id));
    const key = [rule.startDate, rule.weekday, rule.slotTime, rule.timezone, [...rule.skipped].sort().join(','), last?.local_date, remaining, cohort.resumed_at?.valueOf()].join('|');
    const slots = slotsOf.get(key) ?? dueSlots(rule, last ? { localDate: last.local_date } : null, remaining, now, cohort.resumed_at);
    slotsOf.set(key, slots);
    if (slots.length === 0) continue;
    const first = (last?.week ?? 0) + 1;
    const weeks = slots.map((slot, i): DueWeek => {
      const week = first + i;
      // The latest due week is posted, unless it is the last and closed already (an outage across the end).
      const posted = i === slots.length - 1 && !(week === program.weeks.length && slot.at.getTime() + LAST_WEEK_OPEN_MS <= now.getTime());
      // A week that fell due while rounds were held back (and not only while the bot was down).
      const held = cohort.held_since !== null && slot.at.getTime() >= new Date(cohort.held_since).getTime();
      return { week, slot, state: posted ? 'posted' : 'not-run', reason: posted ? null : held ? 'unreachable' : 'offline' };
    });
    due.push({ cohort, program, weeks, previous: last });
  }
  if (due.length === 0) return [];

  const opened: OpenedRound[] = [];
  for (let i = 0, size = FIRST_BATCH; i < due.length; i += size, size = BATCH) {
    const part = due.slice(i, i + size);
    opened.push(...(await db.transaction().execute((trx) => openBatch(trx, part, now, options))));
  }
  return opened;
}

async function openBatch(trx: Transaction<Database>, part: DueCohort[], now: Date, options: OpenOptions): Promise<OpenedRound[]> {
  const counts = await trx
    .selectFrom('members')
    .select(['cohort_id', sql<number>`count(*)::int`.as('learners')])
    .where('cohort_id', 'in', part.map((d) => d.cohort.id))
    .where('role', '=', 'learner')
    .where('removed_at', 'is', null)
    .groupBy('cohort_id')
    .execute();
  const learners = new Map(counts.map((c) => [c.cohort_id, c.learners]));
  for (const d of part) {
    if ((learners.get(d.cohort.id) ?? 0) > 0) continue;
    const latest = d.weeks[d.weeks.length - 1]!;
    latest.state = 'not-run';
    latest.reason = 'no-learners';
  }

  const offlineSince = (d: DueCohort) => {
    const firstDue = d.weeks[0]!.slot.at;
    const held = d.cohort.held_since ? new Date(d.cohort.held_since) : null;
    const since = [options.lastSeen, held].filter((t): t is Date => t !== null && t !== undefined && t < firstDue);
    return since.length > 0 ? new Date(Math.min(...since.map((t) => t.getTime()))) : firstDue;
  };
  // Held back (the channel, the access) rather than the bot offline, when that began first.
  const lateCause = (d: DueCohort): 'offline' | 'unreachable' | 'no-access' => {
    const held = d.cohort.held_since ? new Date(d.cohort.held_since).getTime() : null;
    return held !== null && held <= offlineSince(d).getTime() ? (d.cohort.held_cause ?? 'unreachable') : 'offline';
  };
  const isLate = (d: DueCohort) => d.weeks.length > 1 || now.getTime() - d.weeks[d.weeks.length - 1]!.slot.at.getTime() > LATE_AFTER_MS;
  const inserted = await trx
    .insertInto('rounds')
    .values(
      part.flatMap((d) =>
        d.weeks.map((w) => ({
          cohort_id: d.cohort.id,
          week: w.week,
          milestone_id: d.program.weeks[w.week - 1]!.milestoneId,
          local_date: w.slot.localDate,
          opens_at: w.slot.at,
          created_at: now,
          channel_id: d.cohort.channel_id,
          state: w.state,
          not_run_reason: w.reason,
          offline_since: w.state === 'posted' && isLate(d) ? offlineSince(d) : null,
          late_cause: w.state === 'posted' && isLate(d) ? lateCause(d) : null,
        })),
      ),
    )
    .onConflict((oc) => oc.columns(['cohort_id', 'week']).doNothing())
    .returning(['id', 'cohort_id', 'week', 'state'])
    .execute();
  if (inserted.length === 0) return [];

  const postedIds = inserted.filter((r) => r.state === 'posted').map((r) => r.id);
  const tallies = await roundTallies(trx, postedIds);
  const sentences = new Map(postedIds.map((id) => [id, countSentence(tallies.get(id) ?? { answered: 0, expected: 0, away: 0 })]));
  const byCohort = new Map(part.map((d) => [d.cohort.id, d]));
  // Each post as rendered, and kept without its count (the template a click's edit is written from).
  const posts = new Map(
    inserted
      .filter((r) => r.state === 'posted')
      .map((r) => {
        const d = byCohort.get(r.cohort_id)!;
        const late = isLate(d) ? { from: offlineSince(d), to: now, timezone: d.cohort.timezone, cause: lateCause(d) } : null;
        return [r.id, { program: d.program, roundId: r.id, week: r.week, milestoneId: d.program.weeks[r.week - 1]!.milestoneId, late }] as const;
      }),
  );
  // One statement for the batch: a fan-out's rounds wait for this before any of them can be posted.
  if (posts.size > 0) {
    await sql`
      update rounds set post_count = v.post_count, post_template = v.post_template
      from (values ${sql.join([...posts].map(([id, post]) => sql`(${id}::int, ${sentences.get(id)!}::text, ${postTemplate(post)}::jsonb)`))}) as v(id, post_count, post_template)
      where rounds.id = v.id`.execute(trx);
  }
  await scheduleReminders(trx, postedIds, options.reminderAfterHours ?? 24);
  const outs: Outgoing[] = [];
  for (const r of inserted) {
    const d = byCohort.get(r.cohort_id)!;
    const week = d.weeks.find((w) => w.week === r.week)!;
    const notice = (key: string, message: OutMessage): Outgoing[] =>
      organizersOf(d.cohort, options.admins ?? []).map((userId) => ({
        key: `${key}:to:${userId}`,
        kind: 'notice',
        platform: d.cohort.platform,
        targetKind: 'user',
        targetId: userId,
        message,
        availableAt: now,
        cohortId: d.cohort.id,
      }));
    if (r.state === 'posted') {
      outs.push({
        key: `round:${r.id}`,
        kind: 'round',
        platform: d.cohort.platform,
        targetKind: 'channel',
        targetId: d.cohort.channel_id,
        cohortId: d.cohort.id,
        message: roundPost({ ...posts.get(r.id)!, count: sentences.get(r.id)! }),
        availableAt: now,
      });
    }
    if (week !== d.weeks[d.weeks.length - 1]) continue;
    const offline = d.weeks.filter((w) => w.reason === 'offline' || w.reason === 'unreachable').map((w) => w.week);
    if (offline.length > 0) {
      const ended = r.week === d.program.weeks.length && r.state === 'not-run';
      const message = notRunNotice({ cohortName: d.cohort.name, weeks: offline, from: offlineSince(d), to: now, timezone: d.cohort.timezone, posted: r.state === 'posted' ? r.week : null, ended, cause: lateCause(d) });
      outs.push(...notice(`not-run:${d.cohort.id}:${offline[0]}`, message));
    }
    if (week.reason === 'no-learners' && d.previous?.not_run_reason !== 'no-learners') {
      outs.push(...notice(`no-learners:${d.cohort.id}:${r.week}`, noLearnersNotice(d.cohort.name, r.week)));
    }
  }
  await enqueueMany(trx, outs);
  // The hold, if there was one, ended with the round it delayed.
  const recorded = [...new Set(inserted.map((r) => r.cohort_id))];
  await trx.updateTable('cohorts').set({ held_since: null, held_cause: null }).where('id', 'in', recorded).where('held_since', 'is not', null).execute();
  // A round's week ends where the next one begins: the week before's post gets its final count.
  const previous = part.map((d) => d.previous).filter((p): p is Round => p !== undefined && p.state === 'posted' && inserted.some((r) => r.cohort_id === p.cohort_id));
  await refreshRoundPosts(trx, new Map(part.map((d) => [d.program.id, d.program])), previous.map((p) => p.id), now);
  return inserted.filter((r) => r.state === 'posted').map((r) => ({ cohortId: r.cohort_id, roundId: r.id, week: r.week }));
}

export async function skippedDatesOf(db: Executor, cohortIds: readonly number[]): Promise<Map<number, Set<string>>> {
  const skipped = new Map<number, Set<string>>();
  if (cohortIds.length === 0) return skipped;
  const rows = await db.selectFrom('skipped_dates').selectAll().where('cohort_id', 'in', [...cohortIds]).execute();
  for (const row of rows) {
    if (!skipped.has(row.cohort_id)) skipped.set(row.cohort_id, new Set());
    skipped.get(row.cohort_id)!.add(row.date);
  }
  return skipped;
}

export function ruleOf(cohort: Pick<Cohort, 'start_date' | 'weekday' | 'slot_time' | 'timezone'>, skipped: ReadonlySet<string> = new Set()): SlotRule {
  return { startDate: cohort.start_date, weekday: cohort.weekday, slotTime: cohort.slot_time, timezone: cohort.timezone, skipped };
}

/** The latest posted round of a cohort: the one learners answer. */
export async function latestPostedRound(db: Executor, cohortId: number): Promise<Round | undefined> {
  return db.selectFrom('rounds').selectAll().where('cohort_id', '=', cohortId).where('state', '=', 'posted').orderBy('week', 'desc').limit(1).executeTakeFirst();
}

/**
 * The milestone a learner works on in a round: the week's own, or, once they finished it, their next
 * unfinished one in program order (the last when all are done). Reminders, the form and `Done` use it.
 */
export function learnerMilestone(program: Program, roundMilestoneId: string, completed: ReadonlySet<string>): string {
  if (!completed.has(roundMilestoneId)) return roundMilestoneId;
  const ordered = [...program.milestones].sort((a, b) => a.week - b.week);
  return (ordered.find((m) => !completed.has(m.id)) ?? ordered[ordered.length - 1]!).id;
}
