import { type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// Every view tells the same truth. A round post's count is edited whenever who counts changes, in
// order (post_version) and only when its sentence changes (post_count). A week's digest keeps the
// facts it reported (who, blockers, flags, its picture), so rebuilding it later (an erasure) says
// what was true that week. Audit entries name the member they were about, shown as "a learner"
// once that learner's data is erased.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rounds')
    .addColumn('post_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_count', 'text')
    .execute();
  await db.schema
    .createTable('digests')
    .addColumn('round_id', 'integer', (c) => c.primaryKey().references('rounds.id').onDelete('cascade'))
    .addColumn('built_at', 'timestamptz', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('heatmap', 'jsonb')
    .execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('subject_member_id', 'integer', (c) => c.references('members.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('subject_member_id').execute();
  await db.schema.dropTable('digests').ifExists().execute();
  await db.schema.alterTable('rounds').dropColumn('post_count').dropColumn('post_version').execute();
}
