import { tokenize } from './normalize.js';
import { groupTerm, type Thesaurus } from './thesaurus.js';

export interface Term {
  term: string;
  stop: boolean;
}

/**
 * Index terms of a text: the stem of every word, stop words marked, plus one term per thesaurus
 * group it mentions. Stop words stay in the index: "where can I" and "should I" ask different things.
 */
export function analyze(text: string, thesaurus: Thesaurus): Term[] {
  const tokens = tokenize(text);
  const terms: Term[] = tokens.filter((t) => !t.single).map((t) => ({ term: t.stem, stop: t.stop }));
  for (const group of thesaurus.groupsIn(tokens)) terms.push({ term: groupTerm(group), stop: false });
  return terms;
}

export function termCounts(terms: Term[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { term } of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
