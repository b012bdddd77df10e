import { DateTime } from 'luxon';
import type { Platform } from '../db/types.js';
import type { Executor } from './outbox.js';

/**
 * Each person's own time. Their zone is the one they chose (`/me tz:`), else their profile's
 * (Slack), else the cohort's; their reminder comes at the slot they chose, else a day after the
 * round post moved out of the night. Nothing the bot starts reaches them between 21:00 and 09:00.
 */
export const QUIET_FROM_HOUR = 21;
export const QUIET_UNTIL_HOUR = 9;

export interface Slot {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** HH:MM in the person's zone. */
  time: string;
}

export interface OwnTime {
  zone: string;
  source: 'chosen' | 'profile' | 'cohort' | 'default';
  slot: Slot | null;
}

/** What a person set with `/me`, or their profile gave: a row of `people`. */
export interface PersonTime {
  chosen_tz: string | null;
  profile_tz: string | null;
  remind_weekday: number | null;
  remind_time: string | null;
}

/** What these people set or their profile gave (`people`), by user id; those with nothing are absent. */
export async function peopleOf(db: Executor, platform: Platform, userIds: readonly string[]): Promise<Map<string, PersonTime>> {
  const rows = userIds.length === 0 ? [] : await db.selectFrom('people').selectAll().where('platform', '=', platform).where('user_id', 'in', [...new Set(userIds)]).execute();
  return new Map(rows.map((r) => [r.user_id, r]));
}

/** The zones and slots of these people; `fallback` (the cohort's zone) for those who have none. */
export async function ownTimes(db: Executor, platform: Platform, userIds: readonly string[], fallback: string | null): Promise<Map<string, OwnTime>> {
  const people = await peopleOf(db, platform, userIds);
  return new Map(userIds.map((u) => [u, ownTimeOf(people.get(u), fallback)]));
}

export function ownTimeOf(row: PersonTime | undefined, fallback: string | null): OwnTime {
  const slot = row?.remind_weekday && row.remind_time ? { weekday: row.remind_weekday, time: row.remind_time } : null;
  if (row?.chosen_tz) return { zone: row.chosen_tz, source: 'chosen', slot };
  if (row?.profile_tz) return { zone: row.profile_tz, source: 'profile', slot };
  return fallback ? { zone: fallback, source: 'cohort', slot } : { zone: 'UTC', source: 'default', slot };
}

export function isQuiet(at: Date, zone: string): boolean {
  const hour = DateTime.fromJSDate(at).setZone(zone).hour;
  return hour >= QUIET_FROM_HOUR || hour < QUIET_UNTIL_HOUR;
}

/** `at`, or the next 09:00 in `zone` when `at` falls in the night there (DST-safe: local calendar arithmetic). */
export function outOfQuietHours(at: Date, zone: string): Date {
  if (!isQuiet(at, zone)) return at;
  const local = DateTime.fromJSDate(at).setZone(zone);
  let morning = local.set({ hour: QUIET_UNTIL_HOUR, minute: 0, second: 0, millisecond: 0 });
  if (morning <= local) morning = morning.plus({ days: 1 });
  return morning.toJSDate();
}

/** The first moment strictly after `after` that is the slot's weekday and time in `zone`. */
export function nextSlotAfter(after: Date, slot: Slot, zone: string): Date {
  const [hour, minute] = slot.time.split(':').map(Number) as [number, number];
  const local = DateTime.fromJSDate(after).setZone(zone);
  let day = local.plus({ days: (slot.weekday - local.weekday + 7) % 7 });
  let at = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (at <= local) {
    day = day.plus({ weeks: 1 });
    at = day.set({ hour, minute, second: 0, millisecond: 0 });
  }
  return at.toJSDate();
}

const ON_TIME_MS = 3_600_000;

/** A reminder must leave time to answer: it comes at least this long before its round closes. */
export const SLOT_MARGIN_MS = 3_600_000;
const WEEK_MS = 7 * 86_400_000;

/**
 * When a learner's reminder for a round is due: their chosen slot (its first moment after the post,
 * while the round is still open), else `afterHours` after the post, moved to 09:00 their time when
 * that falls in their night.
 */
export function reminderDueAt(round: { opensAt: Date; postedAt: Date }, own: OwnTime, afterHours: number, notBefore?: Date): Date {
  // A post within the hour of its slot is the post on time (a tick's lag, reading channels first):
  // its reminders keep the slot's minute. A late post (an outage) counts from when it went out.
  const late = round.postedAt.getTime() - round.opensAt.getTime() > ON_TIME_MS;
  const posted = late ? round.postedAt : round.opensAt;
  // Rescheduled mid-week (a new zone or slot): a time already gone becomes the next one still ahead.
  const from = new Date(Math.max(posted.getTime(), notBefore?.getTime() ?? 0));
  if (own.slot) {
    const at = nextSlotAfter(from, own.slot, own.zone);
    // A round closes a week after its slot at the earliest; a slot past that falls back to the rule.
    if (at.getTime() <= round.opensAt.getTime() + WEEK_MS - SLOT_MARGIN_MS) return at;
  }
  const rule = new Date(Math.max(posted.getTime() + afterHours * 3_600_000, from.getTime()));
  return outOfQuietHours(rule, own.zone);
}

/** "CET", "PST", "GMT+5:30": a zone's short name at a moment, as people read it. */
export function zoneShort(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).setLocale('en-US').toFormat('ZZZZ');
}
