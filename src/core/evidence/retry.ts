const MINUTE = 60_000;
const RETRY_BASE_MS = 5 * MINUTE;
const RETRY_MAX_MS = 6 * 60 * MINUTE;

/**
 * Tries of a check that found GitHub (or the site) unreachable before the learner is told it could
 * not be checked: with the delays of retryDelayMs the last comes about 23 hours after the first.
 * After that the link counts as self-reported and only the daily re-check looks at it again.
 */
export const MAX_TRIES = 10;

/** How long to wait after the given number of failed tries: 5 minutes, doubling, at most 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts), RETRY_MAX_MS);
}

export type RetryWhy = 'rate-limit' | 'unreachable';

/** Why the last check could not be made, from the stored `retry_reason` ("unreachable: …"). */
export function retryWhy(reason: string | null): RetryWhy | null {
  if (reason === null) return null;
  return reason.startsWith('rate-limit') ? 'rate-limit' : 'unreachable';
}
