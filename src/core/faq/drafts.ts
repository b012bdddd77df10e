import { stringify } from 'yaml';
import type { AliasCandidate, DraftSource } from './mentor-answers.js';
import { tokenize } from './normalize.js';

export interface Draft {
  id: string;
  /** The entry file, in the content format, ready for content/faq/<id>.md. */
  markdown: string;
}

const ALIAS_MAX = 120;

function slug(text: string): string {
  const words = tokenize(text).filter((t) => !t.stop && !t.single).map((t) => t.word);
  return words.join('-').slice(0, 60).replace(/-+$/, '') || 'question';
}

function asQuestion(text: string): string {
  const t = text.trim().replace(/[.!?\s]+$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}?`;
}

/**
 * A mentor's answer as a new FAQ entry for curators: the asked phrasings as its aliases, the
 * mentor and the date as its source. It passes `content check` as it is; curators rewrite it.
 */
export function draftEntry(source: DraftSource, taken: Set<string>): Draft {
  let id = `mentor-${slug(source.phrasings[0] ?? source.normalized)}`;
  for (let n = 2; taken.has(id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
  taken.add(id);
  const question = asQuestion(source.phrasings[0] ?? source.normalized);
  const aliases = [...new Set(source.phrasings.map((p) => p.trim()).filter((p) => p.length <= ALIAS_MAX))].slice(0, 4);
  const keywords = tokenize(question).filter((t) => !t.stop && !t.single).map((t) => t.word).join(' ');
  for (const extra of [keywords, question]) if (aliases.length < 2 && extra && !aliases.includes(extra) && extra.length <= ALIAS_MAX) aliases.push(extra);
  const front = {
    id,
    question,
    aliases,
    tags: ['mentor-answer'],
    sources: [`Answer by mentor ${source.mentorName}, ${source.answeredAt.toISOString().slice(0, 10)}`],
  };
  return { id, markdown: `---\n${stringify(front).trimEnd()}\n---\n\n${source.answer.trim()}\n` };
}

/** Alias candidates as suggested edits, one line per phrasing, the most chosen first. */
export function aliasSuggestions(candidates: AliasCandidate[]): string {
  if (candidates.length === 0) return '';
  const lines = ['# Suggested aliases', '', 'Learners asked in these words and then chose the entry from "did you mean". Add the phrasing to its `aliases` if it fits.', ''];
  for (const c of candidates) lines.push(`- \`faq/${c.entryId}.md\`: add alias "${c.phrasing.replace(/"/g, "'")}" (chosen ${c.chosen} ${c.chosen === 1 ? 'time' : 'times'})`);
  return `${lines.join('\n')}\n`;
}
