import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// The web dashboard: one-time sign-in links and the sessions they start, each kept only as the
// sha256 of its secret, so a copy of the database lets no one in. Who the person is (platform, id,
// name, and whether their platform called them an organizer) is copied from the chat gesture that
// asked for the link. The audit record says where an action was taken (chat, dashboard, command line).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dashboard_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  // How many links a person asked for lately (the per-person limit).
  await db.schema.createIndex('dashboard_links_user_idx').on('dashboard_links').columns(['platform', 'user_id', 'created_at']).execute();

  await db.schema
    .createTable('dashboard_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dashboard_sessions_user_idx').on('dashboard_sessions').columns(['platform', 'user_id']).execute();

  await db.schema.alterTable('audit_log').addColumn('via', 'text').execute();
  await sql`comment on column audit_log.via is 'chat, dashboard or cli; null on rows older than the column'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('via').execute();
  await db.schema.dropTable('dashboard_sessions').ifExists().execute();
  await db.schema.dropTable('dashboard_links').ifExists().execute();
}
