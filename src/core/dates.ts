import { DateTime } from 'luxon';

/**
 * The one way dates are written in every message: "Mon 6 Sep 2027" and "Mon 6 Sep 2027, 09:00",
 * in the cohort's zone. The year is always there: a program runs across New Year, and a message is
 * read long after it was sent.
 */
const DAY = 'ccc d LLL yyyy';

function inZone(at: Date | string, zone: string): DateTime {
  return (typeof at === 'string' ? DateTime.fromISO(at, { zone }) : DateTime.fromJSDate(at).setZone(zone)).setLocale('en-US');
}

/** "Mon 6 Sep 2027": a day (a Date in the zone, or a YYYY-MM-DD local date, which has none). */
export function dayText(at: Date | string, zone = 'UTC'): string {
  return inZone(at, zone).toFormat(DAY);
}

/** "Mon 6 Sep 2027, 09:00": a moment in the zone. */
export function momentText(at: Date, zone: string): string {
  return inZone(at, zone).toFormat(`${DAY}, HH:mm`);
}
