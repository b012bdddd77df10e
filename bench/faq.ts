/**
 * FAQ engine benchmark: CovidFAQ (public) converted to our content format, asked through the same
 * engine the bot uses, side by side with a plain BM25 baseline (minisearch); then latency with the
 * corpus padded to 1,000 entries; then our own content with paraphrases written for this bench.
 * Run: npm run bench:faq
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import { loadContent } from '../src/content/load.js';
import type { FaqEntry } from '../src/content/types.js';
import { createFaqEngine } from '../src/core/faq/engine.js';
import { STOP_WORDS } from '../src/core/faq/stopwords.js';
import { covidFaqSet, isCalibrationQuery, offTopic, pad, type BenchQuery } from './faq-data.js';

interface Ranker {
  name: string;
  rank(question: string): string[];
  /** null when the method has no notion of "no answer". */
  answered?(question: string): { answered: boolean; id: string | null };
}

interface Figures {
  n: number;
  hit1: number;
  hit5: number;
  mrr10: number;
  noAnswer: number | null;
  rightWhenAnswered: number | null;
  p50: number;
  p95: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function measure(r: Ranker, queries: BenchQuery[]): Figures {
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  let unanswered = 0;
  let answeredRight = 0;
  const times: number[] = [];
  for (const q of queries) {
    const ranked = r.rank(q.question).slice(0, 10);
    const at = ranked.findIndex((id) => q.gold.includes(id));
    if (at === 0) hit1++;
    if (at >= 0 && at < 5) hit5++;
    if (at >= 0) mrr += 1 / (at + 1);
    const t0 = performance.now();
    const a = r.answered ? r.answered(q.question) : null;
    if (!r.answered) r.rank(q.question);
    times.push(performance.now() - t0);
    if (a && !a.answered) unanswered++;
    if (a?.answered && a.id && q.gold.includes(a.id)) answeredRight++;
  }
  times.sort((x, y) => x - y);
  const n = queries.length;
  const answeredCount = n - unanswered;
  return {
    n,
    hit1: hit1 / n,
    hit5: hit5 / n,
    mrr10: mrr / n,
    noAnswer: r.answered ? unanswered / n : null,
    rightWhenAnswered: r.answered ? (answeredCount ? answeredRight / answeredCount : 0) : null,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
  };
}

function engineRanker(entries: FaqEntry[], thesaurus: string[][]): Ranker {
  const engine = createFaqEngine(entries, thesaurus);
  return {
    name: 'mentorbot engine',
    rank: (q) => engine.rank(q, 10).map((r) => r.id),
    answered: (q) => engine.ask(q),
  };
}

/**
 * Plain BM25 (minisearch), fuzzy and prefix matching on. `stemmed`: Porter stemming, stop words,
 * question ×2 plus answer, as in benchmarks/README.md; otherwise minisearch's own tokenizer on the
 * question alone, which is the stronger of the two on paraphrased questions.
 */
function bm25Ranker(entries: FaqEntry[], stemmed: boolean): Ranker {
  const ms = new MiniSearch<FaqEntry>({
    fields: stemmed ? ['question', 'answer'] : ['question'],
    ...(stemmed ? { processTerm: (term: string) => (STOP_WORDS.has(term.toLowerCase()) ? null : stemmer(term.toLowerCase())) } : {}),
    searchOptions: { boost: { question: 2 }, fuzzy: 0.2, prefix: true },
  });
  ms.addAll(entries);
  return { name: 'BM25', rank: (q) => ms.search(q).map((r) => String(r.id)) };
}

function table(rows: Array<[string, Figures]>): string {
  const f = (x: number | null, digits = 3) => (x === null ? '    -' : x.toFixed(digits));
  const pct = (x: number | null) => (x === null ? '     -' : `${(100 * x).toFixed(1).padStart(5)}%`);
  const lines = [`${'method'.padEnd(22)}   n     Hit@1  Hit@5  MRR@10  no-answer  right-when-answered  p50 ms  p95 ms`];
  for (const [name, r] of rows) {
    lines.push(
      `${name.padEnd(22)} ${String(r.n).padStart(4)}   ${f(r.hit1)}  ${f(r.hit5)}  ${f(r.mrr10)}   ${pct(r.noAnswer)}     ${pct(r.rightWhenAnswered)}            ${r.p50.toFixed(3)}   ${r.p95.toFixed(3)}`,
    );
  }
  return lines.join('\n');
}

async function ownQuestions(): Promise<BenchQuery[]> {
  const file = fileURLToPath(new URL('./data/own-questions.txt', import.meta.url));
  return (await readFile(file, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [id, question] = l.split(' | ');
      return { question: question!, gold: [id!] };
    });
}

function falseAnswers(r: Ranker, questions: string[]): number {
  return questions.filter((q) => r.answered!(q).answered).length / questions.length;
}

const set = await covidFaqSet();
try {
  const content = await loadContent(set.dir, { strict: false });
  const engine = engineRanker(content.faq, content.thesaurus);
  const bm25 = bm25Ranker(content.faq, true);
  const bm25q = bm25Ranker(content.faq, false);
  for (let i = 0; i < 200; i++) engine.answered!(set.queries[i % set.queries.length]!.question);

  const heldOut = set.queries.filter((q) => !isCalibrationQuery(q.question));
  console.log(`CovidFAQ: ${content.faq.length} entries, ${set.queries.length} user queries (gold: the FAQ record with the same answer)\n`);
  console.log(table([
    ['mentorbot engine', measure(engine, set.queries)],
    ['BM25 stemmed q×2+a', measure(bm25, set.queries)],
    ['BM25 question only', measure(bm25q, set.queries)],
  ]));
  console.log(`\nheld-out half (queries never used to pick parameters or fit the confidence model):`);
  console.log(table([
    ['mentorbot engine', measure(engine, heldOut)],
    ['BM25 stemmed q×2+a', measure(bm25, heldOut)],
    ['BM25 question only', measure(bm25q, heldOut)],
  ]));
  const off = await offTopic();
  console.log(`\noff-topic questions answered anyway: ${(100 * falseAnswers(engine, off)).toFixed(1)}% of ${off.length}`);

  await pad(set.dir, content.faq, 1000);
  const padded = await loadContent(set.dir, { strict: false });
  const big = engineRanker(padded.faq, padded.thesaurus);
  for (let i = 0; i < 200; i++) big.answered!(set.queries[i % set.queries.length]!.question);
  const bigFigures = measure(big, set.queries);
  console.log(`\npadded to ${padded.faq.length} entries (shuffled word mixes of the real FAQ text):`);
  console.log(table([
    ['mentorbot engine', bigFigures],
    ['BM25 stemmed q×2+a', measure(bm25Ranker(padded.faq, true), set.queries)],
    ['BM25 question only', measure(bm25Ranker(padded.faq, false), set.queries)],
  ]));
  console.log(`p95 latency of ask() at ${padded.faq.length} entries: ${bigFigures.p95.toFixed(3)} ms (target 5 ms)`);
} finally {
  await set.cleanup();
}

const own = await loadContent(fileURLToPath(new URL('../content', import.meta.url)));
const ownQs = await ownQuestions();
const ownEngine = engineRanker(own.faq, own.thesaurus);
console.log(`\nour content: ${own.faq.length} entries, ${own.thesaurus.length} thesaurus groups, ${ownQs.length} paraphrased questions (bench/data/own-questions.txt)\n`);
console.log(table([
  ['mentorbot engine', measure(ownEngine, ownQs)],
  ['engine, no thesaurus', measure(engineRanker(own.faq, []), ownQs)],
  ['BM25 stemmed q×2+a', measure(bm25Ranker(own.faq, true), ownQs)],
  ['BM25 question only', measure(bm25Ranker(own.faq, false), ownQs)],
]));
console.log(`\noff-topic questions answered anyway: ${(100 * falseAnswers(ownEngine, await offTopic())).toFixed(1)}%`);
