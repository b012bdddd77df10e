import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../../src/content/load.js';
import { createFaqEngine, type FaqEngine } from '../../../src/core/faq/engine.js';
import { askAndLog, findGaps, recordFeedback } from '../../../src/core/faq/log.js';
import { useTestDb } from '../../helpers/db.js';

const t = useTestDb();
const FIXTURE = new URL('../../fixtures/faq/', import.meta.url).pathname;
const NOW = new Date('2026-09-14T09:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

let engine: FaqEngine;

beforeAll(async () => {
  const content = await loadContent(FIXTURE);
  engine = createFaqEngine(content.faq, content.thesaurus);
});

beforeEach(async () => {
  await t.reset();
});

const ask = async (question: string, now = NOW, userId: string | null = 'U1') => {
  const r = await askAndLog(t.db, engine, { question, platform: 'slack', userId, cohortId: null, via: 'command', now });
  return { ...r, logId: r.logId! };
};

describe('askAndLog', () => {
  it('returns the answer and logs the question with its outcome', async () => {
    const r = await ask('Should I learn Kubernetes before Docker?');
    expect(r).toMatchObject({ answered: true, id: 'kubernetes-first' });
    const row = await t.db.selectFrom('faq_questions').selectAll().where('id', '=', r.logId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      platform: 'slack',
      user_id: 'U1',
      cohort_id: null,
      question: 'Should I learn Kubernetes before Docker?',
      via: 'command',
      matched_id: 'kubernetes-first',
      answered: true,
      feedback: null,
    });
    expect(row.score).toBeCloseTo(r.score, 5);
    expect(new Date(row.asked_at).toISOString()).toBe(NOW.toISOString());
  });

  it('logs an unanswered question with no match', async () => {
    const r = await ask('best pizza in Rome?');
    expect(r.answered).toBe(false);
    const row = await t.db.selectFrom('faq_questions').selectAll().where('id', '=', r.logId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ answered: false, matched_id: null, question: 'best pizza in Rome?' });
  });
});

describe('the question log', () => {
  it('keeps a pasted wall of text as one line of at most 300 characters', async () => {
    const blocker = `my pipeline\tfails:\n${'stack trace line about kubernetes pods '.repeat(130)}`;
    expect(blocker.length).toBeGreaterThan(5000);
    const r = await ask(blocker);
    const row = await t.db.selectFrom('faq_questions').selectAll().where('id', '=', r.logId).executeTakeFirstOrThrow();
    expect([...row.question].length).toBeLessThanOrEqual(300);
    expect(row.question).not.toMatch(/[\n\t]/);
    expect(row.question.startsWith('my pipeline fails: stack trace')).toBe(true);
    expect([...row.normalized].length).toBeLessThanOrEqual(300);
    const [gap] = await findGaps(t.db, { limit: 5 });
    expect([...gap!.question].length).toBeLessThanOrEqual(300);
  });

  it('does not log a question with nothing to go on', async () => {
    for (const q of ['"""', '🤖🤖🤖', 'hello', "'; drop table cohorts; --"]) {
      const r = await askAndLog(t.db, engine, { question: q, platform: 'slack', userId: 'U1', cohortId: null, via: 'command', now: NOW });
      expect(r).toMatchObject({ answered: false, tooVague: true, logId: null });
    }
    expect(await t.db.selectFrom('faq_questions').selectAll().execute()).toEqual([]);
  });
});

describe('recordFeedback', () => {
  it('stores the latest click and reports an unknown log id', async () => {
    const { logId } = await ask('How do I pause reminders while I am away?');
    expect(await recordFeedback(t.db, logId, 'not_helpful', minutes(1))).toBe(true);
    expect(await recordFeedback(t.db, logId, 'helpful', minutes(2))).toBe(true);
    const row = await t.db.selectFrom('faq_questions').select(['feedback', 'feedback_at']).where('id', '=', logId).executeTakeFirstOrThrow();
    expect(row.feedback).toBe('helpful');
    expect(new Date(row.feedback_at!).toISOString()).toBe(minutes(2).toISOString());
    expect(await recordFeedback(t.db, logId + 1000, 'helpful', NOW)).toBe(false);
  });
});

describe('findGaps', () => {
  it('lists unanswered and unhelpful questions grouped by wording, most frequent first', async () => {
    await ask('best pizza in Rome?', minutes(0));
    await ask('Best pizza in rome', minutes(5), 'U2');
    await ask('BEST PIZZA IN ROME!!', minutes(9), 'U3');
    await ask('how do I change a flat tire', minutes(3));
    const docker = await ask('Should I learn Kubernetes before Docker?', minutes(4));
    await recordFeedback(t.db, docker.logId, 'not_helpful', minutes(6));
    await ask('should I learn kubernetes before docker', minutes(7));
    const fine = await ask('How do I pause reminders while I am away?', minutes(8));
    await recordFeedback(t.db, fine.logId, 'helpful', minutes(8));

    const gaps = await findGaps(t.db, { limit: 10 });
    expect(gaps).toEqual([
      { question: 'BEST PIZZA IN ROME!!', asked: 3, unanswered: 3, notHelpful: 0, lastAskedAt: minutes(9) },
      { question: 'should I learn kubernetes before docker', asked: 2, unanswered: 0, notHelpful: 1, lastAskedAt: minutes(7) },
      { question: 'how do I change a flat tire', asked: 1, unanswered: 1, notHelpful: 0, lastAskedAt: minutes(3) },
    ]);
    expect(await findGaps(t.db, { limit: 1 })).toHaveLength(1);
  });

  it('is empty when every question was answered and nobody complained', async () => {
    await ask('How do I pause reminders while I am away?');
    expect(await findGaps(t.db, { limit: 10 })).toEqual([]);
  });
});
