import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type Platform = 'slack' | 'discord' | 'local';
export type CohortStatus = 'active' | 'paused' | 'finished';
export type Role = 'learner' | 'mentor';
export type CheckinStatus = 'on-track' | 'behind' | 'blocked' | 'done';
export type CheckinSource = 'button' | 'form' | 'quick';
export type RoundState = 'posted' | 'not-run';
export type NotRunReason = 'offline' | 'no-learners' | 'unreachable';
export type FlagStatus = 'open' | 'acknowledged' | 'resolved';
export type FlagResolution = 'mentor' | 'auto' | 'removed' | 'ended' | 'left';
/** dead: could not be delivered; dropped: held back (no access, no channel) and meaningless by the time it could be. */
export type OutboxStatus = 'pending' | 'sent' | 'dead' | 'dropped';
/** reply: in the thread of the message `targetId` names (`round:<id>`). */
export type OutboxTargetKind = 'channel' | 'user' | 'message' | 'reply';
export type FaqVia = 'command' | 'mention' | 'checkin' | 'cli';

export type StallReasonCode = 'missed-rounds' | 'blocked-often' | 'behind-schedule' | 'confidence-drop' | 'no-commits';

export interface StallReason {
  code: StallReasonCode;
  text: string;
  /** When the newest fact behind the reason happened (ISO): a resolved flag reopens only on a newer one. */
  since?: string;
}

export interface CohortsTable {
  id: Generated<number>;
  name: string;
  platform: Platform;
  workspace_id: string | null;
  channel_id: string;
  program_id: string;
  start_date: string;
  weekday: number;
  slot_time: string;
  timezone: string;
  status: Generated<CohortStatus>;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Slots before this moment are not used: a paused cohort does not catch up on resume. */
  resumed_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** The channel cannot be used (archived, deleted, the bot removed or lacking permission) since then. */
  unreachable_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  unreachable_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** Rounds have been held back since then (an unreachable channel, revoked access): the next one is late. */
  held_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  held_cause: ColumnType<'unreachable' | 'no-access' | null, 'unreachable' | 'no-access' | null | undefined, 'unreachable' | 'no-access' | null>;
}

export interface CohortPausesTable {
  id: Generated<number>;
  cohort_id: number;
  paused_at: Timestamp;
  resumed_at: Timestamp | null;
}

export interface MembersTable {
  id: Generated<number>;
  cohort_id: number;
  user_id: string;
  display_name: string;
  role: Role;
  away_until: string | null;
  joined_at: Timestamp;
  removed_at: Timestamp | null;
  /** The learner had their data erased: this row is anonymous and only counts in cohort totals. */
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Gone from the channel, the workspace or the server (or deactivated) since then; null while present. */
  left_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  left_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

/** An announced absence: from `starts_on` up to, not including, `ends_on` (the first day back), cohort-local dates. */
export interface AwayPeriodsTable {
  id: Generated<number>;
  member_id: number;
  starts_on: string;
  ends_on: string;
  created_at: Timestamp;
  /** break: announced with `/away`; left: gone from the channel (ends the day they come back). */
  kind: Generated<'break' | 'left'>;
}

export interface SkippedDatesTable {
  cohort_id: number;
  date: string;
}

export interface RoundsTable {
  id: Generated<number>;
  cohort_id: number;
  week: number;
  milestone_id: string;
  local_date: string;
  opens_at: Timestamp;
  created_at: Timestamp;
  reminded_at: Timestamp | null;
  channel_id: string;
  message_id: string | null;
  /** not-run: the week's slot passed with no round posted (the bot was offline, or no learners). */
  state: Generated<RoundState>;
  not_run_reason: NotRunReason | null;
  /** Posted late after an outage: when the bot was last seen before it. */
  offline_since: Timestamp | null;
  /** When this week's digest was queued. */
  digest_at: Timestamp | null;
  /** Why a round was posted late: the bot offline, the channel unreachable, or its access revoked. */
  late_cause: ColumnType<'offline' | 'unreachable' | 'no-access' | null, 'offline' | 'unreachable' | 'no-access' | null | undefined, 'offline' | 'unreachable' | 'no-access' | null>;
  /** How many times the post's count was queued for an edit: each edit's outbox key. */
  post_version: Generated<number>;
  /** The count sentence the post shows (or will once the last edit is delivered). */
  post_count: string | null;
  /** The post as last rendered with a marker where the count goes: the database writes a click's edit of it (record_click). */
  post_template: ColumnType<unknown, string | null | undefined, string | null>;
}

/** A week's digest as it was reported, kept so a rebuild (an erasure) tells that week's truth. */
export interface DigestsTable {
  round_id: number;
  built_at: Timestamp;
  data: Json<unknown>;
  heatmap: Json<unknown> | null;
}

export interface CheckinsTable {
  id: Generated<number>;
  round_id: number;
  member_id: number;
  status: CheckinStatus;
  confidence: number | null;
  blocker: string | null;
  note: string | null;
  late: Generated<boolean>;
  source: CheckinSource;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CheckinHistoryTable {
  id: Generated<number>;
  checkin_id: number;
  status: CheckinStatus;
  confidence: number | null;
  blocker: string | null;
  note: string | null;
  milestones: ColumnType<string[], string[] | undefined, string[]>;
  late: boolean;
  source: CheckinSource;
  recorded_at: Timestamp;
}

export interface MilestoneCompletionsTable {
  member_id: number;
  milestone_id: string;
  checkin_id: number | null;
  completed_at: Timestamp;
}

export interface StallFlagsTable {
  id: Generated<number>;
  member_id: number;
  cohort_id: number;
  reasons: Json<StallReason[]>;
  status: Generated<FlagStatus>;
  mentor_member_id: number | null;
  opened_at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resent_at: Timestamp | null;
  escalated_at: Timestamp | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution: FlagResolution | null;
  /** Bumped whenever the reasons change, so each change edits the alerts once. */
  version: Generated<number>;
  /** When its first alert reached someone, and its re-sent one: the 48 h clocks start there. */
  alerted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  resend_alerted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface HeartbeatsTable {
  name: string;
  at: Timestamp;
}

/** Learners (member_id, cohort_id 0) and cohorts (member_id 0) whose stall flags need a look, filled by triggers. */
export interface StallQueueTable {
  cohort_id: Generated<number>;
  member_id: Generated<number>;
  due_at: Timestamp;
  seq: Generated<string>;
}

export interface OutboxTable {
  id: Generated<string>;
  key: string;
  kind: string;
  platform: Platform;
  target_kind: OutboxTargetKind;
  target_id: string;
  payload: Json<unknown>;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  available_at: Timestamp;
  claimed_by: string | null;
  claimed_until: Timestamp | null;
  sent_at: Timestamp | null;
  platform_message_id: string | null;
  /** Where a sent message landed when that is not `target_id` (a DM's channel). */
  platform_channel_id: Generated<string | null>;
  last_error: string | null;
  created_at: Timestamp;
  /** The cohort a message is about, when it is about one: failures are reported to its organizers. */
  cohort_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** When a failure of this row was listed to the organizers. */
  reported_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The reader's zone of a DM the bot started: it is delivered in their daytime only. */
  quiet_zone: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A platform whose access was revoked: sending stops until a probe finds it back. */
export interface PlatformAccessTable {
  platform: string;
  lost_at: Timestamp;
  cause: string;
  probed_at: Timestamp | null;
}

/** A file an outbox message carries, in order of `position`. */
export interface OutboxFilesTable {
  outbox_key: string;
  position: number;
  name: string;
  content_type: string;
  bytes: Uint8Array;
}

export interface ProcessedEventsTable {
  platform: string;
  event_id: string;
  received_at: Timestamp;
}

export interface FaqQuestionsTable {
  id: Generated<number>;
  platform: string;
  user_id: string | null;
  cohort_id: number | null;
  question: string;
  normalized: string;
  via: FaqVia;
  matched_id: string | null;
  score: number;
  answered: boolean;
  feedback: 'helpful' | 'not_helpful' | null;
  feedback_at: Timestamp | null;
  asked_at: Timestamp;
}

export interface FaqMentorAnswersTable {
  id: Generated<number>;
  question_id: number;
  normalized: string;
  answer: string;
  mentor_user_id: string;
  mentor_name: string;
  answered_at: Timestamp;
}

export interface FaqAliasCandidatesTable {
  id: Generated<number>;
  entry_id: string;
  phrasing: string;
  normalized: string;
  chosen: Generated<number>;
  last_chosen_at: Timestamp;
}

export type EvidenceKind = 'repo' | 'pull' | 'commit' | 'web';
export type EvidenceState = 'pending' | 'verified' | 'not-verified';

/** One check's outcome, in words a learner can act on. */
export interface EvidenceCheckResult {
  /** The check's place in the milestone's `evidence:` list; absent for the link's own existence check. */
  index?: number;
  type: string;
  ok: boolean;
  detail: string;
}

/** Who is waiting for a check's result: told once, by DM, when it is known. */
export interface EvidenceNotify {
  platform: Platform;
  userId: string;
}

export interface EvidenceLinksTable {
  id: Generated<number>;
  member_id: number;
  milestone_id: string;
  url: string;
  kind: EvidenceKind;
  owner: string | null;
  repo: string | null;
  state: Generated<EvidenceState>;
  results: ColumnType<EvidenceCheckResult[], string | undefined, string>;
  checked_at: Timestamp | null;
  /** When the checks last passed; kept when a later check fails, so the change is shown. */
  verified_at: Timestamp | null;
  /** The newest commit on the default branch, for the no-commits stall reason (repository links). */
  last_commit_at: Timestamp | null;
  /** The job: due when this has passed; null when nothing is due. */
  check_due_at: Timestamp | null;
  claimed_until: Timestamp | null;
  attempts: Generated<number>;
  retry_reason: string | null;
  notify: ColumnType<EvidenceNotify | null, string | null | undefined, string | null>;
  retry_told: Generated<boolean>;
  created_at: Timestamp;
}

export interface GithubCacheTable {
  key: string;
  etag: string;
  body: ColumnType<unknown, string, string>;
  fetched_at: Timestamp;
}

/** An organizer's or mentor's action, or a data deletion request: who, what, when. */
export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  platform: string;
  actor_id: string;
  actor_name: string;
  action: string;
  cohort_id: number | null;
  /** Kept beside the id so the record still names a cohort that was deleted. */
  cohort_name: string | null;
  /** Who the action was about (a member, a date, a flag), as shown to people. */
  subject: string | null;
  detail: string | null;
  /** The member the action was about: shown as "a learner" once their data is erased. */
  subject_member_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Where it was done: chat, dashboard or cli; null on rows older than the column. */
  via: ColumnType<AuditVia | null, AuditVia | null | undefined, AuditVia | null>;
}

export type AuditVia = 'chat' | 'dashboard' | 'cli';

/** A one-time sign-in link to the dashboard, kept as the sha256 of its token. */
export interface DashboardLinksTable {
  token_hash: string;
  platform: Platform;
  user_id: string;
  display_name: string;
  /** The platform called them an organizer when they asked (workspace admin, Manage Server, the terminal's organizer). */
  is_admin: boolean;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** A signed-in browser, kept as the sha256 of its cookie. */
export interface DashboardSessionsTable {
  id_hash: string;
  platform: Platform;
  user_id: string;
  display_name: string;
  is_admin: boolean;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Timestamp;
}

/** A person's own time, per platform: the zone their profile gives, the one they chose, their reminder slot. */
export interface PeopleTable {
  platform: string;
  user_id: string;
  profile_tz: string | null;
  chosen_tz: string | null;
  /** ISO weekday of their chosen reminder slot, with `remind_time` (HH:MM in their zone). */
  remind_weekday: number | null;
  remind_time: string | null;
  updated_at: Timestamp;
}

/** When a learner's reminder for a round is due, computed once; `done_at` once it was sent or settled. */
export interface ReminderScheduleTable {
  round_id: number;
  member_id: number;
  due_at: Timestamp;
  done_at: Timestamp | null;
}

export interface Database {
  cohorts: CohortsTable;
  members: MembersTable;
  away_periods: AwayPeriodsTable;
  skipped_dates: SkippedDatesTable;
  rounds: RoundsTable;
  checkins: CheckinsTable;
  checkin_history: CheckinHistoryTable;
  milestone_completions: MilestoneCompletionsTable;
  stall_flags: StallFlagsTable;
  outbox: OutboxTable;
  outbox_files: OutboxFilesTable;
  processed_events: ProcessedEventsTable;
  faq_questions: FaqQuestionsTable;
  faq_mentor_answers: FaqMentorAnswersTable;
  faq_alias_candidates: FaqAliasCandidatesTable;
  leases: LeasesTable;
  cohort_pauses: CohortPausesTable;
  heartbeats: HeartbeatsTable;
  stall_queue: StallQueueTable;
  evidence_links: EvidenceLinksTable;
  github_cache: GithubCacheTable;
  audit_log: AuditLogTable;
  dashboard_links: DashboardLinksTable;
  dashboard_sessions: DashboardSessionsTable;
  digests: DigestsTable;
  platform_access: PlatformAccessTable;
  people: PeopleTable;
  reminder_schedule: ReminderScheduleTable;
}

export type Cohort = Selectable<CohortsTable>;
export type Member = Selectable<MembersTable>;
/** A round as the application reads it; the post's template is the database's own business (record_click). */
export type Round = Omit<Selectable<RoundsTable>, 'post_template'>;
export type Checkin = Selectable<CheckinsTable>;
export type StallFlag = Selectable<StallFlagsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type CohortUpdate = Updateable<CohortsTable>;
export type FaqQuestion = Selectable<FaqQuestionsTable>;
