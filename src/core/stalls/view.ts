import type { AdminId } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { Actor, Reply } from '../chat.js';
import { notMentorMessage, stalledList, type StalledItem } from '../messages/stalls.js';
import { isOrganizer } from './load.js';

export interface StalledViewOptions {
  admins?: readonly AdminId[];
}

/**
 * `/stalled`: the open and acknowledged flags of the cohorts the actor mentors; an organizer sees
 * every cohort of their platform.
 */
export async function stalledView(db: Db, actor: Actor, _now: Date, options: StalledViewOptions = {}): Promise<Reply> {
  const organizer = isOrganizer(actor, options.admins);
  let query = db
    .selectFrom('stall_flags as f')
    .innerJoin('members as m', 'm.id', 'f.member_id')
    .innerJoin('cohorts as c', 'c.id', 'f.cohort_id')
    .select(['f.id', 'f.status', 'f.reasons', 'f.opened_at', 'f.acknowledged_by', 'm.display_name', 'c.name', 'c.timezone'])
    .where('f.status', '<>', 'resolved')
    .where('c.platform', '=', actor.platform);
  if (!organizer) {
    const mentoring = await db
      .selectFrom('members')
      .select('cohort_id')
      .where('user_id', '=', actor.userId)
      .where('role', '=', 'mentor')
      .where('removed_at', 'is', null)
      .execute();
    if (mentoring.length === 0) return { kind: 'message', message: notMentorMessage() };
    query = query.where(
      'f.cohort_id',
      'in',
      mentoring.map((m) => m.cohort_id),
    );
  }
  const rows = await query.orderBy('c.name').orderBy('f.opened_at').orderBy('f.id').execute();
  const items: StalledItem[] = rows.map((r) => ({
    flagId: r.id,
    learnerName: r.display_name,
    cohortName: r.name,
    timezone: r.timezone,
    status: r.status,
    openedAt: new Date(r.opened_at),
    acknowledgedBy: r.acknowledged_by,
    reasons: r.reasons,
  }));
  return { kind: 'message', message: stalledList(items) };
}
