import type { Database } from './types.js';

/** Every table, children before parents: the order to drop or truncate them in. */
export const TABLES = [
  'stall_queue',
  'platform_access',
  'leases',
  'github_cache',
  'evidence_links',
  'audit_log',
  'heartbeats',
  'faq_alias_candidates',
  'faq_mentor_answers',
  'faq_questions',
  'processed_events',
  'digests',
  'outbox_files',
  'outbox',
  'stall_flags',
  'milestone_completions',
  'checkin_history',
  'checkins',
  'rounds',
  'skipped_dates',
  'cohort_pauses',
  'away_periods',
  'members',
  'cohorts',
] as const satisfies ReadonlyArray<keyof Database>;
