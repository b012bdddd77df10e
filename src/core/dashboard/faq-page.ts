import { sql } from 'kysely';
import type { Platform } from '../../db/types.js';
import type { CoreDeps } from '../core.js';
import { findGaps, type FaqGap } from '../faq/log.js';

export interface AwaitingAnswer {
  question: string;
  answer: string;
  mentorName: string;
  answeredAt: Date;
  /** How often the question was asked in these words (after normalising). */
  asked: number;
}

export interface NotHelpfulVotes {
  entryId: string;
  entryQuestion: string;
  votes: number;
  /** The latest wording a learner found the entry unhelpful for. */
  lastQuestion: string;
  lastAt: Date;
}

export interface FaqPage {
  unanswered: FaqGap[];
  awaiting: AwaitingAnswer[];
  notHelpful: NotHelpfulVotes[];
}

/**
 * What curators have to do, from the questions asked on this platform: questions with no curated
 * answer (grouped by wording, most asked first), mentor answers the FAQ does not cover yet, and
 * the entries learners found not helpful. Nobody who asked is named.
 */
export async function faqPage(deps: CoreDeps, platform: Platform): Promise<FaqPage> {
  const [gaps, answers, votes] = await Promise.all([
    findGaps(deps.db, { limit: 500, platform }),
    deps.db
      .selectFrom('faq_mentor_answers as a')
      .innerJoin('faq_questions as q', 'q.id', 'a.question_id')
      .select(['a.normalized', 'q.question', 'a.answer', 'a.mentor_name', 'a.answered_at'])
      .select((eb) => eb.selectFrom('faq_questions as asked').select(sql<number>`count(*)::int`.as('n')).whereRef('asked.normalized', '=', 'a.normalized').where('asked.platform', '=', platform).as('asked'))
      .where('q.platform', '=', platform)
      .distinctOn('a.normalized')
      .orderBy('a.normalized')
      .orderBy('a.answered_at', 'desc')
      .orderBy('a.id', 'desc')
      .execute(),
    deps.db
      .selectFrom('faq_questions')
      .select([
        'matched_id',
        sql<number>`count(*)::int`.as('votes'),
        sql<string>`(array_agg(question order by feedback_at desc, id desc))[1]`.as('last_question'),
        sql<Date>`max(feedback_at)`.as('last_at'),
      ])
      .where('platform', '=', platform)
      .where('feedback', '=', 'not_helpful')
      .where('matched_id', 'is not', null)
      .groupBy('matched_id')
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('matched_id')
      .execute(),
  ]);
  // A mentor's answer awaits curation until the FAQ itself answers the question.
  const awaiting = answers
    .filter((a) => !deps.faq.ask(a.question).answered)
    .map((a) => ({ question: a.question, answer: a.answer, mentorName: a.mentor_name, answeredAt: new Date(a.answered_at), asked: Number(a.asked ?? 0) }))
    .sort((a, b) => b.answeredAt.getTime() - a.answeredAt.getTime());
  const entries = new Map(deps.content.faq.map((e) => [e.id, e.question]));
  return {
    unanswered: gaps.filter((g) => g.unanswered > 0),
    awaiting,
    notHelpful: votes.map((v) => ({
      entryId: v.matched_id!,
      entryQuestion: entries.get(v.matched_id!) ?? '(entry no longer in the content)',
      votes: Number(v.votes),
      lastQuestion: v.last_question,
      lastAt: new Date(v.last_at),
    })),
  };
}
