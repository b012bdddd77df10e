import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { createFaqEngine, type IndexedFaqEngine } from '../../../src/core/faq/engine.js';
import { buildSpeller } from '../../../src/core/faq/spelling.js';

const FIXTURE = new URL('../../fixtures/faq/', import.meta.url).pathname;
const OURS = new URL('../../../content/', import.meta.url).pathname;

let fixture: IndexedFaqEngine;
let ours: IndexedFaqEngine;
beforeAll(async () => {
  for (const [dir, set] of [
    [FIXTURE, (e: IndexedFaqEngine) => (fixture = e)],
    [OURS, (e: IndexedFaqEngine) => (ours = e)],
  ] as const) {
    const content = await loadContent(dir);
    set(createFaqEngine(content.faq, content.thesaurus));
  }
});

describe('typos in short words', () => {
  it.each([
    ['how lng dose it tak', 'timeline'],
    ['how lng will the swich tak', 'timeline'],
    ['how mny mnths to swich', 'timeline'],
    ['how lng dose the transtion tak', 'timeline'],
  ])('%j finds its entry on any content', (q, id) => {
    expect(fixture.ask(q)).toMatchObject({ answered: true, id });
  });

  it.each([
    ['how lng dose the swich take', 'how-long-does-the-move-take'],
    ['hw long dose it tak to becom an mle', 'how-long-does-the-move-take'],
    ['wat is the pay diffrence', 'pay-difference'],
    ['whats the diffrence between an mlops engineer and an ml engineer', 'mlops-vs-ml-engineering'],
    ['how do i submit my weekly staus', 'mentorbot-check-in'],
  ])('%j finds its entry in our content', (q, id) => {
    expect(ours.ask(q)).toMatchObject({ answered: true, id });
  });

  it('reads a misspelt word as the nearest word the content uses: a dropped or swapped letter in a short word, the first letter kept', () => {
    const speller = buildSpeller(['how long does the move take', 'which ML eng role', 'a bad idea']);
    expect(speller('lng')).toEqual([{ word: 'long', distance: 1 }]);
    expect(speller('dose')).toEqual([{ word: 'does', distance: 1 }]);
    expect(speller('wich')).toEqual([{ word: 'which', distance: 1 }]);
    // A changed letter in a short word makes another real word as often as a typo.
    expect(speller('bar')).toEqual([]);
    expect(speller('diffrence')).toEqual([]);
    expect(buildSpeller(['the difference in pay'])('diffrence')).toEqual([{ word: 'difference', distance: 1 }]);
  });
});

describe("the sources' abbreviations", () => {
  it.each([
    ['do I need CLI skills as an MLE', 'languages-beyond-python'],
    ['how comfortable should I be on the command line', 'languages-beyond-python'],
    ['individual contributor pay gap ds vs mle', 'pay-difference'],
    ['how much more do MLEs make than DSs at the IC level', 'pay-difference'],
    ['what do labor statistics say about ml engineer demand', 'job-market-and-bls'],
    ['is bls growth for ml engineers real', 'job-market-and-bls'],
  ])('%j finds its entry', (q, id) => {
    expect(ours.ask(q)).toMatchObject({ answered: true, id });
  });
});

describe('serving a model, in everyday words', () => {
  it.each(['let others call my model', 'how do i let other people call my model', 'how can another app get predictions from my model'])('%j finds the serving milestone', (q) => {
    expect(ours.ask(q)).toMatchObject({ answered: true, id: 'milestone-containerization-serving' });
  });
});
