import type { AdminId } from '../config.js';
import type { Cohort, Member } from '../db/types.js';
import type { Actor } from './chat.js';
import type { Executor } from './outbox.js';

/**
 * Who may see and do what: the one set of rules behind every chat command, button and dashboard
 * page. Callers load a person's standing with `standingIn` and ask `permits`; each decides only
 * how a refusal reads (a private chat reply, a 403 page).
 */
export type Permission =
  /** The calendar of a cohort: anyone in it, and organizers. */
  | 'see-schedule'
  /** Everyone's answers, the status, the heatmap and report, the flags: its mentors and organizers. */
  | 'see-cohort'
  /** Acknowledge and resolve stall flags: its mentors and organizers. */
  | 'act-on-flags'
  /** Create, edit, skip, pause, add and remove: organizers. */
  | 'manage-cohort'
  /** One learner's whole record: that learner, the cohort's mentors and organizers. */
  | 'see-learner'
  /** The FAQ log (questions without an answer, mentor answers, votes) and the audit record: organizers. */
  | 'curate'
  | 'see-audit';

export interface Standing {
  /** An organizer of the platform the cohort is on (the adapter's word, or ADMIN_USER_IDS). */
  organizer: boolean;
  /** Their active membership in the cohort, if any. */
  member: Member | null;
}

/** An organizer: flagged by the adapter (workspace admin, Manage Server, terminal organizer) or listed in ADMIN_USER_IDS. */
export function isOrganizer(actor: Actor, admins: readonly AdminId[] = []): boolean {
  return actor.isAdmin || admins.some((a) => a.platform === actor.platform && a.userId === actor.userId);
}

/** What the actor is to this cohort; a cohort of another platform knows no one from this one. */
export async function standingIn(db: Executor, admins: readonly AdminId[], actor: Actor, cohort: Pick<Cohort, 'id' | 'platform'> | null): Promise<Standing> {
  if (!cohort) return { organizer: isOrganizer(actor, admins), member: null };
  if (cohort.platform !== actor.platform) return { organizer: false, member: null };
  const member = await db
    .selectFrom('members')
    .selectAll()
    .where('cohort_id', '=', cohort.id)
    .where('user_id', '=', actor.userId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return { organizer: isOrganizer(actor, admins), member: member ?? null };
}

/** The rules themselves. `learnerId`: for `see-learner`, the member whose record it is. */
export function permits(s: Standing, what: Permission, learnerId?: number): boolean {
  const mentor = s.member?.role === 'mentor';
  switch (what) {
    case 'see-schedule':
      return s.organizer || s.member !== null;
    case 'see-cohort':
    case 'act-on-flags':
      return s.organizer || mentor;
    case 'see-learner':
      return s.organizer || mentor || (s.member?.role === 'learner' && learnerId !== undefined && s.member.id === learnerId);
    case 'manage-cohort':
    case 'curate':
    case 'see-audit':
      return s.organizer;
  }
}

/** The cohorts of the actor's platform in which they hold `what`, oldest first, with their standing. */
export async function cohortsPermitting(
  db: Executor,
  admins: readonly AdminId[],
  actor: Actor,
  what: Permission,
): Promise<Array<{ cohort: Cohort; standing: Standing }>> {
  const organizer = isOrganizer(actor, admins);
  const [cohorts, members] = await Promise.all([
    db.selectFrom('cohorts').selectAll().where('platform', '=', actor.platform).orderBy('id').execute(),
    db
      .selectFrom('members')
      .selectAll()
      .where('user_id', '=', actor.userId)
      .where('removed_at', 'is', null)
      .where('cohort_id', 'in', db.selectFrom('cohorts').select('id').where('platform', '=', actor.platform))
      .execute(),
  ]);
  const memberOf = new Map(members.map((m) => [m.cohort_id, m]));
  return cohorts
    .map((cohort) => ({ cohort, standing: { organizer, member: memberOf.get(cohort.id) ?? null } }))
    .filter(({ standing }) => permits(standing, what, standing.member?.id));
}
