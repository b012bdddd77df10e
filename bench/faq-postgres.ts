/**
 * The alternative to the in-memory index, measured: Postgres full-text search (OR of the query's
 * lexemes, ts_rank over question A-weighted and answer D-weighted) plus 0.5 × pg_trgm
 * word_similarity on the question, the best lexical mix in benchmarks/README.md. Runs on
 * embedded PGlite (no network hop, so a real server only adds to these latencies).
 * Run: npx tsx bench/faq-postgres.ts
 */
import { sql } from 'kysely';
import { loadContent } from '../src/content/load.js';
import type { FaqEntry } from '../src/content/types.js';
import { createDb, type Db } from '../src/db/connect.js';
import { covidFaqSet, pad } from './faq-data.js';

async function load(db: Db, entries: FaqEntry[]): Promise<void> {
  await sql`drop table if exists bench_faq`.execute(db);
  await sql`create table bench_faq (id text primary key, question text not null, answer text not null, tsv tsvector not null)`.execute(db);
  for (const e of entries) {
    await sql`insert into bench_faq values (${e.id}, ${e.question}, ${e.answer},
      setweight(to_tsvector('english', ${e.question}), 'A') || setweight(to_tsvector('english', ${e.answer}), 'D'))`.execute(db);
  }
  await sql`create index on bench_faq using gin (tsv)`.execute(db);
  await sql`create index on bench_faq using gin (question gin_trgm_ops)`.execute(db);
  await sql`analyze bench_faq`.execute(db);
}

async function rank(db: Db, question: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    with q as (
      select nullif(array_to_string(tsvector_to_array(to_tsvector('english', ${question})), ' | '), '') as text
    )
    select id from bench_faq, q
    where (q.text is not null and tsv @@ to_tsquery('english', q.text)) or ${question} <% question
    order by coalesce(ts_rank(tsv, to_tsquery('english', coalesce(q.text, ''))), 0) + 0.5 * word_similarity(${question}, question) desc, id
    limit 10`.execute(db);
  return rows.rows.map((r) => r.id);
}

const set = await covidFaqSet();
const handle = await createDb({ databaseUrl: null, dataDir: null });
try {
  await sql`create extension if not exists pg_trgm`.execute(handle.db);
  for (const size of [68, 1000]) {
    if (size > 68) await pad(set.dir, (await loadContent(set.dir, { strict: false })).faq, size);
    const content = await loadContent(set.dir, { strict: false });
    await load(handle.db, content.faq);
    let hit1 = 0;
    let mrr = 0;
    const times: number[] = [];
    for (const q of set.queries) {
      const t0 = performance.now();
      const ids = await rank(handle.db, q.question);
      times.push(performance.now() - t0);
      const at = ids.findIndex((id) => q.gold.includes(id));
      if (at === 0) hit1++;
      if (at >= 0) mrr += 1 / (at + 1);
    }
    times.sort((a, b) => a - b);
    const n = set.queries.length;
    console.log(
      `Postgres FTS OR + 0.5 trigram, ${content.faq.length} entries: Hit@1 ${(hit1 / n).toFixed(3)}  MRR@10 ${(mrr / n).toFixed(3)}  p50 ${times[Math.floor(n / 2)]!.toFixed(2)} ms  p95 ${times[Math.floor(n * 0.95)]!.toFixed(2)} ms`,
    );
  }
} finally {
  await handle.close();
  await set.cleanup();
}
