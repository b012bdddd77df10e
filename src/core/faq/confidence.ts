import { entrySimilarity } from './related.js';
import { matchSlot, phrasingFit, queryStrengths, type IndexedEntry, type Ranked, type SearchIndex, type Slot } from './search-index.js';

/** Corpus-independent evidence that the best entry answers the question: ratios, never raw scores. */
export interface Evidence {
  /** Share of the question's weight the entry holds anywhere (unknown words count against it). */
  coverage: number;
  /** The same, counting only its question, aliases and tags. */
  questionCoverage: number;
  /** Share of the entry's best phrasing that the question covers. */
  reverse: number;
  /** How far ahead of the next entry with a different answer it is, 0..1. */
  margin: number;
  /**
   * The margin again, with each runner-up discounted by how much it is the same entry in other
   * words: two near-duplicate entries tied at the top are not a sign the question was missed.
   */
  distinctMargin: number;
  /** The distinct margin where the question's words are found in the entry's question: a lead built on one stray answer word is no lead. */
  coveredMargin: number;
  /** Share of the question's weight in words no entry uses at all: a sign it is about something else. */
  unknown: number;
  /** How many content words the question has, on a log scale. */
  length: number;
  /**
   * How much rare evidence the entry's question, aliases and tags hold, in units of the rarest
   * possible word and squashed to 0..1: common words ("DS", "MLE", "move") add little.
   */
  specificity: number;
  /** Share of the question's weight the entry holds and the runner-up with another answer does not. */
  distinctive: number;
  /** How closely the question and the entry's best single phrasing match as wholes, 0..1. */
  phrasing: number;
  /**
   * Content words of the question the entry holds, not counting words found in half the entries
   * or more, and a phrase once: "how" plus one word ("how do I grow tomatoes") is one word.
   * One alone never decides.
   */
  heldContent: number;
  /**
   * The question asks how to do something, the entry is never asked that way (it answers "which",
   * "should I" or "what is"), and a word of the question that says what is to be done is nowhere
   * in the entry: the entry merely names the question's subject.
   */
  howToElsewhere: boolean;
}

/** The entry has one of the slot's terms somewhere, its answer included. */
function holdsAnywhere(e: IndexedEntry, slot: Slot): boolean {
  return slot.alternatives.some((a) => e.tf.has(a.term) || e.answer.counts.has(a.term));
}

export function gatherEvidence(index: SearchIndex, slots: Slot[], ranked: Ranked[], options: { howTo?: boolean } = {}): Evidence | null {
  const top = ranked[0];
  const contentSlots = slots.filter((s) => !s.stop || s.alternatives.some((a) => a.term.startsWith('~'))).length;
  // A question of stop words only ("hello there", "what is it?") names no subject to answer.
  if (!top || contentSlots === 0) return null;
  const e = index.entries[top.index]!;
  let total = 0;
  let held = 0;
  let heldInQuestion = 0;
  let unknown = 0;
  let ahead = 0;
  const heldTerms = new Set<string>();
  const runnerUp = ranked.slice(1).find((r) => index.entries[r.index]!.entry.answer !== e.entry.answer);
  const other = runnerUp ? index.entries[runnerUp.index]! : null;
  for (const slot of slots) {
    total += slot.weight;
    if (slot.alternatives.length === 0) unknown += slot.weight;
    const m = matchSlot(index, e, slot);
    held += slot.weight * m.matched;
    heldInQuestion += slot.weight * m.matchedInQuestion;
    if (!slot.stop && m.term !== null && Math.max(slot.weight, index.idf.get(m.term) ?? 0) > index.everywhereIdf) heldTerms.add(m.term);
    ahead += slot.weight * Math.max(0, m.matched - (other ? matchSlot(index, other, slot).matched : 0));
  }
  const questionCoverage = total > 0 ? heldInQuestion / total : 0;
  const distinct = distinctMargin(index, ranked);
  const fit = phrasingFit(index, e, queryStrengths(slots), total);
  return {
    coverage: total > 0 ? held / total : 0,
    questionCoverage,
    reverse: fit.cover,
    margin: runnerUp ? 1 - runnerUp.score / top.score : 1,
    distinctMargin: distinct,
    coveredMargin: questionCoverage * distinct,
    unknown: total > 0 ? unknown / total : 0,
    length: Math.log1p(contentSlots),
    specificity: heldInQuestion / (heldInQuestion + 2 * index.unknownIdf),
    distinctive: total > 0 ? ahead / total : 0,
    phrasing: fit.match,
    heldContent: heldTerms.size,
    howToElsewhere: (options.howTo ?? false) && !e.howTo && slots.some((s) => !s.stop && s.weight > index.commonIdf && !holdsAnywhere(e, s)),
  };
}

function distinctMargin(index: SearchIndex, ranked: Ranked[]): number {
  const top = ranked[0]!;
  const answer = index.entries[top.index]!.entry.answer;
  let closest = 0;
  for (const r of ranked.slice(1)) {
    if (index.entries[r.index]!.entry.answer === answer) continue;
    closest = Math.max(closest, (r.score / top.score) * (1 - entrySimilarity(index, top.index, r.index)));
  }
  return 1 - closest;
}

/** Logistic model fitted by bench/faq-calibrate.ts; see that script for the data it was fitted on. */
export const MODEL = {
  intercept: -5.1,
  coverage: 0.5,
  questionCoverage: 0.91,
  reverse: 0.6,
  margin: 1.47,
  distinctMargin: 1.5,
  coveredMargin: 1.71,
  unknown: -0.27,
  length: 0.98,
  specificity: 1.95,
  distinctive: 0.84,
  phrasing: 1.6,
};

/**
 * Answer only when right about two times in three or better: a wrong answer costs about twice what
 * no answer does, since "no answer" still shows the likeliest entries as buttons and offers a
 * mentor (the utility table of bench/faq-calibrate.ts).
 */
export const THRESHOLD = 0.67;

/** The most a question can score when the entry holds only one of its content words: worth a "did you mean", not an answer. */
export const ONE_WORD_CAP = 0.45;

/**
 * A question of three words or more that is one of the entry's phrasings nearly word for word says
 * more than one word does, however common its words ("what does an ML engineer own in production");
 * so does one of two words that is a phrasing word for word ("is MLE right for me", where "MLE"
 * stands for two words).
 */
const SAME_PHRASING = 0.8;
const SAME_PHRASING_LENGTH = Math.log1p(3);
const EXACT_PHRASING = 1;
const EXACT_PHRASING_LENGTH = Math.log1p(2);

export function confidence(evidence: Evidence | null, model = MODEL): number {
  if (!evidence) return 0;
  const z =
    model.intercept +
    model.coverage * evidence.coverage +
    model.questionCoverage * evidence.questionCoverage +
    model.reverse * evidence.reverse +
    model.margin * evidence.margin +
    model.distinctMargin * evidence.distinctMargin +
    model.coveredMargin * evidence.coveredMargin +
    model.unknown * evidence.unknown +
    model.length * evidence.length +
    model.specificity * evidence.specificity +
    model.distinctive * evidence.distinctive +
    model.phrasing * evidence.phrasing;
  const p = 1 / (1 + Math.exp(-z));
  const samePhrasing =
    (evidence.phrasing >= SAME_PHRASING && evidence.length >= SAME_PHRASING_LENGTH) || (evidence.phrasing >= EXACT_PHRASING && evidence.length >= EXACT_PHRASING_LENGTH);
  if (evidence.howToElsewhere) return Math.min(p, ONE_WORD_CAP);
  return evidence.heldContent < 2 && !samePhrasing ? Math.min(p, ONE_WORD_CAP) : p;
}
