import { DateTime } from 'luxon';
import { transact } from '../../db/transact.js';
import type { Actor, Reply } from '../chat.js';
import type { Command } from '../commands.js';
import type { CoreDeps } from '../core.js';
import { momentText } from '../dates.js';
import type { Executor } from '../outbox.js';
import { nextSlotAfter, ownTimeOf, peopleOf, type PersonTime, QUIET_FROM_HOUR, QUIET_UNTIL_HOUR, SLOT_MARGIN_MS, zoneShort, type OwnTime, type Slot } from '../own-time.js';
import { rescheduleFor } from '../reminder-schedule.js';
import { canonicalZone, isValidTime, isValidZone, WEEKDAY_NAMES } from '../schedule.js';
import { privately, Refusal } from './reply.js';

const USAGE = '`/me` · `/me tz:<Area/City>` · `/me tz:default` · `/me remind:<day> <HH:MM>` · `/me remind:default`';
const WEEK_MS = 7 * 86_400_000;

interface Cohortship {
  name: string;
  timezone: string;
  weekday: number;
  slot_time: string;
  role: string;
}

async function cohortsOf(db: Executor, actor: Actor): Promise<Cohortship[]> {
  return db
    .selectFrom('members as m')
    .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
    .select(['c.name', 'c.timezone', 'c.weekday', 'c.slot_time', 'm.role'])
    .where('c.platform', '=', actor.platform)
    .where('c.status', '<>', 'finished')
    .where('m.user_id', '=', actor.userId)
    .where('m.removed_at', 'is', null)
    .orderBy('c.id')
    .execute();
}

async function personRow(db: Executor, actor: Actor): Promise<PersonTime | undefined> {
  return (await peopleOf(db, actor.platform, [actor.userId])).get(actor.userId);
}

function zoneLine(own: OwnTime, now: Date, cohorts: readonly Cohortship[]): string {
  const here = `${own.zone} (${zoneShort(now, own.zone)}, now ${DateTime.fromJSDate(now).setZone(own.zone).toFormat('HH:mm')})`;
  const from =
    own.source === 'chosen'
      ? 'you set it with `/me tz:`'
      : own.source === 'profile'
        ? 'from your Slack profile'
        : own.source === 'cohort'
          ? `your cohort's zone (**${cohorts[0]!.name}**); set yours with \`/me tz:<Area/City>\``
          : 'no zone known yet; set yours with `/me tz:<Area/City>`';
  return `Your time zone: ${here} — ${from}.`;
}

function slotWords(slot: Slot): string {
  return `${WEEKDAY_NAMES[slot.weekday]}s at ${slot.time}`;
}

function reminderLine(own: OwnTime, afterHours: number): string {
  return own.slot
    ? `Your reminder: ${slotWords(own.slot)} your time, in each week a check-in is open and you have not answered (\`/me remind:default\` goes back to the usual time).`
    : `Your reminder: ${afterHours} h after each round is posted, moved to ${pad(QUIET_UNTIL_HOUR)}:00 your time when that falls in your night (${QUIET_FROM_HOUR}:00–${pad(QUIET_UNTIL_HOUR)}:00). \`/me remind:<day> <HH:MM>\` picks your own slot.`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

async function nextReminder(db: Executor, actor: Actor): Promise<{ at: Date; cohort: string; week: number } | null> {
  const row = await db
    .selectFrom('reminder_schedule as s')
    .innerJoin('members as m', 'm.id', 's.member_id')
    .innerJoin('rounds as r', 'r.id', 's.round_id')
    .innerJoin('cohorts as c', 'c.id', 'r.cohort_id')
    .select(['s.due_at', 'c.name', 'r.week'])
    .where('c.platform', '=', actor.platform)
    .where('m.user_id', '=', actor.userId)
    .where('s.done_at', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('checkins as k').select('k.id').whereRef('k.round_id', '=', 'r.id').whereRef('k.member_id', '=', 'm.id'))))
    .orderBy('s.due_at')
    .limit(1)
    .executeTakeFirst();
  return row ? { at: new Date(row.due_at), cohort: row.name, week: row.week } : null;
}

/** Reminders concern learners (and someone in no cohort yet, who may join as one); a mentor only is not told of them. */
function remindsThem(cohorts: readonly Cohortship[]): boolean {
  return cohorts.length === 0 || cohorts.some((c) => c.role === 'learner');
}

function when(at: Date, zone: string): string {
  return `${momentText(at, zone)} ${zoneShort(at, zone)}`;
}

/** `/me`: the zone and reminder slot in use, where each comes from, and the next reminder. */
export async function showMe(deps: CoreDeps, actor: Actor): Promise<Reply> {
  const now = deps.clock.now();
  const [cohorts, row] = await Promise.all([cohortsOf(deps.db, actor), personRow(deps.db, actor)]);
  const own = ownTimeOf(row, cohorts[0]?.timezone ?? null);
  const lines = [zoneLine(own, now, cohorts), ...(remindsThem(cohorts) ? [reminderLine(own, deps.reminderAfterHours)] : [])];
  const next = await nextReminder(deps.db, actor);
  if (next) lines.push(`Next reminder: ${when(next.at, own.zone)}, for week ${next.week} of **${next.cohort}** (none if you check in before).`);
  lines.push(`Nothing I start reaches you between ${QUIET_FROM_HOUR}:00 and ${pad(QUIET_UNTIL_HOUR)}:00 your time; answers to what you do come at once.`);
  return privately(lines.join('\n'));
}

function parseSlot(day: string, time: string): Slot {
  const d = day.trim().toLowerCase();
  const weekday = d.length >= 3 ? WEEKDAY_NAMES.findIndex((n, i) => i > 0 && n.toLowerCase().startsWith(d)) : -1;
  if (weekday < 1) throw new Refusal(`"${day}" is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun, e.g. \`/me remind:tue 10:00\`.`, USAGE);
  if (!isValidTime(time)) throw new Refusal(`"${time}" is not a time in HH:MM form (00:00–23:59), e.g. \`/me remind:${d.slice(0, 3)} 10:00\`.`, USAGE);
  const hour = Number(time.slice(0, 2));
  if (hour >= QUIET_FROM_HOUR || hour < QUIET_UNTIL_HOUR) {
    throw new Refusal(`${time} is in the night (${QUIET_FROM_HOUR}:00–${pad(QUIET_UNTIL_HOUR)}:00), when I send nothing. Pick a time from ${pad(QUIET_UNTIL_HOUR)}:00 to ${QUIET_FROM_HOUR - 1}:59 your time.`, USAGE);
  }
  return { weekday, time };
}

/**
 * A slot must fall inside each round's week, an hour or more before it closes: a slot just before
 * the next round opens would remind about a round already over.
 */
function outsideTheWeek(slot: Slot, zone: string, cohort: Cohortship, now: Date): string | null {
  const opens = nextSlotAfter(now, { weekday: cohort.weekday, time: cohort.slot_time }, cohort.timezone);
  const at = nextSlotAfter(opens, slot, zone);
  if (at.getTime() <= opens.getTime() + WEEK_MS - SLOT_MARGIN_MS) return null;
  const from = DateTime.fromJSDate(opens).setZone(zone);
  const until = DateTime.fromJSDate(new Date(opens.getTime() + WEEK_MS - SLOT_MARGIN_MS)).setZone(zone);
  return `${WEEKDAY_NAMES[slot.weekday]} ${slot.time} your time falls less than an hour before **${cohort.name}**'s round closes, too late to answer. Pick a slot from ${from.toFormat('cccc HH:mm')} to ${until.toFormat('cccc HH:mm')} your time (${zoneShort(opens, zone)}).`;
}

/** `/me tz:` and `/me remind:`: checked whole before anything is kept; reminders not yet sent move to the new time. */
export async function setMe(deps: CoreDeps, actor: Actor, cmd: Extract<Command, { name: 'me.set' }>): Promise<Reply> {
  const now = deps.clock.now();
  const [cohorts, row] = await Promise.all([cohortsOf(deps.db, actor), personRow(deps.db, actor)]);
  let chosen = row?.chosen_tz ?? null;
  if (cmd.tz !== undefined) {
    if (cmd.tz === 'default') chosen = null;
    else if (!isValidZone(cmd.tz)) {
      throw new Refusal(`"${cmd.tz}" is not a time zone I know. Use an Area/City name, e.g. \`/me tz:America/Los_Angeles\` or \`/me tz:Asia/Tokyo\`.`, USAGE);
    } else chosen = canonicalZone(cmd.tz);
  }
  let slot: Slot | null = row?.remind_weekday && row.remind_time ? { weekday: row.remind_weekday, time: row.remind_time } : null;
  if (cmd.remind === 'default') slot = null;
  else if (cmd.remind) slot = parseSlot(cmd.remind.day, cmd.remind.time);
  // As it will read once kept: the slot is checked in the zone it will be in.
  const own = ownTimeOf({ chosen_tz: chosen, profile_tz: row?.profile_tz ?? null, remind_weekday: slot?.weekday ?? null, remind_time: slot?.time ?? null }, cohorts[0]?.timezone ?? null);
  if (slot) {
    for (const c of cohorts.filter((x) => x.role === 'learner')) {
      const problem = outsideTheWeek(slot, own.zone, c, now);
      if (problem) throw new Refusal(problem, USAGE);
    }
  }
  await transact(deps.db, async (trx) => {
    await trx
      .insertInto('people')
      .values({ platform: actor.platform, user_id: actor.userId, chosen_tz: chosen, remind_weekday: slot?.weekday ?? null, remind_time: slot?.time ?? null, updated_at: now })
      .onConflict((oc) => oc.columns(['platform', 'user_id']).doUpdateSet({ chosen_tz: chosen, remind_weekday: slot?.weekday ?? null, remind_time: slot?.time ?? null, updated_at: now }))
      .execute();
    await rescheduleFor(trx, actor.platform, actor.userId, deps.reminderAfterHours, now);
  });
  const lines = ['Saved.', zoneLine(own, now, cohorts), ...(remindsThem(cohorts) || slot ? [reminderLine(own, deps.reminderAfterHours)] : [])];
  const next = await nextReminder(deps.db, actor);
  if (next) lines.push(`Next reminder: ${when(next.at, own.zone)}, for week ${next.week} of **${next.cohort}**.`);
  return privately(lines.join('\n'));
}
