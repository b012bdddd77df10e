import { randomUUID } from 'node:crypto';
import { AccessLostError, ChannelUnreachableError, type ChatPort } from '../core/chat.js';
import { channelUnreachable } from '../core/channel-state.js';
import { accessLost } from '../core/platform-access.js';
import type { CoreDeps } from '../core/core.js';
import { memberCameBack, memberLeft } from '../core/membership-changes.js';
import type { Platform } from '../db/types.js';
import { acquireLease, releaseLease } from './lease.js';

/** Events can be missed (the bot was down, a platform dropped one): once a day the channels are read. */
export const RECONCILE_EVERY_MS = 24 * 3_600_000;
const HEARTBEAT = 'member-reconciliation';
const LEASE = 'member-reconciliation';
const LEASE_MS = 30 * 60_000;

export interface ReconcileResult {
  cohorts: number;
  /** Platform API calls made (pages read). */
  calls: number;
  left: number;
  returned: number;
  /** Channels whose members could not be read this time, for a reason other than the channel or access being gone. */
  unreadable: number;
  /** 'skipped': not due, or another replica is at it. */
  mode: 'done' | 'skipped';
}

/**
 * Reads the members of every running cohort's channel, page by page through each platform's port
 * (which keeps within its rate limits), and applies what no event announced: a member no longer
 * there has left; one who left and is there again is back. Runs after a start and once a day, one
 * replica at a time.
 */
export async function reconcileMembers(
  deps: Pick<CoreDeps, 'db' | 'content' | 'admins' | 'clock'>,
  ports: ReadonlyMap<Platform, ChatPort>,
  options: { force?: boolean; everyMs?: number } = {},
): Promise<ReconcileResult> {
  const { db } = deps;
  const now = deps.clock.now();
  const result: ReconcileResult = { cohorts: 0, calls: 0, left: 0, returned: 0, unreadable: 0, mode: 'skipped' };
  if (!options.force) {
    const last = await db.selectFrom('heartbeats').select('at').where('name', '=', HEARTBEAT).executeTakeFirst();
    if (last && new Date(last.at).getTime() > now.getTime() - (options.everyMs ?? RECONCILE_EVERY_MS)) return result;
  }
  const holder = randomUUID();
  if (!(await acquireLease(db, LEASE, holder, now, LEASE_MS))) return result;
  try {
    const lost: string[] = (await db.selectFrom('platform_access').select('platform').execute()).map((r) => r.platform);
    const cohorts = await db
      .selectFrom('cohorts')
      .select(['id', 'platform', 'channel_id'])
      .where('status', '<>', 'finished')
      .where('unreachable_at', 'is', null)
      .orderBy('id')
      .execute();
    for (const cohort of cohorts) {
      const port = ports.get(cohort.platform);
      if (!port?.channelMembers || lost.includes(cohort.platform)) continue;
      let seen: Awaited<ReturnType<NonNullable<ChatPort['channelMembers']>>>;
      try {
        seen = await port.channelMembers(cohort.channel_id);
      } catch (err) {
        // Reading the channel is how a missed archive or removal shows too.
        if (err instanceof ChannelUnreachableError) await channelUnreachable(db, deps.admins, { platform: cohort.platform, channelId: cohort.channel_id, trouble: err.reason }, deps.clock.now());
        else if (err instanceof AccessLostError) {
          await accessLost(db, cohort.platform, err.why, deps.clock.now());
          lost.push(cohort.platform);
        } else result.unreadable += 1; // Anything else (a platform hiccup): tomorrow's run tries again.
        continue;
      }
      if (!seen) continue;
      result.cohorts += 1;
      result.calls += seen.calls;
      const members = await db.selectFrom('members').select(['user_id', 'left_at']).where('cohort_id', '=', cohort.id).where('removed_at', 'is', null).where('erased_at', 'is', null).execute();
      for (const m of members) {
        const there = seen.members.has(m.user_id);
        const at = deps.clock.now();
        if (!there && m.left_at === null) result.left += await memberLeft(deps, { platform: cohort.platform, userId: m.user_id, channelId: cohort.channel_id, reason: 'not-in-channel' }, at);
        if (there && m.left_at !== null && (await memberCameBack(deps, { platform: cohort.platform, userId: m.user_id, channelId: cohort.channel_id }, at)) === 'returned') result.returned += 1;
      }
    }
    await db
      .insertInto('heartbeats')
      .values({ name: HEARTBEAT, at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ at: now }))
      .execute();
    result.mode = 'done';
    return result;
  } finally {
    await releaseLease(db, LEASE, holder);
  }
}
