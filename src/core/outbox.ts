import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxTargetKind, Platform } from '../db/types.js';
import type { OutMessage } from './chat.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface Outgoing {
  /** Unique idempotency key: the same key is never sent twice, whoever writes it and however often. */
  key: string;
  kind: 'round' | 'round-update' | 'reminder' | 'alert' | 'alert-update' | 'digest' | 'notice';
  platform: Platform;
  /** channel: post in a channel; user: a DM; message: edit the message `targetId` = `${channelId}/${messageId}`. */
  targetKind: OutboxTargetKind;
  targetId: string;
  message: OutMessage;
  availableAt: Date;
}

/**
 * Writes a message to the outbox. Call it inside the transaction that makes the state change it
 * announces, so the two commit together. Returns false when the key already exists.
 */
export async function enqueue(db: Executor, out: Outgoing): Promise<boolean> {
  const rows = await db
    .insertInto('outbox')
    .values({
      key: out.key,
      kind: out.kind,
      platform: out.platform,
      target_kind: out.targetKind,
      target_id: out.targetId,
      payload: JSON.stringify(out.message),
      available_at: out.availableAt,
      created_at: out.availableAt,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('id')
    .execute();
  return rows.length > 0;
}
