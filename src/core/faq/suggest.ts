import type { FaqResult, IndexedFaqEngine } from './types.js';

/**
 * Below the answer threshold but at least this confident, the closest entries are worth offering
 * as "did you mean" choices: on held-out CovidFAQ questions the right entry is among the two
 * offered about 7 times in 10, and a quarter of off-topic questions get offers (bench/faq.ts).
 */
export const SUGGEST_THRESHOLD = 0.2;

export interface Suggestion {
  id: string;
  question: string;
  /** How close the entry came, 0..1: its ranking score relative to the best entry's, times the question's confidence. */
  score: number;
}

/** Entries to offer when a question was not answered but came close; none once it was answered. */
export function suggestionsFor(engine: IndexedFaqEngine, question: string, result: FaqResult, limit = 2): Suggestion[] {
  if (result.answered || result.score < SUGGEST_THRESHOLD) return [];
  const out: Suggestion[] = [];
  const ranked = engine.rank(question, limit);
  const best = ranked[0]?.score ?? 0;
  for (const { id, score } of ranked) {
    const entry = engine.byId(id);
    if (entry?.question) out.push({ id, question: entry.question, score: Math.round((result.score * score * 1000) / (best || 1)) / 1000 });
  }
  return out;
}
