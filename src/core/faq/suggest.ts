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
}

/** Entries to offer when a question was not answered but came close; none once it was answered. */
export function suggestionsFor(engine: IndexedFaqEngine, question: string, result: FaqResult, limit = 2): Suggestion[] {
  if (result.answered || result.score < SUGGEST_THRESHOLD) return [];
  const out: Suggestion[] = [];
  for (const { id } of engine.rank(question, limit)) {
    const entry = engine.byId(id);
    if (entry?.question) out.push({ id, question: entry.question });
  }
  return out;
}
