import type { Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// A DM goes to a channel the platform picks (Slack's D…, Discord's DM channel); editing it later
// needs that channel, not the user id the row was addressed to.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('platform_channel_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('platform_channel_id').execute();
}
