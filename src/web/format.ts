import { DateTime } from 'luxon';
import { html, type Html } from './html.js';

/** "2 Mar 2026, 09:00" in the zone given, inside a <time> that carries the exact moment. */
export function when(at: Date | null, zone: string): Html | string {
  if (!at) return '';
  return html`<time datetime="${at.toISOString()}">${whenText(at, zone)}</time>`;
}

export function whenText(at: Date | null, zone: string): string {
  if (!at) return '';
  return DateTime.fromJSDate(at).setZone(zone).toFormat('d LLL yyyy, HH:mm');
}

/** "Mon 2 Mar 2026" for a cohort-local date (YYYY-MM-DD). */
export function dayText(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).toFormat('ccc d LLL yyyy');
}

/** The core writes Markdown for chat; a page shows the same sentence as plain text. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/<@([^>|]+)(?:\|[^>]*)?>/g, '@$1');
}

export const STATUS_WORDS: Record<string, string> = { 'on-track': 'on track', behind: 'behind', blocked: 'blocked', done: 'done' };
