/**
 * Start: `mentorbot start` on an empty data directory (embedded PGlite) and on an empty Postgres
 * database, timed from the spawn to the first /healthz answer with the database ready, and its
 * resident set once settled. The compiled bot (dist/, what `npm start` runs) against the same
 * sources run through tsx (what `npm start` ran before the build), alternating, same run. Each is
 * the median of --runs starts (default 3). `node` is started directly: npm's own start-up (about
 * 0.35 s here) is the same for both and left out.
 *
 * Run: npx tsx bench/start.ts [--runs 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildIfStale } from '../scripts/build.js';
import { answers, LOCAL_POSTGRES } from './lib/db.js';
import { COMPILED, median, THROUGH_TSX, timeStart } from './lib/processes.js';
import { figure, heading, machineLine, ms, numberArg, summarize, table, type Figure, type SummaryRow } from './lib/report.js';

const RUNS = numberArg('--runs', 3);
const TARGET_MS = { pglite: 2500, postgres: 1500 };

interface Side {
  ms: number[];
  rss: number[];
}

async function onPostgres<T>(serverUrl: string, run: (url: string) => Promise<T>): Promise<T> {
  const name = `mentorbot_start_${randomBytes(4).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return await run(url.toString());
  } finally {
    await admin(`drop database if exists ${name} with (force)`);
  }
}

async function compare(kind: 'pglite' | 'postgres', serverUrl: string | null): Promise<{ compiled: Side; tsx: Side }> {
  const sides = { compiled: { ms: [], rss: [] } as Side, tsx: { ms: [], rss: [] } as Side };
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-start-'));
  try {
    for (let i = 0; i < RUNS; i++) {
      // Alternate which goes first, so neither always meets the machine warmer.
      const order = i % 2 === 0 ? (['compiled', 'tsx'] as const) : (['tsx', 'compiled'] as const);
      for (const which of order) {
        const runner = which === 'compiled' ? COMPILED : THROUGH_TSX;
        const started =
          kind === 'pglite'
            ? await timeStart(runner, { DATA_DIR: path.join(dir, `${which}-${i}`) })
            : await onPostgres(serverUrl!, (url) => timeStart(runner, { DATABASE_URL: url, DATA_DIR: path.join(dir, `${which}-${i}`) }));
        sides[which].ms.push(started.ms);
        sides[which].rss.push(started.rss);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return sides;
}

async function main(): Promise<void> {
  await buildIfStale();
  console.log(`start bench: mentorbot start, compiled against tsx, median of ${RUNS}; ${machineLine()}`);
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || LOCAL_POSTGRES;
  const postgres = process.env.BENCH_DB === 'pglite' || !(await answers(serverUrl)) ? null : serverUrl;

  const results: Array<['pglite' | 'postgres', { compiled: Side; tsx: Side }]> = [['pglite', await compare('pglite', null)]];
  if (postgres) results.push(['postgres', await compare('postgres', postgres)]);
  else console.log('no Postgres answers (BENCH_DATABASE_URL, DATABASE_URL or the local one): the Postgres start is left out');

  heading('empty data directory / empty database: spawn to /healthz, and resident set after it');
  const rows: SummaryRow[] = [];
  const figures: Figure[] = [];
  const lines: string[][] = [];
  for (const [kind, { compiled, tsx }] of results) {
    const [cMs, tMs, cRss, tRss] = [median(compiled.ms), median(tsx.ms), median(compiled.rss), median(tsx.rss)];
    const label = kind === 'pglite' ? 'PGlite, empty data directory' : 'Postgres, empty database';
    lines.push([label, 'compiled (dist/)', ms(cMs), `${cRss.toFixed(0)} MB`, compiled.ms.map((v) => ms(v)).join(' ')]);
    lines.push(['', 'tsx (sources)', ms(tMs), `${tRss.toFixed(0)} MB`, tsx.ms.map((v) => ms(v)).join(' ')]);
    rows.push(
      { bench: 'start', what: `ready, ${label}`, value: ms(cMs), baseline: `tsx ${ms(tMs)}`, target: `≤ ${ms(TARGET_MS[kind])}`, ok: cMs <= TARGET_MS[kind] },
      { bench: 'start', what: `RSS when ready, ${label}`, value: `${cRss.toFixed(0)} MB`, baseline: `tsx ${tRss.toFixed(0)} MB`, target: '< tsx', ok: cRss < tRss },
    );
    figures.push(
      figure('start', `ready-${kind}-empty`, cMs, 'ms', [`start/ready-${kind}-empty-tsx`, tMs]),
      figure('start', `rss-${kind}-empty`, cRss, 'MB', [`start/rss-${kind}-empty-tsx`, tRss]),
    );
  }
  console.log(table(['database', 'bot', 'ready (median)', 'resident', 'each run'], lines, [0, 1, 4]));
  summarize(rows, figures);
}

await main();
process.exit(0);
