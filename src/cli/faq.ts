import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ContentError, loadContent } from '../content/load.js';
import { createFaqEngine } from '../core/faq/engine.js';
import { aliasSuggestions, draftEntry } from '../core/faq/drafts.js';
import { findGaps, type FaqGap } from '../core/faq/log.js';
import { aliasCandidates, mentorAnswerDrafts } from '../core/faq/mentor-answers.js';
import type { Db } from '../db/connect.js';
import { suggestionsFor, type Suggestion } from '../core/faq/suggest.js';
import type { FaqResult } from '../core/faq/types.js';
import { createDb } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export const USAGE = `usage: mentorbot faq [--content DIR] [--json] "<question>"
       mentorbot faq [--content DIR] --jsonl      (one question per line on stdin)
       mentorbot faq gaps [--limit N] [--json]    (unanswered and unhelpful questions)
       mentorbot faq drafts [--out DIR]            (mentor answers and alias candidates as entries for curators)`;

class UsageError extends Error {}

export async function run(argv: string[], io: Io = process): Promise<number> {
  const out = (text: string) => io.stdout.write(text);
  try {
    const { values, positionals } = parseOptions(argv);
    if (values.help) {
      out(`${USAGE}\n`);
      return 0;
    }
    if (positionals[0] === 'gaps') return await gaps(values, positionals.slice(1), io);
    if (positionals[0] === 'drafts') return await drafts(values, positionals.slice(1), io);
    if (values.out !== undefined) throw new UsageError('--out only applies to "faq drafts"');

    if (values.limit !== undefined) throw new UsageError('--limit only applies to "faq gaps"');
    if (values.jsonl && values.json) throw new UsageError('use --json for one question or --jsonl for many, not both');
    const question = positionals.join(' ').trim();
    if (values.jsonl && question) throw new UsageError('--jsonl reads the questions from stdin; do not pass one as an argument');
    if (!values.jsonl && !question) throw new UsageError('missing the question, e.g. mentorbot faq "how long does the move take?"');

    const dir = values.content ?? process.env.CONTENT_DIR ?? './content';
    if (!(await isDirectory(dir))) throw new UsageError(`content directory not found: ${dir}`);
    const content = await loadContent(dir, { strict: false });
    const engine = createFaqEngine(content.faq, content.thesaurus);

    if (values.jsonl) {
      const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        const result = engine.ask(line);
        out(`${JSON.stringify(publicShape(result, suggestionsFor(engine, line, result)))}\n`);
      }
      return 0;
    }
    const result = engine.ask(question);
    const suggestions = suggestionsFor(engine, question, result);
    out(values.json ? `${JSON.stringify(publicShape(result, suggestions))}\n` : humanAnswer(result, suggestions));
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`mentorbot faq: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ContentError) {
      io.stderr.write(`mentorbot faq: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        content: { type: 'string' },
        json: { type: 'boolean' },
        jsonl: { type: 'boolean' },
        limit: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    // parseArgs explains itself ("Unknown option '--x'"); keep its first sentence.
    throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Exactly the PRODUCT.md `faq --json` object, in its order. */
export function publicShape(r: FaqResult, suggestions: Suggestion[] = []) {
  return {
    answered: r.answered,
    id: r.id,
    question: r.question,
    answer: r.answer,
    score: r.score,
    sources: r.sources,
    related: r.related,
    suggestions: suggestions.map((s) => ({ id: s.id, question: s.question, score: s.score })),
  };
}

export function humanAnswer(r: FaqResult, suggestions: Suggestion[] = []): string {
  if (r.tooVague) return 'Ask me a fuller question, in a sentence, for example: "how long does the move from data science to ML engineering take?"\n';
  if (!r.answered) {
    const none = 'There is no curated answer to that question yet. Try other words, or ask your mentor.\n';
    if (suggestions.length === 0) return none;
    return `${none}\nDid you mean:\n${suggestions.map((s) => `  - ${s.question}\n`).join('')}`;
  }
  const lines = [r.question!, '', r.answer!.trim(), ''];
  if (r.sources.length > 0) lines.push('Sources:', ...r.sources.map((s) => `  - ${s}`), '');
  if (r.related.length > 0) lines.push('Related questions:', ...r.related.map((q) => `  - ${q}`), '');
  lines.push(`(confidence ${r.score.toFixed(2)})`);
  return `${lines.join('\n')}\n`;
}

async function gaps(values: Values, extra: string[], io: Io): Promise<number> {
  if (extra.length > 0) throw new UsageError(`"faq gaps" takes no question; to ask one, quote it: mentorbot faq "gaps ${extra.join(' ')}"`);
  if (values.content !== undefined || values.jsonl) throw new UsageError('"faq gaps" reads the question log in the database; --content and --jsonl do not apply');
  let limit = 20;
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1 || Number(values.limit) > 1000) {
      throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${values.limit}"`);
    }
    limit = Number(values.limit);
  }

  return withDb(async (db) => {
    const rows = await findGaps(db, { limit });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, lastAskedAt: r.lastAskedAt.toISOString() })))}\n`);
      return 0;
    }
    io.stdout.write(gapTable(rows));
    const taught = await mentorAnswerDrafts(db);
    if (taught.length > 0) {
      io.stdout.write(`\nAnswered by mentors, not yet curated (mentorbot faq drafts --out DIR):\n${taught.map((t) => `  - ${t.phrasings[0] ?? t.normalized} (${t.mentorName}, ${t.answeredAt.toISOString().slice(0, 10)})\n`).join('')}`);
    }
    const candidates = await aliasCandidates(db);
    if (candidates.length > 0) {
      io.stdout.write(`\nAlias candidates from "did you mean" choices:\n${candidates.map((c) => `  - ${c.entryId}: "${c.phrasing}" (chosen ${c.chosen}×)\n`).join('')}`);
    }
    return 0;
  });
}

async function withDb(work: (db: Db) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

/** Mentor answers as draft entries (DIR/faq/<id>.md, a content directory `content check` accepts) and alias candidates as suggested edits. */
async function drafts(values: Values, extra: string[], io: Io): Promise<number> {
  if (extra.length > 0) throw new UsageError(`"faq drafts" takes no question; to ask one, quote it: mentorbot faq "drafts ${extra.join(' ')}"`);
  if (values.content !== undefined || values.jsonl || values.json || values.limit !== undefined) throw new UsageError('"faq drafts" takes only --out DIR');
  return withDb(async (db) => {
    const taken = new Set<string>();
    const entries = (await mentorAnswerDrafts(db)).map((s) => draftEntry(s, taken));
    const suggestions = aliasSuggestions(await aliasCandidates(db));
    if (values.out === undefined) {
      for (const d of entries) io.stdout.write(`# faq/${d.id}.md\n${d.markdown}\n`);
      io.stdout.write(suggestions || (entries.length === 0 ? 'Nothing to draft: no mentor answers or alias candidates yet.\n' : ''));
      return 0;
    }
    await mkdir(path.join(values.out, 'faq'), { recursive: true });
    for (const d of entries) await writeFile(path.join(values.out, 'faq', `${d.id}.md`), d.markdown);
    if (suggestions) await writeFile(path.join(values.out, 'alias-suggestions.md'), suggestions);
    io.stdout.write(`Wrote ${entries.length} draft ${entries.length === 1 ? 'entry' : 'entries'} to ${path.join(values.out, 'faq')}${suggestions ? ` and alias suggestions to ${path.join(values.out, 'alias-suggestions.md')}` : ''}.\n`);
    return 0;
  });
}

export function gapTable(rows: FaqGap[]): string {
  if (rows.length === 0) return 'No gaps: every logged question got an answer nobody marked unhelpful.\n';
  const header = ['asked', 'unanswered', 'not helpful', 'last asked', 'question'];
  const body = rows.map((r) => [String(r.asked), String(r.unanswered), String(r.notHelpful), r.lastAskedAt.toISOString().slice(0, 16).replace('T', ' '), r.question]);
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
