import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { OutMessage, SentRef } from '../core/chat.js';
import type { OutboxRow } from '../db/types.js';

/** Marks waiting at most this long, or until this many are waiting, before they are written. */
const FLUSH_AFTER_MS = 20;
const FLUSH_AT = 200;

export interface SentMarks {
  /** Records that `row` went out (as `ref`; null: skipped, nothing to point at). */
  add(row: OutboxRow, ref: SentRef | null): void;
  /** Writes what is waiting; throws if any write failed (those rows stay claimed and are retried). */
  flush(): Promise<void>;
}

/**
 * A delivery pass marks what it sent a few at a time, one statement for many rows: a fan-out of a
 * thousand round posts made a thousand UPDATEs, which held the pool the tick writing the next rounds
 * was waiting for. Until a row's mark is written its claim stands, so no other worker takes it;
 * if the process dies first, the row is retried once its claim runs out and the retry looks for the
 * message on the platform before posting again (ChatPort.findSent), as after any crash mid-send.
 */
export function sentMarks(db: Db, now: Date): SentMarks {
  let waiting: Array<{ row: OutboxRow; ref: SentRef | null }> = [];
  let timer: NodeJS.Timeout | null = null;
  const writes: Array<Promise<void>> = [];

  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    const values = batch.map(({ row, ref }) => {
      const roundId = row.kind === 'round' && ref ? ((row.payload as OutMessage).roundId ?? null) : null;
      return sql`(${row.id}::bigint, ${ref?.messageId ?? null}::text, ${ref?.channelId ?? null}::text, ${roundId}::int)`;
    });
    // Both updates in one statement, so a round is never marked sent without its post's id.
    const written = sql`
        with v (id, message_id, channel_id, round_id) as (values ${sql.join(values)}),
        sent as (
          update outbox o set status = 'sent', sent_at = ${now}, platform_message_id = v.message_id,
            platform_channel_id = v.channel_id, claimed_until = null, last_error = null
          from v where o.id = v.id
          returning o.id
        )
        update rounds r set message_id = v.message_id from v where r.id = v.round_id`
        .execute(db)
        .then(() => undefined);
    // Handled here so a failure waits for flush() to report it instead of crashing the process first.
    written.catch(() => undefined);
    writes.push(written);
  };

  return {
    add(row, ref) {
      waiting.push({ row, ref });
      if (waiting.length >= FLUSH_AT) write();
      else timer ??= setTimeout(write, FLUSH_AFTER_MS);
    },
    async flush() {
      write();
      const results = await Promise.allSettled(writes.splice(0));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
