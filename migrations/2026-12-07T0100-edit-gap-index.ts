import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// A running bot edits one message (a round post's count) at most once per gap: the delivery worker
// looks for the message's latest sent edit before it claims the next one. This index answers that
// lookup from the edits alone, not from every message the bot ever sent.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_sent_edits_idx on outbox (target_id, sent_at) where target_kind = 'message' and status = 'sent'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_sent_edits_idx`.execute(db);
}
