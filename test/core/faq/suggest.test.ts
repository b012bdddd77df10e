import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FaqEntry } from '../../../src/content/types.js';
import { createFaqEngine } from '../../../src/core/faq/engine.js';
import { SUGGEST_THRESHOLD, suggestionsFor } from '../../../src/core/faq/suggest.js';

const FIXTURE = new URL('../../fixtures/faq/', import.meta.url).pathname;

let entries: FaqEntry[];
let thesaurus: string[][];

beforeAll(async () => {
  ({ faq: entries, thesaurus } = await loadContent(FIXTURE));
});

describe('FAQ suggestions below the answer threshold', () => {
  it('offers the closest entries, best first, when a question is not answered', () => {
    const strict = createFaqEngine(entries, thesaurus, { threshold: 0.999 });
    const question = 'How do I prepare for the ML system design interview?';
    const result = strict.ask(question);
    expect(result.answered).toBe(false);
    expect(result.score).toBeGreaterThanOrEqual(SUGGEST_THRESHOLD);
    const offered = suggestionsFor(strict, question, result);
    expect(offered.length).toBeGreaterThanOrEqual(1);
    expect(offered.length).toBeLessThanOrEqual(2);
    expect(offered[0]).toEqual({ id: 'system-design', question: entries.find((e) => e.id === 'system-design')!.question, score: result.score });
    for (const s of offered) expect(s.score).toBeLessThanOrEqual(result.score);
  });

  it('offers nothing once the question is answered', () => {
    const engine = createFaqEngine(entries, thesaurus);
    const question = 'How do I prepare for the ML system design interview?';
    expect(suggestionsFor(engine, question, engine.ask(question))).toEqual([]);
  });

  it('offers nothing for a question that matches nothing', () => {
    const strict = createFaqEngine(entries, thesaurus, { threshold: 0.999 });
    for (const question of ['asdkjh qwe', 'best pizza in Rome', '']) {
      expect(suggestionsFor(strict, question, strict.ask(question)), question).toEqual([]);
    }
  });
});
