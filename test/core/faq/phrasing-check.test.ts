import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { misplacedPhrasings } from '../../../src/core/faq/phrasing-check.js';

const contentDir = fileURLToPath(new URL('../../../content', import.meta.url));

describe('content check of phrasings', () => {
  it('passes when every question and alias of the curated content finds its own entry first', async () => {
    const content = await loadContent(contentDir);
    expect(misplacedPhrasings(content.faq, content.thesaurus)).toEqual([]);
  });

  it('names an alias that finds another entry first, with both files', async () => {
    const content = await loadContent(contentDir);
    const raise = content.faq.find((e) => e.id === 'expected-raise')!;
    const faq = content.faq.map((e) => (e.id === 'kubernetes-or-docker-first' ? { ...e, aliases: [...e.aliases, raise.question] } : e));
    const issues = misplacedPhrasings(faq, content.thesaurus);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toEqual({
      file: 'faq/kubernetes-or-docker-first.md',
      field: `aliases[${faq.find((e) => e.id === 'kubernetes-or-docker-first')!.aliases.length - 1}]`,
      message: `"${raise.question}" finds faq/expected-raise.md ("${raise.question}") first: reword it, or move it there`,
    });
  });
});
