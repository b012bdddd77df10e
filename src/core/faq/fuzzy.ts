/** Typo tolerance: finds index terms within a small edit distance of an unknown query term. */
export interface FuzzyMatch {
  term: string;
  distance: number;
}

function trigrams(term: string): string[] {
  const padded = `  ${term} `;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped at max + 1. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** How many edits a word of this length may carry and still be recognised. */
export function allowedEdits(length: number): number {
  if (length >= 9) return 2;
  if (length >= 5) return 1;
  return 0;
}

export class FuzzyVocabulary {
  private readonly byTrigram = new Map<string, string[]>();
  private readonly known: Set<string>;

  constructor(terms: Iterable<string>) {
    this.known = new Set();
    for (const term of terms) {
      if (!/^\p{L}{3,}$/u.test(term)) continue;
      this.known.add(term);
      for (const g of new Set(trigrams(term))) {
        const list = this.byTrigram.get(g);
        if (list) list.push(term);
        else this.byTrigram.set(g, [term]);
      }
    }
  }

  /** The closest known terms to `term` (all at the smallest distance found), nearest first. */
  nearest(term: string): FuzzyMatch[] {
    const max = allowedEdits(term.length);
    if (max === 0 || !/^\p{L}+$/u.test(term)) return [];
    const shared = new Map<string, number>();
    for (const g of new Set(trigrams(term))) {
      for (const candidate of this.byTrigram.get(g) ?? []) shared.set(candidate, (shared.get(candidate) ?? 0) + 1);
    }
    let best = max + 1;
    let found: FuzzyMatch[] = [];
    for (const [candidate, count] of shared) {
      // One edit destroys at most four trigrams (a swap of neighbours), so a close candidate shares the rest.
      if (count < term.length + 1 - 4 * max) continue;
      const distance = editDistance(term, candidate, Math.min(max, allowedEdits(candidate.length)));
      if (distance > max || distance > allowedEdits(candidate.length)) continue;
      if (distance < best) {
        best = distance;
        found = [{ term: candidate, distance }];
      } else if (distance === best) {
        found.push({ term: candidate, distance });
      }
    }
    return found.sort((a, b) => a.term.localeCompare(b.term));
  }

  has(term: string): boolean {
    return this.known.has(term);
  }
}
