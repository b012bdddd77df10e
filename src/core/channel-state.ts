import type { AdminId } from '../config.js';
import type { Db } from '../db/connect.js';
import { transact } from '../db/transact.js';
import type { Platform } from '../db/types.js';
import type { ChannelTrouble } from './chat.js';
import { channelBackNotice, channelUnreachableNotice } from './messages/platform.js';
import { organizersOf } from './organizers.js';
import { enqueueMany } from './outbox.js';

/**
 * The cohort's channel cannot be used: from now no round is posted there and no reminder or stall
 * alert is sent; the organizers are told once what happened and how to fix it. Weeks that fall due
 * meanwhile follow the outage rule once the channel works again (rounds.ts). Returns whether this
 * was news (a repeated event or failure changes nothing).
 */
export async function channelUnreachable(db: Db, admins: readonly AdminId[], e: { platform: Platform; channelId: string; trouble: ChannelTrouble }, now: Date): Promise<boolean> {
  return transact(db, async (trx) => {
    const cohorts = await trx
      .updateTable('cohorts')
      .set((eb) => ({ unreachable_at: now, unreachable_reason: e.trouble, held_since: eb.fn.coalesce('held_since', eb.val(now)), held_cause: 'unreachable' }))
      .where('platform', '=', e.platform)
      .where('channel_id', '=', e.channelId)
      .where('status', '<>', 'finished')
      .where('unreachable_at', 'is', null)
      .returning(['id', 'name', 'platform', 'created_by', 'timezone'])
      .execute();
    await enqueueMany(
      trx,
      cohorts.flatMap((c) =>
        organizersOf(c, admins).map((userId) => ({
          key: `unreachable:${c.id}:${now.getTime()}:to:${userId}`,
          kind: 'notice' as const,
          cohortId: c.id,
          platform: c.platform,
          targetKind: 'user' as const,
          targetId: userId,
          message: channelUnreachableNotice(c.name, e.trouble, now, c.timezone),
          availableAt: now,
        })),
      ),
    );
    return cohorts.length > 0;
  });
}

/** The channel works again (unarchived, the bot invited back): the rounds held back follow the outage rule. */
export async function channelReachable(db: Db, admins: readonly AdminId[], e: { platform: Platform; channelId: string }, now: Date): Promise<boolean> {
  return transact(db, async (trx) => {
    const cohorts = await trx
      .updateTable('cohorts')
      .set({ unreachable_at: null, unreachable_reason: null })
      .where('platform', '=', e.platform)
      .where('channel_id', '=', e.channelId)
      .where('unreachable_at', 'is not', null)
      .returning(['id', 'name', 'platform', 'created_by'])
      .execute();
    await enqueueMany(
      trx,
      cohorts.flatMap((c) =>
        organizersOf(c, admins).map((userId) => ({
          key: `reachable:${c.id}:${now.getTime()}:to:${userId}`,
          kind: 'notice' as const,
          cohortId: c.id,
          platform: c.platform,
          targetKind: 'user' as const,
          targetId: userId,
          message: channelBackNotice(c.name),
          availableAt: now,
        })),
      ),
    );
    return cohorts.length > 0;
  });
}
