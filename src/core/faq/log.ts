import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { FaqVia } from '../../db/types.js';
import { loggedQuestion, normalizeQuestion } from './normalize.js';
import type { FaqEngine, FaqResult } from './types.js';

export interface AskedQuestion {
  question: string;
  platform: string;
  userId: string | null;
  cohortId: number | null;
  via: FaqVia;
  now: Date;
}

/**
 * Answers a question and logs it, answered or not, for the feedback buttons and the gap report.
 * A question with nothing to go on is not a gap in the content, so it is not logged (logId null).
 */
export async function askAndLog(db: Db, engine: FaqEngine, q: AskedQuestion): Promise<FaqResult & { logId: number | null }> {
  const result = engine.ask(q.question);
  if (result.tooVague) return { ...result, logId: null };
  const row = await db
    .insertInto('faq_questions')
    .values({
      platform: q.platform,
      user_id: q.userId,
      cohort_id: q.cohortId,
      question: loggedQuestion(q.question),
      normalized: normalizeQuestion(q.question),
      via: q.via,
      matched_id: result.id,
      score: result.score,
      answered: result.answered,
      asked_at: q.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ...result, logId: row.id };
}

/** Stores a Helpful / Not helpful click; a later click replaces an earlier one. False if no such log row. */
export async function recordFeedback(db: Db, logId: number, feedback: 'helpful' | 'not_helpful', now: Date): Promise<boolean> {
  const result = await db
    .updateTable('faq_questions')
    .set({ feedback, feedback_at: now })
    .where('id', '=', logId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface FaqGap {
  /** The most recent wording of the question. */
  question: string;
  asked: number;
  unanswered: number;
  notHelpful: number;
  lastAskedAt: Date;
}

/**
 * Questions the content does not serve: asked and left unanswered, or answered and marked not
 * helpful, grouped by their normalized text, the most frequent misses first.
 */
export async function findGaps(db: Db, opts: { limit: number; platform?: string }): Promise<FaqGap[]> {
  const unanswered = sql<number>`count(*) filter (where not answered)`;
  const notHelpful = sql<number>`count(*) filter (where feedback = 'not_helpful')`;
  let asked = db.selectFrom('faq_questions');
  if (opts.platform !== undefined) asked = asked.where('platform', '=', opts.platform);
  const rows = await asked
    .select([
      sql<string>`(array_agg(question order by asked_at desc, id desc))[1]`.as('question'),
      sql<number>`count(*)`.as('asked'),
      unanswered.as('unanswered'),
      notHelpful.as('not_helpful'),
      sql<Date>`max(asked_at)`.as('last_asked_at'),
    ])
    .groupBy('normalized')
    .having(sql<boolean>`${unanswered} + ${notHelpful} > 0`)
    .orderBy(sql`${unanswered} + ${notHelpful}`, 'desc')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(sql`max(asked_at)`, 'desc')
    .orderBy('normalized')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    question: r.question,
    asked: Number(r.asked),
    unanswered: Number(r.unanswered),
    notHelpful: Number(r.not_helpful),
    lastAskedAt: r.last_asked_at instanceof Date ? r.last_asked_at : new Date(r.last_asked_at),
  }));
}
