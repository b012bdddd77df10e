import type { FaqEntry } from '../../content/types.js';
import { analyze, termCounts, type Term } from './analyze.js';
import { FuzzyVocabulary } from './fuzzy.js';
import { stem, tokenize, type Token } from './normalize.js';
import { asksHowTo } from './question-kind.js';
import { englishWords } from './english-words.js';
import { buildSpeller, type Correction } from './spelling.js';
import { STOP_WORDS } from './stopwords.js';
import { compileThesaurus, groupTerm, type Thesaurus } from './thesaurus.js';

export interface RankParams {
  k1: number;
  /** BM25 length normalisation of a question or alias. */
  phrasingB: number;
  answerB: number;
  tagWeight: number;
  /** An answer only speaks for words no question, alias or tag uses, and then at this weight. */
  answerWeight: number;
  /** Stop words count, but never more than a word found in this share of the entries. */
  stopShare: number;
  /** How much a misspelt word counts against the word it was taken for, by edit distance. */
  fuzzyStrength: [number, number];
  /** Weight, against the best score, of how closely the question matches an entry's single best phrasing. */
  phrasingMatch: number;
}

export const DEFAULT_PARAMS: RankParams = {
  k1: 1.2,
  phrasingB: 0.5,
  answerB: 0.75,
  tagWeight: 0.7,
  answerWeight: 0.2,
  stopShare: 0.3,
  fuzzyStrength: [0.8, 0.6],
  phrasingMatch: 0.5,
};

interface Field {
  counts: Map<string, number>;
  length: number;
}

export interface Phrasing extends Field {
  text: string;
  /** The words of a thesaurus phrase in it, with the group's term: "ML engineer" is said by "MLE" too. */
  viaGroup: Map<string, string[]>;
}

export interface IndexedEntry {
  entry: FaqEntry;
  /** The question and each alias: an entry matches as well as its best phrasing does. */
  phrasings: Phrasing[];
  tags: Field;
  answer: Field;
  /** Some phrasing asks how to do something (see question-kind.ts). */
  howTo: boolean;
  /**
   * Each term's length-normalised frequency, worked out once: for a term of some question, alias
   * or tag, its best phrasing plus its tags; for any other term, its frequency in the answer.
   */
  tf: Map<string, number>;
}

export interface SearchIndex {
  entries: IndexedEntry[];
  postings: Map<string, number[]>;
  idf: Map<string, number>;
  /** Terms found in some question, alias or tag; the rest only ever appear in answers. */
  questionTerms: Set<string>;
  stopTerms: Set<string>;
  /** The weight of a word no entry uses: as rare as a word can be. */
  unknownIdf: number;
  stopIdfCap: number;
  /** A word at most this rare is in a fifth of the entries or more: alone it names no subject. */
  commonIdf: number;
  /** A word at most this rare is in half the entries or more ("how"): it names nothing at all. */
  everywhereIdf: number;
  avgPhrasing: number;
  avgTags: number;
  avgAnswer: number;
  thesaurus: Thesaurus;
  vocabulary: FuzzyVocabulary;
  /** The content's own words, for a misspelt word of the question. */
  speller: (word: string) => Correction[];
  params: RankParams;
}

function groupWords(text: string, thesaurus: Thesaurus): Map<string, string[]> {
  const tokens = tokenize(text);
  const out = new Map<string, string[]>();
  for (const m of thesaurus.matches(tokens)) {
    for (const t of tokens.slice(m.start, m.end)) if (!t.single) out.set(t.stem, [...(out.get(t.stem) ?? []), groupTerm(m.group)]);
  }
  return out;
}

function field(terms: Term[]): Field {
  return { counts: termCounts(terms), length: terms.length };
}

function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 1 : Math.max(1, xs.reduce((a, b) => a + b, 0) / xs.length);
}

export function buildIndex(entries: FaqEntry[], groups: string[][], params: RankParams = DEFAULT_PARAMS): SearchIndex {
  const thesaurus = compileThesaurus(groups);
  const stopTerms = new Set<string>();
  const indexed: IndexedEntry[] = entries.map((entry) => ({
    entry,
    phrasings: [entry.question, ...entry.aliases].map((text) => {
      const terms = analyze(text, thesaurus);
      for (const t of terms) if (t.stop) stopTerms.add(t.term);
      return { ...field(terms), text, viaGroup: groupWords(text, thesaurus) };
    }),
    // Stop words only tell questions apart; in tags and answers they are noise.
    tags: field(entry.tags.flatMap((t) => analyze(t, thesaurus)).filter((t) => !t.stop)),
    answer: field(analyze(entry.answer, thesaurus).filter((t) => !t.stop)),
    howTo: [entry.question, ...entry.aliases].some((text) => asksHowTo(tokenize(text))),
    tf: new Map(),
  }));

  const postings = new Map<string, number[]>();
  const questionDf = new Map<string, number>();
  const avgPhrasing = mean(indexed.flatMap((e) => e.phrasings.map((p) => p.length)));
  const avgTags = mean(indexed.map((e) => e.tags.length));
  const avgAnswer = mean(indexed.map((e) => e.answer.length));
  indexed.forEach((e, i) => {
    const inQuestion = new Set<string>();
    for (const f of [...e.phrasings, e.tags]) for (const t of f.counts.keys()) inQuestion.add(t);
    for (const t of inQuestion) questionDf.set(t, (questionDf.get(t) ?? 0) + 1);
    const all = new Set([...inQuestion, ...e.answer.counts.keys()]);
    for (const t of all) {
      const list = postings.get(t);
      if (list) list.push(i);
      else postings.set(t, [i]);
    }
  });

  // A word common in answers but rare among questions still tells questions apart, and the
  // reverse: so its weight is the mean of both views.
  const questionTerms = new Set(questionDf.keys());
  for (const e of indexed) {
    for (const p of e.phrasings) {
      for (const [t, tf] of p.counts) {
        const norm = tf / (1 - params.phrasingB + (params.phrasingB * p.length) / avgPhrasing);
        if (norm > (e.tf.get(t) ?? 0)) e.tf.set(t, norm);
      }
    }
    for (const [t, tf] of e.tags.counts) e.tf.set(t, (e.tf.get(t) ?? 0) + (params.tagWeight * tf) / Math.sqrt(Math.max(1, e.tags.length / avgTags)));
    for (const [t, tf] of e.answer.counts) {
      if (!questionTerms.has(t)) e.tf.set(t, tf / (1 - params.answerB + (params.answerB * e.answer.length) / avgAnswer));
    }
  }

  const n = indexed.length;
  const idf = new Map<string, number>();
  for (const [t, list] of postings) idf.set(t, (idfOf(n, list.length) + idfOf(n, questionDf.get(t) ?? 0)) / 2);

  return {
    entries: indexed,
    postings,
    idf,
    questionTerms,
    stopTerms,
    unknownIdf: idfOf(n, 0),
    stopIdfCap: idfOf(n, params.stopShare * n),
    commonIdf: idfOf(n, 0.2 * n),
    everywhereIdf: idfOf(n, 0.5 * n),
    avgPhrasing,
    avgTags,
    avgAnswer,
    thesaurus,
    vocabulary: new FuzzyVocabulary(postings.keys()),
    speller: buildSpeller([...entries.flatMap((e) => [e.question, ...e.aliases, ...e.tags, e.answer]), ...groups.flat()], englishWords()),
    params,
  };
}

export interface Alternative {
  term: string;
  strength: number;
}

/** One unit of the question and the index terms that may stand for it. */
export interface Slot {
  source: string;
  alternatives: Alternative[];
  stop: boolean;
  /** Its share of what the question asks: the idf of its best term, or of an unseen word. */
  weight: number;
}

/** The weight of a term in a question: its idf, kept low for stop words. */
export function termWeight(index: SearchIndex, term: string, stop: boolean): number {
  const idf = index.idf.get(term) ?? index.unknownIdf;
  return stop ? Math.min(idf, index.stopIdfCap) : idf;
}

export function parseQuery(index: SearchIndex, question: string): Slot[] {
  const slots: Slot[] = [];
  const seen = new Set<string>();
  const { idf, postings, params } = index;
  const add = (source: string, alternatives: Alternative[], stop: boolean) => {
    slots.push({ source, alternatives, stop, weight: 0 });
  };

  // Misspelt words are read as the words they were meant to be before anything else, so a
  // thesaurus phrase ("how lng") still matches.
  const tokens = tokenize(question).flatMap((t) => corrected(index, t));
  // A thesaurus phrase is another way to say the words it covers: each of them may match
  // through the group as well as by itself, so "MLE" holds "machine learning engineer" in full.
  const groupsAt = new Map<number, Alternative[]>();
  for (const m of index.thesaurus.matches(tokens)) {
    const term = groupTerm(m.group);
    if (!postings.has(term)) continue;
    const strength = Math.min(...tokens.slice(m.start, m.end).map((t) => t.strength));
    for (let i = m.start; i < m.end; i++) groupsAt.set(i, [...(groupsAt.get(i) ?? []), { term, strength }]);
  }

  tokens.forEach((token, i) => {
    const groups = groupsAt.get(i) ?? [];
    if (token.single && groups.length === 0) return;
    const term = token.stem;
    const key = [term, ...groups.map((g) => g.term)].join(' ');
    if (seen.has(key)) return;
    seen.add(key);
    const own = token.single ? [] : postings.has(term) ? [{ term, strength: token.strength }] : null;
    if (own) {
      add(term, [...own, ...groups], token.stop);
      return;
    }
    // An unseen stop word ("whom", "ourselves") says nothing about the topic.
    if (token.stop && groups.length === 0) return;
    const near = token.stop ? [] : index.vocabulary.nearest(term);
    if (near.length > 0) {
      add(term, [...near.map((m) => ({ term: m.term, strength: params.fuzzyStrength[m.distance - 1] ?? 0 })), ...groups], false);
      return;
    }
    const split = token.stop ? null : splitCompound(index, term);
    if (split) {
      for (const part of split.filter((p) => !seen.has(p))) {
        seen.add(part);
        add(term, [{ term: part, strength: 1 }, ...groups], false);
      }
      return;
    }
    // "paycut": a domain word run into an unknown one keeps what it can say.
    const head = token.stop ? null : knownHead(index, token.word);
    if (head) {
      if (!seen.has(head.term)) {
        seen.add(head.term);
        add(head.term, [{ term: head.term, strength: 1 }, ...head.groups], false);
      }
      add(head.rest, groups, false);
      return;
    }
    // Letters of "k8s" or the words of "ci/cd" that only the group knows make one slot, not several.
    const groupKey = groups.map((g) => g.term).join(' ');
    if (groups.length > 0 && seen.has(groupKey)) return;
    seen.add(groupKey);
    add(term, groups, token.stop);
  });

  // A group shares its weight among the slots it stands in for: "how long" weighs what the
  // group weighs, not twice that.
  const sharing = new Map<string, number>();
  for (const slot of slots) for (const a of slot.alternatives) if (a.term.startsWith('~')) sharing.set(a.term, (sharing.get(a.term) ?? 0) + 1);
  for (const slot of slots) {
    if (slot.alternatives.length === 0) {
      slot.weight = index.unknownIdf;
      continue;
    }
    slot.weight = Math.max(
      ...slot.alternatives.map((a) => (a.term.startsWith('~') ? index.idf.get(a.term)! / sharing.get(a.term)! : termWeight(index, a.term, slot.stop))),
    );
  }

  // "corona virus" for "coronavirus": two words the index knows as one.
  const words = tokens.filter((t) => !t.stop);
  for (let i = 0; i + 1 < words.length; i++) {
    const joined = stem(words[i]!.word + words[i + 1]!.word);
    if (!seen.has(joined) && postings.has(joined)) {
      seen.add(joined);
      slots.push({ source: joined, alternatives: [{ term: joined, strength: 1 }], stop: false, weight: idf.get(joined)! });
    }
  }
  return slots;
}

interface QueryToken extends Token {
  /** 1 as typed; less when the word was taken for another one it is a misspelling of. */
  strength: number;
}

/** A word the content never uses, taken for the content's word it is most likely a misspelling of (several when equally likely). */
function corrected(index: SearchIndex, token: Token): QueryToken[] {
  const asTyped = [{ ...token, strength: 1 }];
  if (token.single || token.stop || index.postings.has(token.stem) || !/^\p{L}+$/u.test(token.word)) return asTyped;
  const near = index.speller(token.word);
  if (near.length !== 1) return asTyped;
  const { word, distance } = near[0]!;
  return [{ word, stem: stem(word), stop: STOP_WORDS.has(word), single: false, strength: index.params.fuzzyStrength[distance - 1] ?? 0 }];
}

function splitCompound(index: SearchIndex, term: string): string[] | null {
  for (let i = 3; i <= term.length - 3; i++) {
    const left = stem(term.slice(0, i));
    const right = stem(term.slice(i));
    if (index.questionTerms.has(left) && index.questionTerms.has(right)) return [left, right];
  }
  return null;
}

/** The longest start of an unknown word that is a term of the domain's thesaurus ("pay" of "paycut"). */
function knownHead(index: SearchIndex, word: string): { term: string; groups: Alternative[]; rest: string } | null {
  for (let i = word.length - 3; i >= 3; i--) {
    const term = stem(word.slice(0, i));
    if (!index.questionTerms.has(term)) continue;
    const groups = index.thesaurus
      .matches(tokenize(word.slice(0, i)))
      .map((m) => ({ term: groupTerm(m.group), strength: 1 }))
      .filter((g) => index.postings.has(g.term));
    if (groups.length > 0) return { term, groups, rest: word.slice(i) };
  }
  return null;
}

function saturate(x: number, k1: number): number {
  return ((k1 + 1) * x) / (k1 + x);
}

export interface SlotMatch {
  /** The slot's contribution to the entry's score. */
  score: number;
  /** 0..1: how fully the entry holds this slot anywhere, and in its question, aliases or tags. */
  matched: number;
  matchedInQuestion: number;
  /** The index term it was held by. */
  term: string | null;
}

const NO_MATCH: SlotMatch = { score: 0, matched: 0, matchedInQuestion: 0, term: null };

export function matchSlot(index: SearchIndex, e: IndexedEntry, slot: Slot): SlotMatch {
  const { params } = index;
  let best = NO_MATCH;
  for (const alt of slot.alternatives) {
    const tf = e.tf.get(alt.term);
    if (!tf) continue;
    const inQuestion = index.questionTerms.has(alt.term);
    const score = (inQuestion ? 1 : params.answerWeight) * slot.weight * alt.strength * saturate(tf, params.k1);
    if (score > best.score) best = { score, matched: alt.strength, matchedInQuestion: inQuestion ? alt.strength : 0, term: alt.term };
  }
  return best;
}

export interface Ranked {
  index: number;
  score: number;
}

/** How strongly the question holds each index term, through any of its slots. */
export function queryStrengths(slots: Slot[]): Map<string, number> {
  const strength = new Map<string, number>();
  for (const slot of slots) {
    for (const alt of slot.alternatives) strength.set(alt.term, Math.max(strength.get(alt.term) ?? 0, alt.strength));
  }
  return strength;
}

/**
 * How the question fits the entry's best single phrasing: `cover`, the share of that phrasing the
 * question holds; `match`, how closely the two match as wholes (a weighted Dice overlap). Term by
 * term, an entry whose many aliases share the question's common words can outscore the one
 * phrasing that says exactly what was asked; `match` puts that phrasing first.
 */
export function phrasingFit(index: SearchIndex, e: IndexedEntry, strengths: Map<string, number>, queryWeight: number): { cover: number; match: number } {
  let cover = 0;
  let match = 0;
  for (const p of e.phrasings) {
    let all = 0;
    let have = 0;
    for (const t of p.counts.keys()) {
      const w = termWeight(index, t, index.stopTerms.has(t));
      all += w;
      let held = strengths.get(t) ?? 0;
      const groups = p.viaGroup.size > 0 ? p.viaGroup.get(t) : undefined;
      if (groups) for (const g of groups) held = Math.max(held, strengths.get(g) ?? 0);
      have += w * held;
    }
    if (all > 0) cover = Math.max(cover, have / all);
    if (all + queryWeight > 0) match = Math.max(match, (2 * have) / (all + queryWeight));
  }
  return { cover, match };
}

// Whole-phrasing matches reorder the leading candidates only: below them no reordering matters.
const RESCORED = 16;

export function rankEntries(index: SearchIndex, slots: Slot[], limit: number): Ranked[] {
  const { entries, params } = index;
  const total = new Float64Array(entries.length);
  const slotBest = new Float64Array(entries.length);
  const scored: number[] = [];
  for (const slot of slots) {
    const touched: number[] = [];
    for (const alt of slot.alternatives) {
      const weight = (index.questionTerms.has(alt.term) ? 1 : params.answerWeight) * slot.weight * alt.strength;
      for (const i of index.postings.get(alt.term) ?? []) {
        const tf = entries[i]!.tf.get(alt.term);
        if (!tf) continue;
        const score = weight * saturate(tf, params.k1);
        if (slotBest[i] === 0) touched.push(i);
        if (score > slotBest[i]!) slotBest[i] = score;
      }
    }
    for (const i of touched) {
      if (slotBest[i]! > 0 && total[i] === 0) scored.push(i);
      total[i]! += slotBest[i]!;
      slotBest[i] = 0;
    }
  }
  const byScore = (a: Ranked, b: Ranked) => b.score - a.score || a.index - b.index;
  const ranked = scored.map((i) => ({ index: i, score: total[i]! })).sort(byScore);
  const lead = ranked.slice(0, Math.max(limit, RESCORED));
  if (lead.length > 0 && params.phrasingMatch > 0) {
    const strengths = queryStrengths(slots);
    const queryWeight = slots.reduce((a, s) => a + s.weight, 0);
    const bonus = params.phrasingMatch * lead[0]!.score;
    for (const r of lead) r.score += bonus * phrasingFit(index, entries[r.index]!, strengths, queryWeight).match;
    lead.sort(byScore);
  }
  return lead.slice(0, limit);
}
