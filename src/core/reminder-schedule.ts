import { sql } from 'kysely';
import type { Platform } from '../db/types.js';
import type { Executor } from './outbox.js';
import { ownTimeOf, peopleOf, reminderDueAt } from './own-time.js';
import { isValidZone } from './schedule.js';

const CHUNK = 1000;

/**
 * Computes, once, when each learner of these rounds is to be reminded (their zone, their slot) and
 * keeps it: a tick then reads only the reminders due. Rounds not posted get none; a learner already
 * scheduled keeps their time.
 */
export async function scheduleReminders(db: Executor, roundIds: readonly number[], afterHours: number, memberIds?: readonly number[], notBefore?: Date): Promise<number> {
  if (roundIds.length === 0) return 0;
  const rows = await db
    .selectFrom('rounds as r')
    .innerJoin('cohorts as c', 'c.id', 'r.cohort_id')
    .innerJoin('members as m', 'm.cohort_id', 'c.id')
    .select(['r.id as round_id', 'r.opens_at', 'r.created_at', 'c.platform', 'c.timezone', 'm.id as member_id', 'm.user_id'])
    .where('r.id', 'in', [...roundIds])
    .where('r.state', '=', 'posted')
    .where('m.role', '=', 'learner')
    .where('m.removed_at', 'is', null)
    .$if(memberIds !== undefined, (q) => q.where('m.id', 'in', memberIds!.length > 0 ? [...memberIds!] : [-1]))
    .execute();
  if (rows.length === 0) return 0;
  const people = new Map<Platform, Awaited<ReturnType<typeof peopleOf>>>();
  for (const platform of new Set(rows.map((r) => r.platform))) {
    people.set(platform, await peopleOf(db, platform, rows.filter((r) => r.platform === platform).map((r) => r.user_id)));
  }
  // Learners of one round in one zone and slot are reminded at one time: worked out once.
  const dueAts = new Map<string, Date>();
  const values = rows.map((r) => {
    const own = ownTimeOf(people.get(r.platform)!.get(r.user_id), r.timezone);
    const key = [new Date(r.opens_at).valueOf(), new Date(r.created_at).valueOf(), own.zone, own.slot?.weekday, own.slot?.time].join('|');
    const dueAt = dueAts.get(key) ?? reminderDueAt({ opensAt: new Date(r.opens_at), postedAt: new Date(r.created_at) }, own, afterHours, notBefore);
    dueAts.set(key, dueAt);
    return { round_id: r.round_id, member_id: r.member_id, due_at: dueAt };
  });
  let written = 0;
  for (let i = 0; i < values.length; i += CHUNK) {
    const res = await db.insertInto('reminder_schedule').values(values.slice(i, i + CHUNK)).onConflict((oc) => oc.columns(['round_id', 'member_id']).doNothing()).executeTakeFirst();
    written += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

/** A person's zone or slot changed: their reminders not yet sent move to their new time. */
export async function rescheduleFor(db: Executor, platform: Platform, userId: string, afterHours: number, now: Date): Promise<void> {
  const pending = await db
    .selectFrom('reminder_schedule as s')
    .innerJoin('members as m', 'm.id', 's.member_id')
    .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
    .select(['s.round_id', 's.member_id'])
    .where('c.platform', '=', platform)
    .where('m.user_id', '=', userId)
    .where('s.done_at', 'is', null)
    .execute();
  if (pending.length === 0) return;
  await db.deleteFrom('reminder_schedule').where('member_id', 'in', pending.map((p) => p.member_id)).where('done_at', 'is', null).execute();
  for (const p of pending) await scheduleReminders(db, [p.round_id], afterHours, [p.member_id], now);
}

/** A learner joined (or came back) while a round is open: they are reminded of it too. */
export async function scheduleForNewLearner(db: Executor, cohortId: number, memberId: number, afterHours: number): Promise<void> {
  const latest = await db.selectFrom('rounds').select('id').where('cohort_id', '=', cohortId).where('state', '=', 'posted').orderBy('week', 'desc').limit(1).executeTakeFirst();
  if (latest) await scheduleReminders(db, [latest.id], afterHours, [memberId]);
}

/**
 * The zone a person's profile gives (Slack's `tz`), seen when they act or when their profile
 * changes: kept, and their reminders not yet sent move when it changed. One statement when nothing did.
 */
export async function rememberProfileZone(db: Executor, platform: Platform, userId: string, zone: string, afterHours: number, now: Date): Promise<boolean> {
  if (!isValidZone(zone)) return false;
  const changed = await db
    .insertInto('people')
    .values({ platform, user_id: userId, profile_tz: zone, updated_at: now })
    .onConflict((oc) => oc.columns(['platform', 'user_id']).doUpdateSet({ profile_tz: zone, updated_at: now }).where(sql<boolean>`people.profile_tz is distinct from ${zone}`))
    .returning('user_id')
    .executeTakeFirst();
  if (!changed) return false;
  await rescheduleFor(db, platform, userId, afterHours, now);
  return true;
}
