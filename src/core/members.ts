import type { Cohort, Member, Platform } from '../db/types.js';
import type { Executor } from './outbox.js';

export interface Membership {
  cohort: Cohort;
  member: Member;
}

export async function cohortByChannel(db: Executor, platform: Platform, channelId: string): Promise<Cohort | undefined> {
  return db.selectFrom('cohorts').selectAll().where('platform', '=', platform).where('channel_id', '=', channelId).executeTakeFirst();
}

export async function cohortById(db: Executor, id: number): Promise<Cohort | undefined> {
  return db.selectFrom('cohorts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every cohort the user belongs to on this platform (removed members excluded). */
export async function membershipsOf(db: Executor, platform: Platform, userId: string): Promise<Membership[]> {
  const members = await db
    .selectFrom('members')
    .selectAll()
    .where('user_id', '=', userId)
    .where('removed_at', 'is', null)
    .where('cohort_id', 'in', db.selectFrom('cohorts').select('id').where('platform', '=', platform))
    .orderBy('cohort_id')
    .execute();
  if (members.length === 0) return [];
  const cohorts = await db.selectFrom('cohorts').selectAll().where('id', 'in', members.map((m) => m.cohort_id)).execute();
  const byId = new Map(cohorts.map((c) => [c.id, c]));
  return members.map((member) => ({ member, cohort: byId.get(member.cohort_id)! }));
}

export async function activeMember(db: Executor, cohortId: number, userId: string): Promise<Member | undefined> {
  return db
    .selectFrom('members')
    .selectAll()
    .where('cohort_id', '=', cohortId)
    .where('user_id', '=', userId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** Members in the cohort and still there (not removed, not gone from the channel or the platform). */
export async function activeMembers(db: Executor, cohortId: number, role?: 'learner' | 'mentor'): Promise<Member[]> {
  let q = db.selectFrom('members').selectAll().where('cohort_id', '=', cohortId).where('removed_at', 'is', null).where('left_at', 'is', null);
  if (role) q = q.where('role', '=', role);
  return q.orderBy('display_name').orderBy('id').execute();
}

/** The milestones the cohort's members have completed (by `asOf`; removed members included: callers pick whom they show). */
export async function cohortCompletions(db: Executor, cohortId: number, asOf?: Date): Promise<Array<{ member_id: number; milestone_id: string }>> {
  return db
    .selectFrom('milestone_completions')
    .innerJoin('members', 'members.id', 'milestone_completions.member_id')
    .select(['milestone_completions.member_id', 'milestone_completions.milestone_id'])
    .where('members.cohort_id', '=', cohortId)
    .$if(asOf !== undefined, (q) => q.where('milestone_completions.completed_at', '<=', asOf!))
    .execute();
}

/** Every break announced by a member of the cohort. */
export async function cohortBreaks(db: Executor, cohortId: number): Promise<Array<{ member_id: number; starts_on: string; ends_on: string }>> {
  return db
    .selectFrom('away_periods')
    .innerJoin('members', 'members.id', 'away_periods.member_id')
    .select(['away_periods.member_id', 'away_periods.starts_on', 'away_periods.ends_on'])
    .where('members.cohort_id', '=', cohortId)
    .execute();
}

/** Whether a mentor of the cohort left (as opposed to it never having one): their digests then go to the organizers. */
export async function mentorLeftCohort(db: Executor, cohortId: number): Promise<boolean> {
  const row = await db.selectFrom('members').select('id').where('cohort_id', '=', cohortId).where('role', '=', 'mentor').where('removed_at', 'is', null).where('left_at', 'is not', null).limit(1).executeTakeFirst();
  return row !== undefined;
}
