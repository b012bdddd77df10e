import type { Transaction } from 'kysely';
import type { AdminId } from '../config.js';
import type { Content } from '../content/types.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import type { Database, Platform } from '../db/types.js';
import { joinHint, noMentorNotice, type LeftReason } from './messages/platform.js';
import { stallAlertForReaders } from './messages/stalls.js';
import { organizersOf } from './organizers.js';
import { enqueueMany, type Outgoing } from './outbox.js';
import { latestPostedRoundIds, refreshRoundPosts } from './round-post.js';
import { localDate } from './schedule.js';
import { alertViewOf, HISTORY_SIZE, loadFlagCard } from './stalls/load.js';
import { refreshAlerts } from './stalls/refresh.js';

/** A left member's absence has no end until they come back. */
export const STILL_GONE = '9999-12-31';

export interface MembershipDeps {
  db: Db;
  content: Content;
  admins: readonly AdminId[];
}

/** Someone left: the cohort's channel (channelId), or the whole workspace or server (no channelId). */
export interface MemberLeft {
  platform: Platform;
  userId: string;
  channelId?: string;
  reason: LeftReason;
}

export interface MemberCameBack {
  platform: Platform;
  userId: string;
  channelId?: string;
  displayName?: string;
}

type Trx = Transaction<Database>;

async function memberships(db: Db, platform: Platform, userId: string, channelId: string | undefined, present: boolean) {
  return db
    .selectFrom('members as m')
    .innerJoin('cohorts as c', 'c.id', 'm.cohort_id')
    .selectAll('m')
    .select(['c.name as cohort_name', 'c.timezone', 'c.platform', 'c.created_by'])
    .where('c.platform', '=', platform)
    .where('c.status', '<>', 'finished')
    .where('m.user_id', '=', userId)
    .where('m.removed_at', 'is', null)
    .where('m.left_at', present ? 'is' : 'is not', null)
    .$if(channelId !== undefined, (q) => q.where('c.channel_id', '=', channelId!))
    .execute();
}

/**
 * A member is gone from now: nothing more is sent to them or about them. A learner's gone time is
 * kept as an absence (it counts like a break, never as missed), their open flags close, and the
 * live round post stops counting them. A mentor's open alerts go to the other mentors, else to the
 * organizers, who are told once that the cohort has no mentor. Repeated events change nothing.
 */
export async function memberLeft(deps: MembershipDeps, e: MemberLeft, now: Date): Promise<number> {
  let changed = 0;
  for (const m of await memberships(deps.db, e.platform, e.userId, e.channelId, true)) {
    changed += await transact(deps.db, async (trx) => {
      const claimed = await trx.updateTable('members').set({ left_at: now, left_reason: e.reason }).where('id', '=', m.id).where('left_at', 'is', null).returning('id').executeTakeFirst();
      if (!claimed) return 0;
      if (m.role === 'learner') await learnerLeft(trx, deps, m, now);
      else await mentorLeft(trx, deps, m, e.reason, now);
      return 1;
    });
  }
  return changed;
}

async function learnerLeft(trx: Trx, deps: MembershipDeps, m: { id: number; cohort_id: number; timezone: string }, now: Date): Promise<void> {
  await trx.insertInto('away_periods').values({ member_id: m.id, starts_on: localDate(now, m.timezone), ends_on: STILL_GONE, kind: 'left', created_at: now }).execute();
  const closed = await trx
    .updateTable('stall_flags')
    .set((eb) => ({ status: 'resolved', resolution: 'left', resolved_at: now, resolved_by: null, version: eb('version', '+', 1) }))
    .where('member_id', '=', m.id)
    .where('status', '<>', 'resolved')
    .returning('id')
    .execute();
  const edits: Outgoing[] = [];
  for (const f of closed) edits.push(...((await refreshAlerts(trx, f.id, now))?.edits ?? []));
  await enqueueMany(trx, edits);
  await refreshRoundPosts(trx, deps.content.programs, await latestPostedRoundIds(trx, [m.cohort_id]), now);
}

async function mentorLeft(
  trx: Trx,
  deps: MembershipDeps,
  m: { id: number; cohort_id: number; display_name: string; cohort_name: string; platform: Platform; created_by: string },
  reason: LeftReason,
  now: Date,
): Promise<void> {
  const others = await presentMentors(trx, m.cohort_id);
  const outs = await reassignAlerts(trx, deps, { cohortId: m.cohort_id, platform: m.platform, createdBy: m.created_by }, m.id, others, now);
  if (others.length === 0) {
    for (const userId of organizersOf({ platform: m.platform, created_by: m.created_by }, deps.admins)) {
      outs.push({ key: `no-mentor:${m.cohort_id}:${m.id}:${now.getTime()}:to:${userId}`, kind: 'notice', cohortId: m.cohort_id, platform: m.platform, targetKind: 'user', targetId: userId, message: noMentorNotice(m.cohort_name, m.display_name, reason), availableAt: now });
    }
  }
  await enqueueMany(trx, outs);
}

/** The cohort's mentors who are still there, with their open alerts: the least loaded takes the next. */
export async function presentMentors(trx: Trx | Db, cohortId: number): Promise<Array<{ id: number; user_id: string; load: number }>> {
  const rows = await trx
    .selectFrom('members as m')
    .leftJoin('stall_flags as f', (join) => join.onRef('f.mentor_member_id', '=', 'm.id').on('f.status', '<>', 'resolved'))
    .select(['m.id', 'm.user_id', (eb) => eb.fn.count<number>('f.id').as('load')])
    .where('m.cohort_id', '=', cohortId)
    .where('m.role', '=', 'mentor')
    .where('m.removed_at', 'is', null)
    .where('m.left_at', 'is', null)
    .groupBy(['m.id', 'm.user_id'])
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ ...r, load: Number(r.load) }));
}

/**
 * The unresolved alerts of a mentor who cannot take them (gone, or their DMs closed) go to the
 * least-loaded other mentor, else to the organizers, as a fresh copy of the alert as it reads now.
 */
export async function reassignAlerts(
  trx: Trx,
  deps: Pick<MembershipDeps, 'admins'>,
  cohort: { cohortId: number; platform: Platform; createdBy: string },
  fromMemberId: number,
  mentors: Array<{ id: number; user_id: string; load: number }>,
  now: Date,
): Promise<Outgoing[]> {
  const flags = await trx.selectFrom('stall_flags').select('id').where('cohort_id', '=', cohort.cohortId).where('mentor_member_id', '=', fromMemberId).where('status', '<>', 'resolved').orderBy('id').execute();
  const outs: Outgoing[] = [];
  for (const f of flags) {
    const next = [...mentors].sort((a, b) => a.load - b.load || a.id - b.id)[0];
    if (next) next.load += 1;
    await trx.updateTable('stall_flags').set({ mentor_member_id: next?.id ?? null }).where('id', '=', f.id).execute();
    const card = await loadFlagCard(trx, f.id);
    if (!card) continue;
    const { message, inReaderZone } = stallAlertForReaders({ ...(await alertViewOf(trx, card, HISTORY_SIZE)), toOrganizers: next === undefined });
    const targets = next ? [next.user_id] : organizersOf({ platform: cohort.platform, created_by: cohort.createdBy }, deps.admins);
    for (const userId of targets) {
      outs.push({ key: `alert:${f.id}:moved:${fromMemberId}:to:${userId}`, kind: 'alert', cohortId: cohort.cohortId, platform: cohort.platform, targetKind: 'user', targetId: userId, message, inReaderZone, availableAt: now });
    }
  }
  return outs;
}

/** Leaves that were about the person's account rather than one channel. */
const ACCOUNT_WIDE: ReadonlySet<LeftReason> = new Set(['deactivated', 'left-workspace', 'left-server']);

/**
 * Someone came back (rejoined the channel, or their account was reactivated): a member who had
 * left is counted again from today, the days they were gone staying excused. Someone in the channel
 * who is not in its cohort gets one private hint with a `Join` button.
 */
export async function memberCameBack(deps: MembershipDeps, e: MemberCameBack, now: Date): Promise<'returned' | 'hinted' | 'nothing'> {
  // An account back (reactivated; on Slack any profile edit says so) brings back only those its loss took away: not someone who left the channel.
  const gone = (await memberships(deps.db, e.platform, e.userId, e.channelId, false)).filter((m) => e.channelId !== undefined || ACCOUNT_WIDE.has(m.left_reason as LeftReason));
  for (const m of gone) {
    await transact(deps.db, async (trx) => {
      const back = await trx.updateTable('members').set({ left_at: null, left_reason: null }).where('id', '=', m.id).where('left_at', 'is not', null).returning('id').executeTakeFirst();
      if (!back || m.role !== 'learner') return;
      const today = localDate(now, m.timezone);
      // Back the same day: the absence never took a day.
      await trx.deleteFrom('away_periods').where('member_id', '=', m.id).where('kind', '=', 'left').where('ends_on', '=', STILL_GONE).where('starts_on', '>=', today).execute();
      await trx.updateTable('away_periods').set({ ends_on: today }).where('member_id', '=', m.id).where('kind', '=', 'left').where('ends_on', '=', STILL_GONE).execute();
      await refreshRoundPosts(trx, deps.content.programs, await latestPostedRoundIds(trx, [m.cohort_id]), now);
    });
  }
  if (gone.length > 0) return 'returned';
  if (e.channelId === undefined) return 'nothing';
  return (await hintToJoin(deps, e.platform, e.userId, e.channelId, now)) ? 'hinted' : 'nothing';
}

async function hintToJoin(deps: MembershipDeps, platform: Platform, userId: string, channelId: string, now: Date): Promise<boolean> {
  const cohort = await deps.db
    .selectFrom('cohorts')
    .select(['id', 'name', 'status'])
    .where('platform', '=', platform)
    .where('channel_id', '=', channelId)
    .where('status', '<>', 'finished')
    .executeTakeFirst();
  if (!cohort) return false;
  const member = await deps.db.selectFrom('members').select(['id', 'left_at']).where('cohort_id', '=', cohort.id).where('user_id', '=', userId).where('removed_at', 'is', null).executeTakeFirst();
  if (member) return false;
  const written = await enqueueMany(deps.db, [
    { key: `join-hint:${cohort.id}:${userId}`, kind: 'notice', cohortId: cohort.id, platform, targetKind: 'user', targetId: userId, message: joinHint(cohort.name, cohort.id), availableAt: now },
  ]);
  return written.size > 0;
}
