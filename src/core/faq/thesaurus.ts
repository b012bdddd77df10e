import { tokenize, type Token } from './normalize.js';

/** Matches thesaurus phrases in a token sequence and names the groups they belong to. */
export interface ThesaurusMatch {
  group: number;
  /** The tokens the phrase covers: [start, end). */
  start: number;
  end: number;
}

export interface Thesaurus {
  groupsIn(tokens: Token[]): Set<number>;
  matches(tokens: Token[]): ThesaurusMatch[];
  size: number;
}

interface Phrase {
  stems: string[];
  group: number;
}

export function compileThesaurus(groups: string[][]): Thesaurus {
  const byFirst = new Map<string, Phrase[]>();
  groups.forEach((terms, group) => {
    for (const term of terms) {
      const stems = tokenize(term).map((t) => t.stem);
      if (stems.length === 0) continue;
      const list = byFirst.get(stems[0]!) ?? [];
      list.push({ stems, group });
      byFirst.set(stems[0]!, list);
    }
  });

  const matches = (tokens: Token[]): ThesaurusMatch[] => {
      const found: ThesaurusMatch[] = [];
      if (byFirst.size === 0) return found;
      for (let i = 0; i < tokens.length; i++) {
        const candidates = byFirst.get(tokens[i]!.stem);
        if (!candidates) continue;
        for (const phrase of candidates) {
          if (i + phrase.stems.length > tokens.length) continue;
          let ok = true;
          for (let j = 1; j < phrase.stems.length; j++) {
            if (tokens[i + j]!.stem !== phrase.stems[j]) {
              ok = false;
              break;
            }
          }
          if (ok) found.push({ group: phrase.group, start: i, end: i + phrase.stems.length });
        }
      }
      return found;
  };

  return {
    size: groups.length,
    matches,
    groupsIn: (tokens) => new Set(matches(tokens).map((m) => m.group)),
  };
}

/** The index term standing for a whole thesaurus group; no real word starts with "~". */
export function groupTerm(group: number): string {
  return `~${group}`;
}
