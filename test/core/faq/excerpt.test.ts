import { describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FaqResult } from '../../../src/core/faq/types.js';
import { answerMessage } from '../../../src/core/handlers/faq-flow.js';

function answered(answer: string): FaqResult {
  return { answered: true, id: 'x', question: 'Q?', answer, score: 0.9, sources: [], related: [], relatedIds: [], tooVague: false };
}

/** The answer as the chat reply shows it, without the " …" that marks a cut. */
function shown(answer: string): { text: string; cut: boolean } {
  const body = answerMessage(answered(answer), null, true).text.split('\n').slice(2).join('\n');
  return body.endsWith(' …') ? { text: body.slice(0, -2), cut: true } : { text: body, cut: false };
}

/** A second sentence too long to fit: the excerpt ends with the first. */
const LONG = `Then keep ${'every step small and tested, '.repeat(16)}so that you can see what broke.`;

describe('the excerpt of a long answer', () => {
  it('never ends inside a file name: "pyproject.toml" is no sentence end', () => {
    const answer = `Pin your dependencies in requirements.txt or pyproject.toml, working on branches with pull requests. ${LONG}`;
    const { text, cut } = shown(answer);
    expect(cut).toBe(true);
    expect(text).toBe('Pin your dependencies in requirements.txt or pyproject.toml, working on branches with pull requests.');
  });

  it('never ends inside a number or after an abbreviation', () => {
    const answer = `Plan for 1.5 to 2 years, e.g. three evenings a week, at a cost of $25,000 or so. ${LONG}`;
    expect(shown(answer).text).toBe('Plan for 1.5 to 2 years, e.g. three evenings a week, at a cost of $25,000 or so.');
    const initial = `See the notes by J. Smith on deployment, then start. ${LONG}`;
    expect(shown(initial).text).toBe('See the notes by J. Smith on deployment, then start.');
  });

  it('keeps a question inside an inline code span whole', () => {
    const answer = `Type \`/faq\` or mention the bot, for example \`@mentorbot how long does the move take?\`, and it replies in a thread. ${LONG}`;
    expect(shown(answer).text).toBe('Type `/faq` or mention the bot, for example `@mentorbot how long does the move take?`, and it replies in a thread.');
  });

  it('cuts a first sentence longer than the excerpt between words, never inside one', () => {
    const answer = `${'The pipeline in pyproject.toml runs 1.5 times faster with caching, '.repeat(8)}done.`;
    const { text, cut } = shown(answer);
    expect(cut).toBe(true);
    expect(text.length).toBeLessThanOrEqual(400);
    expect(answer.startsWith(text)).toBe(true);
    expect(answer[text.length]).toMatch(/[\s,]/);
    expect(text).toMatch(/ (?:runs|times|faster|with|caching|The|pipeline|in|pyproject\.toml|1\.5)$/);
  });

  it('on our own content: every excerpt is the start of its answer, ends at a sentence or between words, and skips nothing', async () => {
    const content = await loadContent(new URL('../../../content', import.meta.url).pathname);
    for (const entry of content.faq) {
      const answer = entry.answer.trim();
      const { text, cut } = shown(answer);
      expect(answer.startsWith(text), entry.id).toBe(true);
      if (!cut) continue;
      expect(answer[text.length], entry.id).toMatch(/\s/);
      expect(text.split('`').length % 2, `${entry.id}: the excerpt closes its code spans`).toBe(1);
    }
  });
});
