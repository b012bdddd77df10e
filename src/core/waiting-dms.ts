import type { Platform } from '../db/types.js';
import type { Executor } from './outbox.js';

export interface WaitingDm {
  key: string;
  kind: string;
  targetId: string;
  zone: string;
  at: Date;
}

/** DMs the bot started that wait for their reader's day (quiet hours), soonest first. */
export async function dmsWaitingForDaytime(db: Executor, platform: Platform, now: Date): Promise<WaitingDm[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['key', 'kind', 'target_id', 'quiet_zone', 'available_at'])
    .where('platform', '=', platform)
    .where('status', '=', 'pending')
    .where('quiet_zone', 'is not', null)
    .where('available_at', '>', now)
    .where('attempts', '=', 0)
    .orderBy('available_at')
    .orderBy('id')
    .limit(50)
    .execute();
  return rows.map((r) => ({ key: r.key, kind: r.kind, targetId: r.target_id, zone: r.quiet_zone!, at: new Date(r.available_at) }));
}
