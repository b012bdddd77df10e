import type { Db } from '../../db/connect.js';
import type { Logger } from '../../log.js';

/**
 * True for the first process to see a gateway event. When two replicas hold a gateway session
 * for a moment (a handover), both receive the same interaction or message; only the first to
 * record its id handles it, so a check-in or a FAQ question is not processed twice.
 */
export async function firstToHandle(db: Db, eventId: string, now: Date, log: Logger): Promise<boolean> {
  try {
    const inserted = await db
      .insertInto('processed_events')
      .values({ platform: 'discord', event_id: eventId, received_at: now })
      .onConflict((oc) => oc.columns(['platform', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    return inserted.length > 0;
  } catch (err) {
    // Without the database the core fails too; handling the event gets the person an apology instead of silence.
    log.warn({ err, eventId }, 'could not record a discord event; handling it anyway');
    return true;
  }
}
