import type { Middleware, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { Db } from '../../../db/connect.js';
import type { Logger } from '../../../log.js';

/**
 * Slack retries an event it thinks we missed (X-Slack-Retry-Num). The first replica to insert the
 * event id handles it; every other delivery of the same id is acknowledged and dropped.
 */
export function dedupeEvents(db: Db, now: () => Date, log: Logger): Middleware<SlackEventMiddlewareArgs> {
  return async ({ body, next }) => {
    const b = body as { type?: unknown; event_id?: unknown };
    if (b.type !== 'event_callback' || typeof b.event_id !== 'string') {
      await next();
      return;
    }
    const eventId = b.event_id;
    const inserted = await db
      .insertInto('processed_events')
      .values({ platform: 'slack', event_id: eventId, received_at: now() })
      .onConflict((oc) => oc.columns(['platform', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    if (inserted.length === 0) {
      log.info({ eventId }, 'skipped a Slack event already handled');
      return;
    }
    try {
      await next();
    } catch (err) {
      // Let Slack's next retry try again instead of losing the event.
      await db.deleteFrom('processed_events').where('platform', '=', 'slack').where('event_id', '=', eventId).execute();
      throw err;
    }
  };
}
