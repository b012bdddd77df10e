import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxTargetKind, Platform } from '../db/types.js';
import type { OutMessage } from './chat.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface Outgoing {
  /** Unique idempotency key: the same key is never sent twice, whoever writes it and however often. */
  key: string;
  kind: 'round' | 'round-update' | 'reminder' | 'alert' | 'alert-update' | 'digest' | 'notice' | 'summary' | 'report' | 'evidence' | 'mydata' | 'digest-update' | 'failures';
  platform: Platform;
  /** channel: post in a channel; user: a DM; message: edit the message `targetId` = `${channelId}/${messageId}`. */
  targetKind: OutboxTargetKind;
  targetId: string;
  message: OutMessage;
  availableAt: Date;
  /** The cohort the message is about: what a channel's trouble holds back, whom a failure is reported to. */
  cohortId?: number;
}

function row(out: Outgoing) {
  return {
    key: out.key,
    kind: out.kind,
    platform: out.platform,
    target_kind: out.targetKind,
    target_id: out.targetId,
    payload: JSON.stringify(out.message),
    available_at: out.availableAt,
    created_at: out.availableAt,
    cohort_id: out.cohortId ?? null,
  };
}

/** Rows per statement: well under Postgres' 65,535 bind parameters, small enough to keep locks short. */
const CHUNK = 500;

/**
 * Writes messages to the outbox. Call it inside the transaction that makes the state change they
 * announce, so the two commit together. Returns the keys written; a key that already exists is
 * left alone, which is what makes sending exactly once.
 */
export async function enqueueMany(db: Executor, outs: readonly Outgoing[]): Promise<Set<string>> {
  const written = new Set<string>();
  for (let i = 0; i < outs.length; i += CHUNK) {
    const rows = await db
      .insertInto('outbox')
      .values(outs.slice(i, i + CHUNK).map(row))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const r of rows) written.add(r.key);
  }
  return written;
}

/** One message; false when its key already exists. */
export async function enqueue(db: Executor, out: Outgoing): Promise<boolean> {
  return (await enqueueMany(db, [out])).size > 0;
}
