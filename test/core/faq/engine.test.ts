import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import type { FaqEntry } from '../../../src/content/types.js';
import { THRESHOLD } from '../../../src/core/faq/confidence.js';
import { createFaqEngine, type IndexedFaqEngine } from '../../../src/core/faq/engine.js';

const FIXTURE = new URL('../../fixtures/faq/', import.meta.url).pathname;

let entries: FaqEntry[];
let thesaurus: string[][];
let engine: IndexedFaqEngine;

beforeAll(async () => {
  const content = await loadContent(FIXTURE);
  entries = content.faq;
  thesaurus = content.thesaurus;
  engine = createFaqEngine(entries, thesaurus);
});

describe('FAQ engine ranking', () => {
  it('answers the exact question with its entry, sources and related questions', () => {
    const r = engine.ask('Do ML engineers earn more than data scientists?');
    expect(r).toMatchObject({
      answered: true,
      id: 'salary-gap',
      question: 'Do ML engineers earn more than data scientists?',
      sources: ['Salary survey (Jobs in Data)', 'Recruiter notes (CalTek Staffing)'],
    });
    expect(r.answer).toContain('15 to 40 percent');
    expect(r.score).toBeGreaterThanOrEqual(THRESHOLD);
    expect(r.score).toBeLessThanOrEqual(1);
  });

  it.each([
    ['paraphrase', 'is the pay better as an ML engineer than as a data scientist', 'salary-gap'],
    ['paraphrase of an alias', 'how many months will it take me to switch', 'timeline'],
    ['words from the answer only', 'should I use github actions and branch protection', 'ci-pipeline'],
    ['typo', 'shuld I lern kubernetse before dokcer', 'kubernetes-first'],
    ['abbreviation through the thesaurus', 'k8s before docker?', 'kubernetes-first'],
    ['multi-word thesaurus phrase', 'how long does it take to become an MLE', 'timeline'],
    ['words run together', 'when to retrain a deployedmodel', 'drift'],
  ])('finds the entry for a %s', (_kind, question, id) => {
    const r = engine.ask(question);
    expect(r.id).toBe(id);
    expect(r.answered).toBe(true);
  });

  it('owes the abbreviation match to the thesaurus, not to luck', () => {
    const bare = createFaqEngine(entries, []);
    expect(bare.rank('k8s?', 1)).toEqual([]);
    expect(engine.rank('k8s?', 1)[0]?.id).toBe('kubernetes-first');
  });

  it.each([
    'what is the best pizza in Rome',
    'asdkjh qwe',
    'who won the world cup in 2018',
    'how do I change a flat tire',
    '',
    '???',
  ])('answers honestly that there is no curated answer to %j', (question) => {
    const r = engine.ask(question);
    expect(r).toEqual({
      answered: false,
      id: null,
      question: null,
      answer: null,
      score: r.score,
      sources: [],
      related: [],
      relatedIds: [],
      tooVague: r.tooVague,
    });
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.score).toBeLessThan(THRESHOLD);
  });

  it('offers at most two related questions, never the answer itself', () => {
    for (const e of entries) {
      const r = engine.ask(e.question);
      expect(r.id).toBe(e.id);
      expect(r.related.length).toBeLessThanOrEqual(2);
      expect(r.related).not.toContain(e.question);
      expect(r.relatedIds).toHaveLength(r.related.length);
      r.relatedIds.forEach((id, i) => expect(entries.find((x) => x.id === id)?.question).toBe(r.related[i]));
    }
  });

  it('ranks each entry once, and only entries that match', () => {
    for (const e of entries) {
      for (const q of [e.question, e.answer.split('. ')[0]!]) {
        const ranked = engine.rank(q, entries.length);
        expect(new Set(ranked.map((r) => r.id)).size, q).toBe(ranked.length);
        for (const r of ranked) expect(r.score).toBeGreaterThan(0);
      }
    }
  });

  it('relates entries on the same subject', () => {
    const r = engine.ask('Should I learn Kubernetes before Docker?');
    expect(r.relatedIds).toContain('docker-basics');
  });

  it('is more confident about the exact question than about a vague one on the same subject', () => {
    const exact = engine.ask('How do I know when my model needs retraining?');
    const vague = engine.ask('model');
    expect(exact.score).toBeGreaterThan(vague.score);
  });

  it('answers exactly when the confidence reaches the threshold', () => {
    const questions = [
      'docker',
      'model',
      'interview',
      'how do I prepare for interviews',
      'away',
      'salary',
      'tests on every push',
      'what about data',
      'learn',
    ];
    for (const q of questions) {
      const r = engine.ask(q);
      expect(r.answered, q).toBe(r.score >= THRESHOLD);
    }
    const strict = createFaqEngine(entries, thesaurus, { threshold: 0.999 });
    expect(strict.ask('How do I prepare for the ML system design interview?').answered).toBe(false);
  });

  it('works with no entries and with no thesaurus', () => {
    expect(createFaqEngine([], []).ask('anything at all').answered).toBe(false);
    expect(createFaqEngine([], []).size).toBe(0);
    const bare = createFaqEngine(entries, []);
    expect(bare.size).toBe(entries.length);
    expect(bare.ask('How do I pause reminders while I am away?').id).toBe('pause-reminders');
  });

  it('looks an entry up by id for related-question buttons', () => {
    expect(engine.byId('drift')).toMatchObject({ answered: true, id: 'drift', score: 1 });
    expect(engine.byId('no-such-entry')).toBeNull();
  });

  it('ranks on the answer text of entries without aliases, tags or sources', () => {
    const plain: FaqEntry[] = [
      { id: 'a', question: 'What is COVID-19?', aliases: [], tags: [], sources: [], answer: 'A disease caused by a new coronavirus.', file: 'faq/a.md' },
      { id: 'b', question: 'Should I wear a face mask?', aliases: [], tags: [], sources: [], answer: 'Masks reduce spread.', file: 'faq/b.md' },
    ];
    const e = createFaqEngine(plain, []);
    expect(e.rank('do masks help?', 1)[0]?.id).toBe('b');
    expect(e.rank('what is covid19', 1)[0]?.id).toBe('a');
  });
});
