import { allowedWordEdits, FuzzyVocabulary } from './fuzzy.js';
import { tokenize } from './normalize.js';
import { STOP_WORDS } from './stopwords.js';

export interface Correction {
  word: string;
  distance: number;
}

/**
 * Spelling correction over whole words, as Norvig's corrector does it: a word the content never uses
 * is taken for the nearest word it does use (stop words included, so "dose" reads "does" and "wich"
 * "which"), the one that keeps the first letter and then the most frequent one when several are as
 * near. Words are compared before stemming,
 * since a misspelt word stems to something unrelated ("diffrence" → "diffrenc", not "differ").
 */
export function buildSpeller(texts: Iterable<string>): (word: string) => Correction[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const t of tokenize(text)) if (!t.single && /^\p{L}+$/u.test(t.word)) counts.set(t.word, (counts.get(t.word) ?? 0) + 1);
  }
  for (const w of STOP_WORDS) if (w.length >= 3) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocabulary = new FuzzyVocabulary(counts.keys(), allowedWordEdits);
  // People seldom get a word's first letter wrong, so a candidate that keeps it comes first.
  const likelihood = (typed: string, candidate: string) => (candidate[0] === typed[0] ? 1e9 : 0) + counts.get(candidate)!;
  return (word) => {
    const near = vocabulary.nearest(word).filter((m) => word.length > 4 || droppedOrSwapped(word, m.term));
    if (near.length === 0) return [];
    const top = Math.max(...near.map((m) => likelihood(word, m.term)));
    return near.filter((m) => likelihood(word, m.term) === top).map((m) => ({ word: m.term, distance: m.distance }));
  };
}

/**
 * In a short word, a changed letter makes another word as often as a typo ("bar", "bad"), so only
 * the commonest slips of the hand count there: a letter left out ("lng"), two letters swapped ("dose").
 */
function droppedOrSwapped(typed: string, candidate: string): boolean {
  if (candidate.length === typed.length + 1) return true;
  return candidate.length === typed.length && [...typed].sort().join('') === [...candidate].sort().join('');
}
