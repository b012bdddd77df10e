import { FuzzyVocabulary } from './fuzzy.js';
import { tokenize } from './normalize.js';
import { STOP_WORDS } from './stopwords.js';

export interface Correction {
  word: string;
  distance: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Spelling correction over whole words, as Norvig's corrector does it: a word that neither the
 * content nor the dictionary of real words holds is taken for the nearest word the content uses
 * (stop words included, so "lng" reads "long" and "wich" "which"); of several as near, the one that
 * keeps the first letter, then the most frequent. Words are compared before stemming, since a
 * misspelt word stems to something unrelated ("diffrence" → "diffrenc", not "differ").
 */
export function buildSpeller(texts: Iterable<string>, realWords: ReadonlySet<string> = new Set()): (word: string) => Correction[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const t of tokenize(text)) if (!t.single && /^\p{L}+$/u.test(t.word)) counts.set(t.word, (counts.get(t.word) ?? 0) + 1);
  }
  for (const w of STOP_WORDS) if (w.length >= 3) counts.set(w, (counts.get(w) ?? 0) + 1);
  // Words of five letters or more, with one edit allowed (two from nine letters), found by trigrams.
  const vocabulary = new FuzzyVocabulary(counts.keys());
  // People seldom get a word's first letter wrong, so a candidate that keeps it comes first.
  const likelihood = (typed: string, candidate: string) => (candidate[0] === typed[0] ? 1e9 : 0) + counts.get(candidate)!;
  const cache = new Map<string, Correction[]>();

  const correct = (word: string): Correction[] => {
    // A word of the content is no misspelling, even where no entry's index holds it (a thesaurus word),
    // and nor is a real word the content happens not to use: "last" is not "least", "red" not "read".
    if (counts.has(word) || realWords.has(word)) return [];
    const near = word.length <= 4 ? slipsOfShort(word).filter((w) => counts.has(w)).map((w) => ({ term: w, distance: 1 })) : vocabulary.nearest(word);
    if (near.length === 0) return [];
    const top = Math.max(...near.map((m) => likelihood(word, m.term)));
    return near.filter((m) => likelihood(word, m.term) === top).map((m) => ({ word: m.term, distance: m.distance }));
  };
  return (word) => {
    let found = cache.get(word);
    if (found === undefined) {
      found = correct(word);
      if (cache.size > 10_000) cache.clear();
      cache.set(word, found);
    }
    return found;
  };
}

/**
 * What a short word may have been meant as. A changed letter turns a short word into another real
 * one as often as into a typo ("bar", "bad"), so only the commonest slips of the hand count: a letter
 * left out ("lng" for "long") and two neighbours swapped ("dose" for "does").
 */
function slipsOfShort(word: string): string[] {
  if (word.length < 3 || !/^[a-z]+$/.test(word)) return [];
  const out = new Set<string>();
  for (let i = 0; i <= word.length; i++) for (const c of LETTERS) out.add(word.slice(0, i) + c + word.slice(i));
  for (let i = 0; i + 1 < word.length; i++) out.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  out.delete(word);
  return [...out];
}
