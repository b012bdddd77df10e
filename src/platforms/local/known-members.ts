import type { Db } from '../../db/connect.js';

/**
 * The terminal has no member list of its own: a channel holds its cohort's members, less those the
 * acted-out platform says left (LocalChat.world). This reads the first part.
 */
export function knownMembers(db: Db): (channelId: string) => Promise<string[]> {
  return async (channelId) =>
    (
      await db
        .selectFrom('members')
        .innerJoin('cohorts', 'cohorts.id', 'members.cohort_id')
        .select('members.user_id')
        .where('cohorts.platform', '=', 'local')
        .where('cohorts.channel_id', '=', channelId)
        .where('members.removed_at', 'is', null)
        .execute()
    ).map((r) => r.user_id);
}
