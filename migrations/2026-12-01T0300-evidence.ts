import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Evidence: links a learner attaches to a milestone, each checked by a job (the link row itself:
// due when `check_due_at` has passed, claimed until `claimed_until`), and GitHub answers kept with
// their ETag so a re-check of an unchanged repository is a 304 that costs no rate limit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_links')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('milestone_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('repo', 'pull', 'commit', 'web')`))
    .addColumn('owner', 'text')
    .addColumn('repo', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'verified', 'not-verified')`))
    .addColumn('results', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('checked_at', 'timestamptz')
    .addColumn('verified_at', 'timestamptz')
    .addColumn('last_commit_at', 'timestamptz')
    .addColumn('check_due_at', 'timestamptz')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_reason', 'text')
    .addColumn('notify', 'jsonb')
    .addColumn('retry_told', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('evidence_links_member_milestone_url_key', ['member_id', 'milestone_id', 'url'])
    .execute();
  await db.schema.createIndex('evidence_links_due_idx').on('evidence_links').column('check_due_at').execute();

  await db.schema
    .createTable('github_cache')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('fetched_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('github_cache').ifExists().execute();
  await db.schema.dropTable('evidence_links').ifExists().execute();
}
