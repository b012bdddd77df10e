import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FaqEntry } from '../../../src/content/types.js';
import { createFaqEngine, type IndexedFaqEngine } from '../../../src/core/faq/engine.js';
import { englishWords } from '../../../src/core/faq/english-words.js';
import { buildIndex, parseQuery } from '../../../src/core/faq/search-index.js';
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

  it('never takes a real English word for a misspelling of another, though the content does not use it', () => {
    const words = englishWords();
    expect(['last', 'red', 'meant', 'issues', 'hourly'].every((w) => words.has(w))).toBe(true);
    expect(['lng', 'wat', 'swich', 'diffrence', 'staus'].some((w) => words.has(w))).toBe(false);
    const speller = buildSpeller(['at least a week', 'read the docs'], words);
    expect(speller('last')).toEqual([]);
    expect(speller('red')).toEqual([]);
    expect(speller('lest')).toEqual([]);
    expect(speller('leats')).toEqual([{ word: 'least', distance: 1 }]);
  });
});

const entry = (id: string, question: string, answer: string): FaqEntry => ({ id, question, aliases: [], tags: [], sources: [], answer, file: `faq/${id}.md` });

describe("the sources' abbreviations", () => {
  const tiny = () =>
    createFaqEngine(
      [
        entry('fit', 'Is ML engineering right for me?', 'If you like owning systems in production, yes.'),
        entry('time', 'How long does the move take?', 'Six to eighteen months.'),
        entry('pay', 'Do ML engineers earn more than data scientists?', 'Usually 15 to 40 percent more.'),
        entry('paged', 'Will I be on call?', 'Most ML engineers share an on-call rotation.'),
      ],
      [
        ['mle', 'ml engineering', 'ml engineer'],
        ['on call', 'pagerduty'],
      ],
    );

  it('an abbreviation says all the words of the phrase it stands for, on any content', () => {
    const engine = tiny();
    const short = engine.ask('is MLE right for me');
    expect(short).toMatchObject({ answered: true, id: 'fit' });
    expect(short.score).toBeCloseTo(engine.ask('is ML engineering right for me').score, 1);
    // A thesaurus word no entry uses is itself, not a misspelling of something else.
    expect(engine.rank('is pagerduty part of the job', 1)[0]!.id).toBe('paged');
    const index = buildIndex([entry('paged', 'Will I be on call?', 'Most ML engineers share an on-call rotation.')], [['on call', 'pagerduty']]);
    expect(parseQuery(index, 'pagerduty').flatMap((s) => s.alternatives)).toEqual([{ term: '~0', strength: 1 }]);
  });

  it.each([
    ['how do I become an MLE', 'how-to-make-the-move'],
    ['is MLE right for me', 'is-mle-right-for-me'],
    ['SQL for MLE?', 'languages-beyond-python'],
    ['do I need CLI skills as an MLE', 'languages-beyond-python'],
    ['how comfortable should I be on the command line', 'languages-beyond-python'],
    ['how much more do MLEs make than DSs at the IC level', 'pay-difference'],
    ['what do labor statistics say about ml engineer demand', 'job-market-and-bls'],
  ])('%j finds its entry in our content', (q, id) => {
    expect(ours.ask(q)).toMatchObject({ answered: true, id });
  });
});

describe('serving a model, in everyday words', () => {
  it.each(['let others call my model', 'how do i let other people call my model', 'how can another app get predictions from my model'])('%j finds the serving milestone', (q) => {
    expect(ours.ask(q)).toMatchObject({ answered: true, id: 'milestone-containerization-serving' });
  });
});
