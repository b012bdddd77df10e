import { describe, expect, it } from 'vitest';
import type { FaqEntry } from '../../../src/content/types.js';
import { confidence, gatherEvidence, MODEL } from '../../../src/core/faq/confidence.js';
import { buildIndex, parseQuery, rankEntries } from '../../../src/core/faq/search-index.js';

const entry = (id: string, question: string, answer: string): FaqEntry => ({ id, question, aliases: [], tags: [], sources: [], answer, file: `faq/${id}.md` });

const corpus = [
  entry('mask', 'Should I wear a face mask?', 'Wear a mask in crowded indoor places; it protects others.'),
  entry('mask-outside', 'Should I be wearing a face mask to go outside?', 'Outdoors a mask matters less, unless you are in a crowd.'),
  entry('cough', 'What should I do about a cough?', 'Rest, drink water and see a doctor if it lasts.'),
  entry('travel', 'Can I travel abroad?', 'Check the advice of the country you are going to.'),
  entry('test', 'Where can I get tested?', 'Call your local health authority for a testing site.'),
  entry('symptoms', 'What are the symptoms?', 'Fever, a dry cough and tiredness are the most common.'),
];

function evidence(question: string) {
  const index = buildIndex(corpus, []);
  const slots = parseQuery(index, question);
  const ranked = rankEntries(index, slots, 8);
  return { top: index.entries[ranked[0]!.index]!.entry.id, second: index.entries[ranked[1]!.index]!.entry.id, x: gatherEvidence(index, slots, ranked)! };
}

describe('FAQ confidence evidence', () => {
  it('does not count a near-duplicate entry close behind as a sign the question was missed', () => {
    const e = evidence('do I need a face mask outside');
    expect([e.top, e.second].sort()).toEqual(['mask', 'mask-outside']);
    expect(e.x.distinctMargin).toBeGreaterThan(e.x.margin + 0.2);
  });

  it('keeps the full doubt when the entries close behind ask something else', () => {
    const e = evidence('cough when I travel');
    expect(['cough', 'travel']).toContain(e.second);
    expect(e.x.distinctMargin).toBeLessThan(e.x.margin + 0.15);
  });

  it('gives no credit for a lead built on one word found only in an answer', () => {
    const stray = evidence('crowded purple elephants');
    expect(stray.x.questionCoverage).toBe(0);
    expect(stray.x.coveredMargin).toBe(0);
    const real = evidence('should I wear a face mask');
    expect(real.x.coveredMargin).toBeGreaterThan(0);
    expect(confidence(real.x, MODEL)).toBeGreaterThan(confidence(stray.x, MODEL));
  });

  it('counts words no entry uses as a sign the question is about something else', () => {
    const known = evidence('should I wear a face mask');
    const foreign = evidence('which face mask goes with sourdough pizza');
    expect(known.x.unknown).toBe(0);
    expect(foreign.x.unknown).toBeGreaterThan(0.3);
    expect(confidence(foreign.x, MODEL)).toBeLessThan(confidence(known.x, MODEL));
  });
});
