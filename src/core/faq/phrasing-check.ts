import type { ContentIssue, FaqEntry } from '../../content/types.js';
import { createFaqEngine } from './engine.js';

/**
 * Phrasings (questions and aliases) that find another entry first: a learner who asks it that way
 * gets the other answer, so the phrasing belongs there or needs rewording. With many aliases per
 * entry, this is what keeps one curator's new alias from taking another entry's questions.
 */
export function misplacedPhrasings(entries: FaqEntry[], thesaurus: string[][]): ContentIssue[] {
  const engine = createFaqEngine(entries, thesaurus);
  const byId = new Map(entries.map((e) => [e.id, e]));
  const issues: ContentIssue[] = [];
  for (const entry of entries) {
    const phrasings: Array<[string, string]> = [['question', entry.question], ...entry.aliases.map((a, i): [string, string] => [`aliases[${i}]`, a])];
    for (const [field, text] of phrasings) {
      const first = engine.rank(text, 1)[0];
      if (!first || first.id === entry.id) continue;
      const other = byId.get(first.id)!;
      issues.push({
        file: `faq/${entry.id}.md`,
        field,
        message: `"${text}" finds faq/${other.id}.md ("${other.question}") first: reword it, or move it there`,
      });
    }
  }
  return issues;
}
