import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Platform } from '../db/types.js';
import type { Executor } from './outbox.js';

/**
 * The bot's access to a platform, kept in the database so every replica holds back at once: one
 * circuit per platform. While it is lost nothing is sent there, no round is posted (weeks that fall
 * due follow the outage rule) and its messages wait; a probe about once a minute looks for it back.
 */
export interface AccessLoss {
  platform: Platform;
  lostAt: Date;
  cause: string;
}

/** Records the loss; true the first time (the caller logs it once), false when it was known. */
export async function accessLost(db: Db, platform: Platform, cause: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('platform_access').values({ platform, lost_at: now, cause, probed_at: now }).onConflict((oc) => oc.doNothing()).returning('platform').executeTakeFirst();
    if (!row) return false;
    await trx
      .updateTable('cohorts')
      .set((eb) => ({ held_since: eb.fn.coalesce('held_since', eb.val(now)), held_cause: eb.fn.coalesce('held_cause', eb.val('no-access' as const)) }))
      .where('platform', '=', platform)
      .where('status', '<>', 'finished')
      .execute();
    return true;
  });
}

/** Access is back: true when it had been lost. Its cohorts' flags, paused meanwhile, are looked at again. */
export async function accessRestored(db: Db, platform: Platform, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const gone = await trx.deleteFrom('platform_access').where('platform', '=', platform).returning('platform').executeTakeFirst();
    if (!gone) return false;
    await sql`select stall_queue_cohort(id, ${now}) from cohorts where platform = ${platform} and status = 'active'`.execute(trx);
    return true;
  });
}

export async function accessLosses(db: Executor): Promise<AccessLoss[]> {
  const rows = await db.selectFrom('platform_access').selectAll().orderBy('platform').execute();
  return rows.map((r) => ({ platform: r.platform as Platform, lostAt: new Date(r.lost_at), cause: r.cause }));
}

/** The platforms a probe is due for: lost, and not probed in the last `everyMs`. Claiming the probe keeps replicas from all probing. */
export async function claimProbe(db: Db, platform: Platform, now: Date, everyMs: number): Promise<boolean> {
  const row = await db
    .updateTable('platform_access')
    .set({ probed_at: now })
    .where('platform', '=', platform)
    .where((eb) => eb.or([eb('probed_at', 'is', null), eb('probed_at', '<=', new Date(now.getTime() - everyMs))]))
    .returning('platform')
    .executeTakeFirst();
  return row !== undefined;
}
