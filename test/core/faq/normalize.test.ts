import { describe, expect, it } from 'vitest';
import { editDistance, FuzzyVocabulary } from '../../../src/core/faq/fuzzy.js';
import { normalizeQuestion, tokenize } from '../../../src/core/faq/normalize.js';
import { compileThesaurus } from '../../../src/core/faq/thesaurus.js';

describe('question normalization', () => {
  it('groups the same question asked with other case, punctuation, inflection and filler', () => {
    const key = normalizeQuestion('How do I deploy my models?');
    expect(normalizeQuestion('how do i deploy my model')).toBe(key);
    expect(normalizeQuestion('  HOW   do I deploy models?!  ')).toBe(key);
    expect(normalizeQuestion('how do I deploy a model to production')).not.toBe(key);
  });

  it('falls back to the words when a question is only stop words', () => {
    expect(normalizeQuestion('Is it?')).toBe('is it');
  });

  it('keeps questions of symbols apart and every key short', () => {
    expect(normalizeQuestion('"""')).not.toBe(normalizeQuestion('🤖🤖🤖'));
    expect([...normalizeQuestion('deploy '.repeat(1000))].length).toBeLessThanOrEqual(300);
  });

  it('splits digits from letters and folds accents', () => {
    expect(tokenize('COVID-19 résumé').map((t) => t.stem)).toEqual(['covid', '19', 'resum']);
    expect(tokenize('covid19').map((t) => t.word)).toEqual(['covid', '19']);
  });
});

describe('thesaurus', () => {
  const t = compileThesaurus([
    ['k8s', 'kubernetes'],
    ['mle', 'machine learning engineer'],
  ]);

  it('finds one-word and multi-word terms, whatever their inflection', () => {
    expect([...t.groupsIn(tokenize('Learning K8s'))]).toEqual([0]);
    expect([...t.groupsIn(tokenize('jobs for machine learning engineers'))]).toEqual([1]);
    expect([...t.groupsIn(tokenize('machine engineers learning'))]).toEqual([]);
  });

  it('matches nothing when empty', () => {
    expect(compileThesaurus([]).groupsIn(tokenize('kubernetes')).size).toBe(0);
  });
});

describe('typo tolerance', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    expect(editDistance('docker', 'dokcer', 2)).toBe(1);
    expect(editDistance('kubernetes', 'kubernetse', 2)).toBe(1);
    expect(editDistance('salary', 'celery', 2)).toBe(3);
  });

  it('allows one edit in a mid-length word, two in a long one, none in a short one', () => {
    const v = new FuzzyVocabulary(['retrain', 'monitor', 'orchestr', 'containeris', 'cat']);
    expect(v.nearest('retrian').map((m) => m.term)).toEqual(['retrain']);
    expect(v.nearest('contianers')).toEqual([{ term: 'containeris', distance: 2 }]);
    expect(v.nearest('cot')).toEqual([]);
    expect(v.nearest('banana')).toEqual([]);
  });
});
