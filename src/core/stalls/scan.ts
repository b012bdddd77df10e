import type { AdminId } from '../../config.js';
import type { Content } from '../../content/types.js';
import type { Db } from '../../db/connect.js';
import { applyPlan } from './apply.js';
import { loadSnapshot } from './load-snapshot.js';
import { dryRunResult, planScan, type ScanResult } from './plan.js';
import type { ScanScope } from './snapshot.js';

export { RESEND_AFTER_MS, type ScanResult } from './plan.js';
export { cohortToday, type ScanScope } from './snapshot.js';

export interface ScanOptions {
  /** Organizers (ADMIN_USER_IDS): they get alerts when a cohort has no mentor, and escalations. */
  admins?: readonly AdminId[];
  /** Kept for callers; a round now counts as missed once it has closed, whatever the reminder delay. */
  reminderAfterHours?: number;
  /** Only these cohorts and learners (the rest are left as they are); every active cohort when unset. */
  scope?: ScanScope;
  /** Plan only: change nothing, send nothing, and say which learners a scan would act on. */
  dryRun?: boolean;
}

/**
 * Flags stalling learners, keeps open flags current, resolves the ones whose learner is back on
 * track, re-sends unacknowledged alerts once and then escalates them to the organizers. Safe to
 * run from any number of replicas at once: the one-open-flag-per-learner index and the outbox
 * keys decide who wins, and every state change commits with the messages it announces.
 */
export async function scanStalls(db: Db, content: Content, now: Date, options: ScanOptions = {}): Promise<ScanResult> {
  const snap = await loadSnapshot(db, content, now, options.scope);
  const plan = planScan(snap, now, options.scope);
  if (options.dryRun) return dryRunResult(plan);
  return applyPlan(db, plan, { now, admins: options.admins ?? [] });
}
