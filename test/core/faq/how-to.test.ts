import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { createFaqEngine, type IndexedFaqEngine } from '../../../src/core/faq/engine.js';
import { tokenize } from '../../../src/core/faq/normalize.js';
import { asksHowTo } from '../../../src/core/faq/question-kind.js';
import { suggestionsFor } from '../../../src/core/faq/suggest.js';

const FIXTURE = new URL('../../fixtures/faq/', import.meta.url).pathname;
const OURS = new URL('../../../content/', import.meta.url).pathname;

async function engineFor(dir: string): Promise<IndexedFaqEngine> {
  const content = await loadContent(dir);
  return createFaqEngine(content.faq, content.thesaurus);
}

describe('a how-to question about a detail no entry covers', () => {
  let fixture: IndexedFaqEngine;
  let ours: IndexedFaqEngine;
  beforeAll(async () => {
    fixture = await engineFor(FIXTURE);
    ours = await engineFor(OURS);
  });

  it('gets "no curated answer", with the entry that only names the tool offered as "did you mean"', () => {
    for (const q of ['make my Airflow DAG run hourly', 'how do I make my airflow dag run every hour', 'how do I schedule my Airflow DAG to run hourly']) {
      const r = ours.ask(q);
      expect(r.answered, q).toBe(false);
      expect(suggestionsFor(ours, q, r).map((s) => s.id), q).toContain('orchestration-tools');
    }
  });

  it('is the same rule on any content: an entry never asked "how" does not answer how to do what it does not mention', () => {
    // docker-basics is "What should I learn about Docker?"; nothing in it is about image size.
    expect(fixture.ask('make my docker image smaller')).toMatchObject({ answered: false });
    expect(fixture.ask('how do I make my docker image build faster')).toMatchObject({ answered: false });
    // The same entry still answers what it is asked, and a how-to entry answers how-to questions.
    expect(fixture.ask('should I learn docker')).toMatchObject({ answered: true, id: 'docker-basics' });
    expect(fixture.ask('how do i set up ci for a python project')).toMatchObject({ answered: true, id: 'ci-pipeline' });
    expect(ours.ask('should I learn airflow')).toMatchObject({ answered: true, id: 'orchestration-tools' });
    expect(ours.ask('how do I pick an orchestration tool')).toMatchObject({ answered: true, id: 'orchestration-tools' });
  });

  it.each([
    ['how do I make my DAG run hourly', true],
    ['ok so how can we deploy the model', true],
    ['how to write unit tests', true],
    ['make my airflow dag run hourly', true],
    ['set up the CI pipeline', true],
    ['how long does the move take', false],
    ['how much do ML engineers earn', false],
    ['should I learn Airflow', false],
    ['which orchestration tool should I learn', false],
    ['make sense of drift metrics', false],
  ])('reads %j as asking how to do something: %s', (q, expected) => {
    expect(asksHowTo(tokenize(q))).toBe(expected);
  });
});
