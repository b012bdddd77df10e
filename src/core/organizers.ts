import type { AdminId } from '../config.js';
import type { Platform } from '../db/types.js';

/** Organizers we can name for a cohort: ADMIN_USER_IDS of its platform, and whoever created it. */
export function organizersOf(cohort: { platform: Platform; created_by: string }, admins: readonly AdminId[]): string[] {
  return [...new Set([...admins.filter((a) => a.platform === cohort.platform).map((a) => a.userId), cohort.created_by])];
}
