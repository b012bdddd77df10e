import type { Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Files an outbox message carries (a heatmap PNG, a data download), written in the transaction
// that queues the message and sent with it; they go when the message row goes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox_files')
    .addColumn('outbox_key', 'text', (c) => c.notNull().references('outbox.key').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_files_pkey', ['outbox_key', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox_files').ifExists().execute();
}
