import { DateTime, IANAZone } from 'luxon';
import { momentText } from './dates.js';

/**
 * All calendar math for rounds. Slots are computed on local calendar dates in the cohort's zone
 * and only then turned into instants, so a 09:00 Monday slot stays 09:00 local across DST.
 */

/** The program's last week has no next round to close it: it closes this long after it opened. */
export const LAST_WEEK_OPEN_MS = 7 * 86_400_000;

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

/**
 * The zone as the organizer typed it, in its usual capitals ("europe/berlin" → "Europe/Berlin"),
 * never swapped for a legacy alias the runtime may prefer ("Europe/Kyiv" stays, not "Europe/Kiev").
 */
export function canonicalZone(zone: string): string {
  const typed = zone.trim();
  const lower = typed.toLowerCase();
  const known = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (known) return known;
  const resolved = new Intl.DateTimeFormat('en', { timeZone: typed }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === lower) return resolved;
  if (lower === 'utc') return 'UTC';
  return typed
    .split('/')
    .map((part) => part.replace(/(^|[_-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()))
    .join('/');
}

export function localDate(now: Date, zone: string): string {
  return DateTime.fromJSDate(now).setZone(zone).toISODate()!;
}

function slotAt(rule: SlotRule, date: DateTime): Slot {
  const [hour, minute] = rule.slotTime.split(':').map(Number) as [number, number];
  const local = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone: rule.timezone });
  return { localDate: date.toISODate()!, at: local.toJSDate() };
}

/** The first date on or after `from` that falls on the rule's weekday. */
function onWeekday(rule: SlotRule, from: DateTime): DateTime {
  return from.plus({ days: (rule.weekday - from.weekday + 7) % 7 });
}

/** The first slot date on or after the start date. */
function firstSlotDate(rule: SlotRule): DateTime {
  return onWeekday(rule, DateTime.fromISO(rule.startDate, { zone: rule.timezone }));
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
 * The calendar is fixed: week 1 falls on the first check-in day on or after the start date, and
 * each later week on the first check-in day at least four days after the week before it (a week
 * later when the slot is unchanged; the nearest such day after `/cohort edit` moves the weekday).
 * A skipped date, or a slot before `notBefore` (the end of a pause), moves the week on by a week.
 * Weeks already recorded never move, so the next week is always computed from the last one.
 */
export function nextWeekSlot(rule: SlotRule, previous: { localDate: string } | null, notBefore: Date | null = null): Slot {
  let date = previous ? onWeekday(rule, DateTime.fromISO(previous.localDate, { zone: rule.timezone }).plus({ days: 4 })) : firstSlotDate(rule);
  while (rule.skipped.has(date.toISODate()!) || (notBefore && slotAt(rule, date).at < notBefore)) date = date.plus({ weeks: 1 });
  return slotAt(rule, date);
}

/** The next `count` week slots after `previous`, as nextWeekSlot would place them. */
export function upcomingSlots(rule: SlotRule, previous: { localDate: string } | null, count: number, notBefore: Date | null = null): Slot[] {
  const out: Slot[] = [];
  let last = previous;
  for (let i = 0; i < count; i++) {
    const slot = nextWeekSlot(rule, last, i === 0 ? notBefore : null);
    out.push(slot);
    last = slot;
  }
  return out;
}

/** Every week slot after `previous` that is due at `now`, oldest first (more than one after an outage). */
export function dueSlots(rule: SlotRule, previous: { localDate: string } | null, limit: number, now: Date, notBefore: Date | null = null): Slot[] {
  const out: Slot[] = [];
  let last = previous;
  while (out.length < limit) {
    const slot = nextWeekSlot(rule, last, out.length === 0 ? notBefore : null);
    if (slot.at > now) break;
    out.push(slot);
    last = slot;
  }
  return out;
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

/** A YYYY-MM-DD date `days` later, calendar days regardless of zone. */
export function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 3_600_000);
}
