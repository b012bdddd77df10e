import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Messages are found by their key's prefix: every alert DM sent about a flag (`alert:<flag>:%`)
// when the flag changes, a cohort's digests and reports when a learner is erased. The unique
// index on key answers LIKE 'prefix%' only under the C collation; text_pattern_ops answers it under
// any, so these lookups stop reading every message the bot ever sent.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_key_prefix_idx on outbox (key text_pattern_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists outbox_key_prefix_idx`.execute(db);
}
