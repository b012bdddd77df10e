import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Executor } from '../outbox.js';
import { loggedQuestion, normalizeQuestion } from './normalize.js';

export interface MentorAnswer {
  answer: string;
  mentorName: string;
  answeredAt: Date;
}

/** The latest mentor answer to a question asked in these words (after normalising), if any. */
export function mentorAnswerFor(db: Executor, question: string): Promise<MentorAnswer | null> {
  return latestAnswer(db, 'normalized', normalizeQuestion(question));
}

/** The latest answer given to this asked question, by any mentor. */
export function answerTo(db: Executor, questionId: number): Promise<MentorAnswer | null> {
  return latestAnswer(db, 'question_id', questionId);
}

async function latestAnswer(db: Executor, column: 'normalized' | 'question_id', value: string | number): Promise<MentorAnswer | null> {
  const row = await db
    .selectFrom('faq_mentor_answers')
    .select(['answer', 'mentor_name', 'answered_at'])
    .where(column, '=', value)
    .orderBy('answered_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { answer: row.answer, mentorName: row.mentor_name, answeredAt: new Date(row.answered_at) } : null;
}

/** Stores a mentor's answer; returns its id. */
export async function storeMentorAnswer(
  db: Executor,
  a: { questionId: number; normalized: string; answer: string; mentorUserId: string; mentorName: string; now: Date },
): Promise<number> {
  const row = await db
    .insertInto('faq_mentor_answers')
    .values({ question_id: a.questionId, normalized: a.normalized, answer: a.answer, mentor_user_id: a.mentorUserId, mentor_name: a.mentorName, answered_at: a.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A learner picked this entry from "did you mean" for a phrasing the FAQ did not know well enough. */
export async function storeAliasCandidate(db: Executor, entryId: string, phrasing: string, now: Date): Promise<void> {
  await db
    .insertInto('faq_alias_candidates')
    .values({ entry_id: entryId, phrasing: loggedQuestion(phrasing), normalized: normalizeQuestion(phrasing), last_chosen_at: now })
    .onConflict((oc) =>
      oc.columns(['entry_id', 'normalized']).doUpdateSet({ chosen: sql`faq_alias_candidates.chosen + 1`, phrasing: loggedQuestion(phrasing), last_chosen_at: now }),
    )
    .execute();
}

export interface DraftSource {
  normalized: string;
  /** Every wording in which the question was asked, most recent first. */
  phrasings: string[];
  answer: string;
  mentorName: string;
  answeredAt: Date;
}

/** Each mentor-answered question once, with its latest answer and every phrasing it was asked in. */
export async function mentorAnswerDrafts(db: Db): Promise<DraftSource[]> {
  const answers = await db
    .selectFrom('faq_mentor_answers')
    .select(['normalized', 'answer', 'mentor_name', 'answered_at'])
    .distinctOn('normalized')
    .orderBy('normalized')
    .orderBy('answered_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  if (answers.length === 0) return [];
  const asked = await db
    .selectFrom('faq_questions')
    .select(['normalized', 'question'])
    .where(
      'normalized',
      'in',
      answers.map((a) => a.normalized),
    )
    .orderBy('asked_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return answers.map((a) => ({
    normalized: a.normalized,
    phrasings: [...new Set(asked.filter((q) => q.normalized === a.normalized).map((q) => q.question))],
    answer: a.answer,
    mentorName: a.mentor_name,
    answeredAt: new Date(a.answered_at),
  }));
}

export interface AliasCandidate {
  entryId: string;
  phrasing: string;
  chosen: number;
}

export async function aliasCandidates(db: Db): Promise<AliasCandidate[]> {
  const rows = await db.selectFrom('faq_alias_candidates').selectAll().orderBy('chosen', 'desc').orderBy('entry_id').orderBy('normalized').execute();
  return rows.map((r) => ({ entryId: r.entry_id, phrasing: r.phrasing, chosen: r.chosen }));
}
