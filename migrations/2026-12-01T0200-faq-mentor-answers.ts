import type { Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// What mentors teach the FAQ: their answers to questions it could not answer, and the entries
// learners picked from "did you mean" for a phrasing it did not know. Curators turn both into
// content with `mentorbot faq drafts`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('faq_mentor_answers')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('faq_questions.id').onDelete('cascade'))
    .addColumn('normalized', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('mentor_user_id', 'text', (c) => c.notNull())
    .addColumn('mentor_name', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('faq_mentor_answers_normalized_idx').on('faq_mentor_answers').column('normalized').execute();
  await db.schema
    .createTable('faq_alias_candidates')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('entry_id', 'text', (c) => c.notNull())
    .addColumn('phrasing', 'text', (c) => c.notNull())
    .addColumn('normalized', 'text', (c) => c.notNull())
    .addColumn('chosen', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_chosen_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('faq_alias_candidates_entry_normalized_key', ['entry_id', 'normalized'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('faq_alias_candidates').ifExists().execute();
  await db.schema.dropTable('faq_mentor_answers').ifExists().execute();
}
