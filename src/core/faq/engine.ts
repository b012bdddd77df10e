import type { FaqEntry } from '../../content/types.js';
import { confidence, gatherEvidence, THRESHOLD } from './confidence.js';
import { contentTokens, looksLikeCode } from './junk.js';
import { tokenize, type Token } from './normalize.js';
import { asksHowTo } from './question-kind.js';
import { relatedFinder } from './related.js';
import { buildIndex, DEFAULT_PARAMS, parseQuery, rankEntries, type RankParams, type Slot } from './search-index.js';
import type { FaqResult, IndexedFaqEngine } from './types.js';

export type { FaqEngine, FaqResult, IndexedFaqEngine } from './types.js';

// Enough to find the runner-up with a different answer when several entries share one.
const CANDIDATES = 8;

export interface EngineOptions {
  params?: RankParams;
  threshold?: number;
}

/** An in-memory index of the FAQ entries, built once; `ask` is synchronous and allocation-light. */
export function createFaqEngine(entries: FaqEntry[], thesaurus: string[][], options: EngineOptions = {}): IndexedFaqEngine {
  const index = buildIndex(entries, thesaurus, options.params ?? DEFAULT_PARAMS);
  const threshold = options.threshold ?? THRESHOLD;
  const related = relatedFinder(index);
  const byId = new Map(index.entries.map((e, i) => [e.entry.id, i]));

  const result = (i: number, score: number): FaqResult => {
    const { entry } = index.entries[i]!;
    const rel = related(i).map((j) => index.entries[j]!.entry);
    return {
      answered: true,
      id: entry.id,
      question: entry.question,
      answer: entry.answer,
      score,
      sources: [...entry.sources],
      related: rel.map((r) => r.question),
      relatedIds: rel.map((r) => r.id),
      tooVague: false,
    };
  };

  const tooVague = (question: string, tokens: Token[], slots: Slot[]): boolean => {
    if (looksLikeCode(question) || contentTokens(tokens).length === 0) return true;
    const content = slots.filter((s) => !s.stop);
    return content.length === 1 && content[0]!.weight <= index.commonIdf;
  };

  return {
    size: entries.length,
    ask(question) {
      const tokens = tokenize(question);
      const slots = parseQuery(index, question);
      if (tooVague(question, tokens, slots)) return { ...noAnswer(0), tooVague: true };
      const ranked = rankEntries(index, slots, CANDIDATES);
      const score = round(confidence(gatherEvidence(index, slots, ranked, { howTo: asksHowTo(tokens) })));
      if (ranked.length === 0 || score < threshold) return noAnswer(score);
      return result(ranked[0]!.index, score);
    },
    byId(id) {
      const i = byId.get(id);
      return i === undefined ? null : result(i, 1);
    },
    rank(question, limit) {
      return rankEntries(index, parseQuery(index, question), limit).map((r) => ({ id: index.entries[r.index]!.entry.id, score: r.score }));
    },
  };
}

function noAnswer(score: number): FaqResult {
  return { answered: false, id: null, question: null, answer: null, score, sources: [], related: [], relatedIds: [], tooVague: false };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
