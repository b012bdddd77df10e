import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Workers look up whether another worker is sending to a target before claiming its messages.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('outbox_pending_target_idx').on('outbox').columns(['target_id', 'claimed_until']).where(sql.ref('status'), '=', 'pending').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_pending_target_idx').ifExists().execute();
}
