import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { hostname } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/faq.js';
import { loadContent } from '../../src/content/load.js';
import { createFaqEngine } from '../../src/core/faq/engine.js';
import { askAndLog, recordFeedback } from '../../src/core/faq/log.js';
import { createDb } from '../../src/db/connect.js';
import { LOCK_FILE, lockEmbedded } from '../../src/db/embedded-lock.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const FIXTURE = new URL('../fixtures/faq/', import.meta.url).pathname;
const KEYS = ['answered', 'id', 'question', 'answer', 'score', 'sources', 'related', 'suggestions'];

async function cli(argv: string[], stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const code = await run(argv, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, out, err };
}

describe('mentorbot faq', () => {
  it('prints the answer, its sources and related questions', async () => {
    const { code, out, err } = await cli(['--content', FIXTURE, 'should I learn k8s before docker?']);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('Should I learn Kubernetes before Docker?');
    expect(out).toContain('No. Learn Docker first');
    expect(out).toContain('Sources:\n  - Career guide (MentorCruise)');
    expect(out).toMatch(/Related questions:\n {2}- .+\?/);
  });

  it('says honestly that there is no curated answer', async () => {
    const { code, out } = await cli(['--content', FIXTURE, 'best', 'pizza', 'in', 'Rome']);
    expect(code).toBe(0);
    expect(out).toBe('There is no curated answer to that question yet. Try other words, or ask your mentor.\n');
  });

  it('offers the closest questions when it is not sure enough to answer', async () => {
    const { code, out } = await cli(['--content', FIXTURE, 'my model is worse']);
    expect(code).toBe(0);
    expect(out).toMatch(/^There is no curated answer to that question yet\. Try other words, or ask your mentor\.\n\nDid you mean:\n/);
    expect(out).toContain('  - How do I know when my model needs retraining?\n');
    expect(out.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(2);
  });

  it('--json prints exactly the documented object', async () => {
    const { code, out } = await cli(['--content', FIXTURE, '--json', 'How long does the move to MLE take?']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0]!);
    expect(Object.keys(obj)).toEqual(KEYS);
    expect(obj).toMatchObject({ answered: true, id: 'timeline', sources: ['Field notes (Standout)'] });
    expect(obj.answer).toContain('six to eighteen months');
    expect(obj.score).toBeGreaterThan(0);
    expect(obj.score).toBeLessThanOrEqual(1);
    expect(obj.related.length).toBeLessThanOrEqual(2);
  });

  it('--json reports a question below the threshold as unanswered', async () => {
    const { out } = await cli(['--content', FIXTURE, '--json', 'asdkjh qwe']);
    const obj = JSON.parse(out);
    expect(Object.keys(obj)).toEqual(KEYS);
    expect(obj).toEqual({ answered: false, id: null, question: null, answer: null, score: obj.score, sources: [], related: [], suggestions: [] });
  });

  it('--json lists the "did you mean" entries with their scores when it is not sure enough', async () => {
    const { out } = await cli(['--content', FIXTURE, '--json', 'my model is worse']);
    const obj = JSON.parse(out);
    expect(obj.answered).toBe(false);
    expect(obj.suggestions.map((s: { id: string }) => s.id)).toContain('drift');
    for (const s of obj.suggestions) {
      expect(Object.keys(s)).toEqual(['id', 'question', 'score']);
      expect(s.score).toBeGreaterThan(0);
      expect(s.score).toBeLessThanOrEqual(obj.score);
    }
  });

  it('asks for a fuller question when there is nothing to go on', async () => {
    for (const q of ['"""', '🤖🤖🤖', "'; drop table cohorts; --"]) {
      const { code, out } = await cli(['--content', FIXTURE, q]);
      expect(code).toBe(0);
      expect(out).toMatch(/^Ask me a fuller question, in a sentence, for example: /);
    }
  });

  it('--jsonl answers one question per stdin line, in order', async () => {
    const { code, out } = await cli(['--content', FIXTURE, '--jsonl'], 'k8s or docker first?\nbest pizza in Rome\r\nhow do I pause reminders while away\n');
    expect(code).toBe(0);
    const objs = out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(objs.map((o) => o.id)).toEqual(['kubernetes-first', null, 'pause-reminders']);
    for (const o of objs) expect(Object.keys(o)).toEqual(KEYS);
  });

  it.each([
    [[], 'missing the question'],
    [['--content', FIXTURE], 'missing the question'],
    [['--json', '--jsonl', '--content', FIXTURE], 'not both'],
    [['--jsonl', 'a question'], 'reads the questions from stdin'],
    [['--frobnicate', 'x'], "Unknown option '--frobnicate'"],
    [['--content', '/no/such/dir', 'x'], 'content directory not found: /no/such/dir'],
    [['--limit', '3', 'x'], '--limit only applies to "faq gaps"'],
    [['gaps', '--limit', 'ten'], '--limit must be a whole number from 1 to 1000, not "ten"'],
    [['gaps', 'in', 'my', 'skills'], 'quote it: mentorbot faq "gaps in my skills"'],
  ])('rejects %j with a specific message and exit code 2', async (argv, message) => {
    const { code, out, err } = await cli(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain('usage: mentorbot faq');
  });
});

describe('mentorbot faq gaps', () => {
  let dir: string;
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-faq-gaps-'));
    process.env.DATA_DIR = dir;
    delete process.env.DATABASE_URL;
  });

  afterEach(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('lists unanswered and unhelpful questions from the log, most frequent first, then most recent', async () => {
    const content = await loadContent(FIXTURE);
    const engine = createFaqEngine(content.faq, content.thesaurus);
    const handle = await createDb({ databaseUrl: null, dataDir: dir });
    await migrateToLatest(handle.db);
    const base = { platform: 'discord', userId: '81234', cohortId: null, via: 'mention' as const };
    await askAndLog(handle.db, engine, { ...base, question: 'how do I change a flat tire', now: new Date('2026-09-01T08:00:00Z') });
    await askAndLog(handle.db, engine, { ...base, question: 'best pizza in Rome?', now: new Date('2026-09-02T08:00:00Z') });
    await askAndLog(handle.db, engine, { ...base, question: 'Best pizza in rome', now: new Date('2026-09-03T08:00:00Z') });
    const answered = await askAndLog(handle.db, engine, { ...base, question: 'How do I set up continuous integration?', now: new Date('2026-09-04T08:00:00Z') });
    await recordFeedback(handle.db, answered.logId!, 'not_helpful', new Date('2026-09-04T08:01:00Z'));
    await handle.close();

    const { code, out } = await cli(['gaps']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^asked\s+unanswered\s+not helpful\s+last asked\s+question$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['2', '2', '0', '2026-09-03 08:00', 'Best pizza in rome'],
      ['1', '0', '1', '2026-09-04 08:00', 'How do I set up continuous integration?'],
      ['1', '1', '0', '2026-09-01 08:00', 'how do I change a flat tire'],
    ]);

    const json = await cli(['gaps', '--limit', '1', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      { question: 'Best pizza in rome', asked: 2, unanswered: 2, notHelpful: 0, lastAskedAt: '2026-09-03T08:00:00.000Z' },
    ]);
    // Two embedded databases created on disk: slow when the machine is busy.
  }, 120_000);

  it('refuses while another holder has the embedded database, and names it and what to do', async () => {
    const release = lockEmbedded(dir);
    try {
      await expect(cli(['gaps'])).rejects.toThrow(
        `DATA_DIR=${dir}: the embedded database is in use by another mentorbot process (pid ${process.pid} on host ${hostname()}, since `,
      );
    } finally {
      release();
    }
    // A lock file whose holder is gone (kill -9 leaves its text behind) does not stand in the way.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(dir, LOCK_FILE), `${JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00.000Z' })}\n`);
    expect((await cli(['gaps'])).code).toBe(0);
  }, 60_000);

  it('says so when there are no gaps', async () => {
    const { code, out } = await cli(['gaps']);
    expect(code).toBe(0);
    expect(out).toContain('No gaps');
  });
});
