import { DateTime } from 'luxon';

/** Plain date and zone arithmetic for the reference model; nothing here comes from src/. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** YYYY-MM-DD plus `n` calendar days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** ISO weekday of a calendar date, 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay() || 7;
}

/** The first date on or after `date` that falls on `weekday`. */
export function onOrAfter(date: string, weekday: number): string {
  return addDays(date, (weekday - weekdayOf(date) + 7) % 7);
}

/** The instant of HH:MM local time on a local date in an IANA zone (luxon's reading of a DST gap). */
const slots = new Map<string, number>();

export function slotOf(date: string, time: string, zone: string): number {
  const key = `${date}|${time}|${zone}`;
  let at = slots.get(key);
  if (at === undefined) slots.set(key, (at = computeSlot(date, time, zone)));
  return at;
}

function computeSlot(date: string, time: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return DateTime.fromObject({ year: y, month: m, day: d, hour, minute }, { zone }).toMillis();
}

/** The local date of an instant in a zone. */
export function localDateOf(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate()!;
}

/** `at`, or 09:00 next when `at` falls between 21:00 and 09:00 in `zone`: nobody is messaged at night. */
export function outOfNight(at: number, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  if (local.hour >= 9 && local.hour < 21) return at;
  const date = local.hour >= 21 ? addDays(local.toISODate()!, 1) : local.toISODate()!;
  return slotOf(date, '09:00', zone);
}

/** The first moment strictly after `after` that is `weekday` at HH:MM in `zone`. */
export function nextWeeklyAfter(after: number, weekday: number, time: string, zone: string): number {
  const today = localDateOf(after, zone);
  for (let i = 0; i <= 7; i++) {
    const date = addDays(today, i);
    if (weekdayOf(date) !== weekday) continue;
    const at = slotOf(date, time, zone);
    if (at > after) return at;
  }
  return slotOf(addDays(onOrAfter(addDays(today, 1), weekday), 7), time, zone);
}

export function iso(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString() : 'never';
}

export const WEEKDAY_KEYS = ['', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
