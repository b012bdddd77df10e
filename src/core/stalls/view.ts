import type { AdminId } from '../../config.js';
import type { Db } from '../../db/connect.js';
import type { Actor, Reply } from '../chat.js';
import { notMentorMessage, stalledList, type StalledItem } from '../messages/stalls.js';
import { cohortsPermitting, isOrganizer } from '../permissions.js';

export interface StalledViewOptions {
  admins?: readonly AdminId[];
}

/**
 * `/stalled`: the open and acknowledged flags of the cohorts the actor mentors; an organizer sees
 * every cohort of their platform.
 */
export async function stalledView(db: Db, actor: Actor, _now: Date, options: StalledViewOptions = {}): Promise<Reply> {
  const cohorts = await cohortsPermitting(db, options.admins ?? [], actor, 'act-on-flags');
  if (cohorts.length === 0 && !isOrganizer(actor, options.admins)) return { kind: 'message', message: notMentorMessage() };
  const query = db
    .selectFrom('stall_flags as f')
    .innerJoin('members as m', 'm.id', 'f.member_id')
    .innerJoin('cohorts as c', 'c.id', 'f.cohort_id')
    .select(['f.id', 'f.status', 'f.reasons', 'f.opened_at', 'f.acknowledged_by', 'm.display_name', 'c.name', 'c.timezone'])
    .where('f.status', '<>', 'resolved')
    .where('f.cohort_id', 'in', cohorts.length > 0 ? cohorts.map((c) => c.cohort.id) : [-1]);
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
