import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { FaqEntry } from '../src/content/types.js';

export const COVIDFAQ = fileURLToPath(new URL('../../shared/benchmarks/covidfaq/query_answer_pairs.json', import.meta.url));

interface CovidRecord {
  label: number;
  query_type: 'faq' | 'user_query';
  question: string;
  answer: string;
  id: string;
}

export interface BenchQuery {
  question: string;
  /** Ids of every entry whose answer is the right one (two FAQ records share an answer). */
  gold: string[];
}

export interface BenchSet {
  dir: string;
  queries: BenchQuery[];
  /**
   * The queries as BERT-FAQ evaluates them: one per distinct user-query string, exactly as
   * written, labelled with the answers of every record (user query or FAQ) with that string.
   */
  bertFaqQueries: BenchQuery[];
  cleanup(): Promise<void>;
}

export function faqFile(id: string, question: string, answer: string, extra: Record<string, unknown> = {}): string {
  return `---\n${stringify({ id, question, ...extra }).trimEnd()}\n---\n${answer.trim()}\n`;
}

/** The CovidFAQ set as a content directory in our format, one entry per FAQ record, nothing added. */
export async function covidFaqSet(file = COVIDFAQ): Promise<BenchSet> {
  const records = JSON.parse(await readFile(file, 'utf8')) as CovidRecord[];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-covidfaq-'));
  await mkdir(path.join(dir, 'faq'));
  const byAnswer = new Map<string, string[]>();
  for (const r of records.filter((r) => r.query_type === 'faq')) {
    const id = `faq-${r.id}`;
    await writeFile(path.join(dir, 'faq', `${id}.md`), faqFile(id, r.question.trim(), r.answer));
    const key = r.answer.trim();
    byAnswer.set(key, [...(byAnswer.get(key) ?? []), id]);
  }
  const queries = records
    .filter((r) => r.query_type === 'user_query')
    .map((r) => ({ question: r.question, gold: byAnswer.get(r.answer.trim()) ?? [] }));
  if (queries.some((q) => q.gold.length === 0)) throw new Error('a user query has no FAQ record with its answer');
  const labels = new Map<string, Set<string>>();
  for (const r of records) {
    const gold = labels.get(r.question) ?? new Set<string>();
    for (const id of byAnswer.get(r.answer.trim()) ?? []) gold.add(id);
    labels.set(r.question, gold);
  }
  const bertFaqQueries = [...new Set(records.filter((r) => r.query_type === 'user_query').map((r) => r.question))].map((question) => ({
    question,
    gold: [...labels.get(question)!],
  }));
  return { dir, queries, bertFaqQueries, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic half of the queries by their text, so one phrasing never lands on both sides. */
export function isCalibrationQuery(question: string): boolean {
  let h = 2166136261;
  for (const ch of question.trim().toLowerCase()) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h % 2 === 0;
}

export async function offTopic(): Promise<string[]> {
  const file = fileURLToPath(new URL('./data/off-topic.txt', import.meta.url));
  return (await readFile(file, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** Things typed at the bot that are not questions (bench/data/junk.txt). */
export async function junk(): Promise<string[]> {
  const file = fileURLToPath(new URL('./data/junk.txt', import.meta.url));
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() && !l.startsWith('# '));
}

/** `id | question` lines; id "none" marks a question no entry answers. */
export async function questionFile(name: string): Promise<BenchQuery[]> {
  const file = fileURLToPath(new URL(`./data/${name}`, import.meta.url));
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const at = l.indexOf(' | ');
      const id = l.slice(0, at);
      return { question: l.slice(at + 3), gold: id === 'none' ? [] : [id] };
    });
}

/** A seeded generator, so the padding is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Padding entries: shuffled word mixes of the real questions and answers, never copies. */
export async function pad(dir: string, entries: FaqEntry[], total: number): Promise<void> {
  const rand = mulberry32(20261123);
  const words = (texts: string[]) => texts.flatMap((t) => t.split(/\s+/).filter((w) => /^[A-Za-z][A-Za-z'-]*[A-Za-z]$/.test(w)));
  const qWords = words(entries.map((e) => e.question));
  const aWords = words(entries.map((e) => e.answer));
  const pick = (pool: string[], n: number) => Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)]!).join(' ');
  for (let i = entries.length; i < total; i++) {
    const id = `pad-${String(i).padStart(4, '0')}`;
    const question = `${pick(qWords, 5 + Math.floor(rand() * 8))}?`;
    await writeFile(path.join(dir, 'faq', `${id}.md`), faqFile(id, question, `${pick(aWords, 40 + Math.floor(rand() * 80))}.`));
  }
}

