import type { AdminId } from '../../config.js';
import type { StallReason } from '../../db/types.js';
import type { AnswerLine } from '../messages/progress.js';
import { flagAutoResolvedNotice, flagNewReasonNotice, stallAlertForReaders } from '../messages/stalls.js';
import type { Outgoing } from '../outbox.js';
import { organizersOf as organizersOfCohort } from '../organizers.js';
import type { EscalateDecision, ResolveDecision, UpdateDecision } from './plan.js';
import type { CohortState, MemberRow } from './snapshot.js';

/** What the outbox rows of one scan share: its time, the organizers and the learners' recent answers. */
export interface Sender {
  now: Date;
  /** Organizers (ADMIN_USER_IDS): they get alerts when a cohort has no mentor, and escalations. */
  admins: readonly AdminId[];
  histories: ReadonlyMap<number, AnswerLine[]>;
}

// Organizers we can name: ADMIN_USER_IDS of the cohort's platform, and whoever created it.
const organizersOf = (s: Sender, cohort: CohortState) => organizersOfCohort({ platform: cohort.platform, created_by: cohort.createdBy }, s.admins);
const history = (s: Sender, memberId: number): AnswerLine[] => s.histories.get(memberId) ?? [];

/** A new or re-sent alert: to the mentor, or to each organizer when there is none. */
export function alertTo(
  s: Sender,
  p: { flagId: number; learner: MemberRow; cohort: CohortState; reasons: readonly StallReason[]; alertedAt?: Date },
  mentor: MemberRow | null,
  variant: 'new' | 'reminder',
): Outgoing[] {
  const suffix = variant === 'reminder' ? ':resend' : '';
  const base = {
    kind: 'alert' as const,
    platform: p.cohort.platform,
    cohortId: p.cohort.id,
    targetKind: 'user' as const,
    availableAt: s.now,
  };
  const view = {
    flagId: p.flagId,
    learnerName: p.learner.name,
    cohortName: p.cohort.name,
    timezone: p.cohort.timezone,
    reasons: p.reasons,
    history: history(s, p.learner.id),
    state: { kind: 'open' as const },
    variant,
    ...(p.alertedAt ? { alertedAt: p.alertedAt } : {}),
    toOrganizers: mentor === null,
  };
  const { message, inReaderZone } = stallAlertForReaders(view);
  if (mentor) return [{ ...base, key: `alert:${p.flagId}${suffix}`, targetId: mentor.userId, message, inReaderZone }];
  return organizersOf(s, p.cohort).map((userId) => ({ ...base, key: `alert:${p.flagId}${suffix}:to:${userId}`, targetId: userId, message, inReaderZone }));
}

/** The short DM naming a flag's new reasons, once per version; none without an added reason or a mentor. */
export function newReasonNotice(s: Sender, u: UpdateDecision): Outgoing[] {
  const mentor = u.mentor;
  if (u.added.length === 0 || !mentor) return [];
  return [
    {
      key: `flag-reason:${u.flag.id}:v${u.flag.version + 1}`,
      kind: 'notice',
      platform: u.cohort.platform,
      cohortId: u.cohort.id,
      targetKind: 'user',
      targetId: mentor.userId,
      message: flagNewReasonNotice(u.learner.name, u.cohort.name, u.added),
      availableAt: s.now,
    },
  ];
}

/** "Back on track": to the assigned mentor, or to each organizer when there is none. */
export function autoResolvedNotices(s: Sender, p: ResolveDecision): Outgoing[] {
  const mentor = p.mentor;
  const message = flagAutoResolvedNotice(p.learner.name, p.cohort.name);
  const base = { kind: 'notice' as const, platform: p.cohort.platform, cohortId: p.cohort.id, targetKind: 'user' as const, availableAt: s.now, message };
  return mentor
    ? [{ ...base, key: `flag-resolved:${p.flag.id}`, targetId: mentor.userId }]
    : organizersOf(s, p.cohort).map((userId) => ({ ...base, key: `flag-resolved:${p.flag.id}:to:${userId}`, targetId: userId }));
}

/** The escalated alert, to each organizer. */
export function escalations(s: Sender, p: EscalateDecision): Outgoing[] {
  const view = {
    flagId: p.flag.id,
    learnerName: p.learner.name,
    cohortName: p.cohort.name,
    timezone: p.cohort.timezone,
    reasons: p.reasons,
    history: history(s, p.learner.id),
    state: { kind: 'open' as const },
    variant: 'escalation' as const,
    alertedAt: p.flag.openedAt,
    mentorName: p.mentor?.name ?? null,
  };
  const { message, inReaderZone } = stallAlertForReaders(view);
  return organizersOf(s, p.cohort).map((userId) => ({
    key: `alert:${p.flag.id}:escalate:${userId}`,
    kind: 'alert' as const,
    platform: p.cohort.platform,
    cohortId: p.cohort.id,
    targetKind: 'user' as const,
    targetId: userId,
    message,
    inReaderZone,
    availableAt: s.now,
  }));
}
