import { DateTime, IANAZone } from 'luxon';
import { momentText } from './dates.js';

/**
 * All calendar math for rounds. Slots are computed on local calendar dates in the cohort's zone
 * and only then turned into instants, so a 09:00 Monday slot stays 09:00 local across DST.
 */

export interface SlotRule {
  startDate: string;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  slotTime: string;
  timezone: string;
  skipped: ReadonlySet<string>;
}

export interface Slot {
  localDate: string;
  at: Date;
}

/** An IANA Area/City zone (or UTC): not "system", "local", a fixed offset or a legacy abbreviation like EST. */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone) && (zone.includes('/') || zone.toUpperCase() === 'UTC');
}

/** The zone's canonical spelling ("europe/berlin" → "Europe/Berlin"). */
export function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
}

export function localDate(now: Date, zone: string): string {
  return DateTime.fromJSDate(now).setZone(zone).toISODate()!;
}

function slotAt(rule: SlotRule, date: DateTime): Slot {
  const [hour, minute] = rule.slotTime.split(':').map(Number) as [number, number];
  const local = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone: rule.timezone });
  return { localDate: date.toISODate()!, at: local.toJSDate() };
}

/** The first slot date on or after the start date. */
function firstSlotDate(rule: SlotRule): DateTime {
  const start = DateTime.fromISO(rule.startDate, { zone: rule.timezone });
  return start.plus({ days: (rule.weekday - start.weekday + 7) % 7 });
}

/** When the first round would open, ignoring skips: the start date's first check-in day. */
export function firstSlot(rule: SlotRule): Slot {
  return slotAt(rule, firstSlotDate(rule));
}

/** The first check-in day, on or after the start date, whose slot is still ahead of `now`. */
export function nextStartDate(rule: SlotRule, now: Date): string {
  let date = firstSlotDate(rule);
  while (slotAt(rule, date).at <= now) date = date.plus({ weeks: 1 });
  return date.toISODate()!;
}

/**
 * The slot for the round after `previous` (or the first round when there is none). Skipped
 * dates move the round to the following week. Slots that passed while the cohort was paused,
 * or while the bot was down for longer than a week, are not caught up one by one: the round
 * goes out once, at the latest slot that has passed.
 */
export function nextSlot(rule: SlotRule, previous: { localDate: string } | null, opts: { now: Date; notBefore?: Date | null }): Slot {
  let date = previous ? DateTime.fromISO(previous.localDate, { zone: rule.timezone }).plus({ weeks: 1 }) : firstSlotDate(rule);
  const usable = (d: DateTime) => !rule.skipped.has(d.toISODate()!) && (!opts.notBefore || slotAt(rule, d).at >= opts.notBefore);
  while (!usable(date)) date = date.plus({ weeks: 1 });
  for (;;) {
    let later = date.plus({ weeks: 1 });
    while (!usable(later)) later = later.plus({ weeks: 1 });
    if (slotAt(rule, later).at > opts.now) break;
    date = later;
  }
  return slotAt(rule, date);
}

const WEEKDAY_NUMBERS: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
export const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export function parseWeekday(text: string): number | null {
  const key = text.trim().toLowerCase().slice(0, 3);
  return WEEKDAY_NUMBERS[key] ?? null;
}

export function isValidDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid;
}

export function isValidTime(text: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  return Boolean(m && Number(m[1]) < 24 && Number(m[2]) < 60);
}

/** "Mon 2 Mar 2026, 09:00 Europe/Berlin" — how a slot is shown to people. */
export function describeSlot(at: Date, zone: string): string {
  return `${momentText(at, zone)} ${zone}`;
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 3_600_000);
}
