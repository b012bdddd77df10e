import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { createFaqEngine, type IndexedFaqEngine } from '../../../src/core/faq/engine.js';
import { isKeyboardMash, looksLikeCode } from '../../../src/core/faq/junk.js';

const CONTENT = new URL('../../../content/', import.meta.url).pathname;
let engine: IndexedFaqEngine;

beforeAll(async () => {
  const content = await loadContent(CONTENT);
  engine = createFaqEngine(content.faq, content.thesaurus);
});

describe('questions with nothing to go on', () => {
  it.each(['"""', '🤖🤖🤖', '???', 'hello', 'hi there!', 'what is it?', 'asdfghjkl', 'mle', "'; drop table cohorts; --", 'SELECT * FROM users WHERE 1=1', 'if (x) { return y; }'])(
    'asks for a fuller question instead of answering %j',
    (q) => {
      const r = engine.ask(q);
      expect(r.answered).toBe(false);
      expect(r.tooVague).toBe(true);
    },
  );

  it.each(['how do I grow tomatoes on a balcony', 'how long do I boil an egg', 'how to meditate for beginners'])(
    'does not answer %j on the strength of "how" and one word an entry happens to use',
    (q) => {
      const r = engine.ask(q);
      expect(r.answered).toBe(false);
      expect(r.tooVague).toBe(false);
    },
  );

  it('never answers a single word confidently, even a rare one only an alias uses', () => {
    for (const q of ['drop', 'kubernetes', 'salary', 'pytest']) {
      const r = engine.ask(q);
      expect(r.answered, q).toBe(false);
    }
  });

  it('tells code and key mash from words', () => {
    expect(looksLikeCode('how do I write a unit test?')).toBe(false);
    expect(looksLikeCode('const x = () => { y(); };')).toBe(true);
    expect(isKeyboardMash('qwerty')).toBe(true);
    expect(isKeyboardMash('strengths')).toBe(false);
    expect(isKeyboardMash('html')).toBe(false);
  });
});

describe('plain questions', () => {
  it.each([
    ['how do I move from data science to ML engineering?', 'how-to-make-the-move'],
    ['how do I switch from data science to ML engineering?', 'how-to-make-the-move'],
    ['how do I transition from data science to ML engineering?', 'how-to-make-the-move'],
    ['where do I start', 'how-to-make-the-move'],
    ['will i take a paycut if i switch to ml eng', 'expected-raise'],
    ['how do I deploy my model', 'milestone-containerization-serving'],
    ['how do I know when my model needs retraining', 'drift-monitoring-and-retraining'],
    ['how long does the switch to MLE take?', 'how-long-does-the-move-take'],
    ['what does an ML engineer actually own in production?', 'what-mle-owns-in-production'],
  ])('answers %j with the right entry', (q, id) => {
    const r = engine.ask(q);
    expect(r).toMatchObject({ answered: true, id, tooVague: false });
  });

  it('does not let a generic alias decide for a general question', () => {
    const r = engine.ask('how do I move from DS to MLE?');
    expect(r.id === null || r.id === 'how-to-make-the-move').toBe(true);
  });
});
