import type { IndexedEntry, SearchIndex } from './search-index.js';

// Below this cosine two entries share little more than the corpus's common words.
const MIN_SIMILARITY = 0.12;
const ANSWER_SHARE = 0.3;

type Vector = Map<string, number>;

function vectorOf(index: SearchIndex, e: IndexedEntry): Vector {
  const v: Vector = new Map();
  const add = (term: string, w: number) => {
    if (index.stopTerms.has(term) && !index.questionTerms.has(term)) return;
    v.set(term, (v.get(term) ?? 0) + w);
  };
  for (const p of e.phrasings) {
    for (const [t] of p.counts) if (!index.stopTerms.has(t)) add(t, (index.idf.get(t) ?? 0) / e.phrasings.length);
  }
  for (const [t] of e.tags.counts) add(t, index.idf.get(t) ?? 0);
  for (const [t, tf] of e.answer.counts) add(t, (ANSWER_SHARE * (index.idf.get(t) ?? 0) * Math.sqrt(tf)) / Math.sqrt(e.answer.length || 1));
  let norm = 0;
  for (const w of v.values()) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

const vectorCache = new WeakMap<SearchIndex, Array<Vector | undefined>>();

function vectorFor(index: SearchIndex, i: number): Vector {
  let vectors = vectorCache.get(index);
  if (!vectors) vectorCache.set(index, (vectors = []));
  return (vectors[i] ??= vectorOf(index, index.entries[i]!));
}

/** Cosine of two entries' idf-weighted terms, 0..1: near 1 for entries asking the same thing. */
export function entrySimilarity(index: SearchIndex, i: number, j: number): number {
  const a = vectorFor(index, i);
  const b = vectorFor(index, j);
  let dot = 0;
  for (const [t, w] of a) {
    const wb = b.get(t);
    if (wb) dot += w * wb;
  }
  return dot;
}

/** Up to `limit` other entries most like one entry, by cosine of idf-weighted terms; cached. */
export function relatedFinder(index: SearchIndex, limit = 2): (i: number) => number[] {
  const vector = (i: number) => vectorFor(index, i);
  const cache = new Map<number, number[]>();
  return (i) => {
    const cached = cache.get(i);
    if (cached) return cached;
    const own = vector(i);
    const dots = new Map<number, number>();
    for (const [t, w] of own) {
      for (const j of index.postings.get(t) ?? []) {
        if (j === i) continue;
        const wj = vector(j).get(t);
        if (wj) dots.set(j, (dots.get(j) ?? 0) + w * wj);
      }
    }
    const answer = index.entries[i]!.entry.answer;
    const result = [...dots]
      .filter(([j, sim]) => sim >= MIN_SIMILARITY && index.entries[j]!.entry.answer !== answer)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([j]) => j);
    cache.set(i, result);
    return result;
  };
}
