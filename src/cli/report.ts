import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ContentError, formatIssues, loadContent } from '../content/load.js';
import { latestPostedWeek, loadHeatmap } from '../core/report/load-heatmap.js';
import type { Content } from '../content/types.js';
import type { HeatmapData } from '../core/report/heatmap.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPngRenderer } from '../render/png.js';
import { LAST_WEEK_OPEN_MS } from '../core/schedule.js';

export const USAGE = `usage: mentorbot report --cohort <name> --out <file.png> [--week N]

  renders the cohort heatmap (learners × weeks) from the configured database (DATABASE_URL, or the
  embedded one in DATA_DIR) to a PNG; --week picks the week (default: the latest posted one)`;

function fail(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  let values: { cohort?: string; out?: string; week?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { cohort: { type: 'string' }, out: { type: 'string' }, week: { type: 'string' } }, allowPositionals: false }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (!values.cohort) return fail('Name the cohort: --cohort <name>.');
  if (!values.out) return fail('Say where to write the picture: --out <file.png>.');
  if (!values.out.toLowerCase().endsWith('.png')) return fail(`--out must name a .png file, not "${values.out}".`);
  if (values.week !== undefined && !/^[1-9]\d*$/.test(values.week)) return fail(`--week must be a week number from 1, not "${values.week}".`);

  const config = loadConfig();
  let content;
  try {
    content = await loadContent(config.contentDir);
  } catch (err) {
    if (err instanceof ContentError) {
      process.stderr.write(`CONTENT_DIR=${config.contentDir}: ${formatIssues(err.issues.slice(0, 1))}\n`);
      return 1;
    }
    throw err;
  }
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    const result = await renderReport(handle.db, content, values.cohort, values.week ? Number(values.week) : null, new Date(), config.contentDir);
    if (!result.ok) {
      process.stderr.write(`${result.message}\n`);
      return result.code;
    }
    mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    writeFileSync(values.out, result.png);
    process.stdout.write(`${path.resolve(values.out)} (${result.summary})\n`);
    return 0;
  } finally {
    await handle.close();
  }
}

export type ReportResult = { ok: true; png: Uint8Array; data: HeatmapData; summary: string } | { ok: false; message: string; code: number };

/** The PNG `mentorbot report` writes, or what is wrong with the request. */
export async function renderReport(db: Db, content: Content, cohortName: string, weekAsked: number | null, now: Date, contentDir = 'content'): Promise<ReportResult> {
  const cohort = await db.selectFrom('cohorts').selectAll().where('name', '=', cohortName).executeTakeFirst();
  if (!cohort) {
    const names = (await db.selectFrom('cohorts').select('name').orderBy('name').execute()).map((c) => c.name);
    return { ok: false, code: 1, message: `No cohort is named "${cohortName}". Cohorts: ${names.join(', ') || 'none yet'}.` };
  }
  const program = content.programs.get(cohort.program_id);
  if (!program) return { ok: false, code: 1, message: `${cohort.name} follows program "${cohort.program_id}", which is not in ${contentDir}.` };
  const week = weekAsked ?? (await latestPostedWeek(db, cohort.id));
  if (week === 0) return { ok: false, code: 1, message: `${cohort.name} has had no round yet; give a week with --week N to draw the empty grid.` };
  if (week > program.weeks.length) return { ok: false, code: 2, message: `${program.title} has ${program.weeks.length} weeks; --week ${week} is past its end.\n${USAGE}` };
  // A week asked for is drawn as it stood when it closed (or now, while it is open): its answers, completions, flags and date.
  const rounds = await db.selectFrom('rounds').select(['week', 'opens_at']).where('cohort_id', '=', cohort.id).where('week', 'in', [week, week + 1]).execute();
  const own = rounds.find((r) => r.week === week);
  const next = rounds.find((r) => r.week === week + 1);
  const closedAt = next ? new Date(next.opens_at) : own && week === program.weeks.length ? new Date(new Date(own.opens_at).getTime() + LAST_WEEK_OPEN_MS) : null;
  const asOf = weekAsked !== null && closedAt && closedAt < now ? new Date(closedAt.getTime() - 1) : now;
  const data = (await loadHeatmap(db, content, cohort, week, asOf, { title: 'cohort report' }))!;
  const png = await createPngRenderer().render(data);
  return { ok: true, png, data, summary: `${cohort.name}, week ${week}, ${data.rows.length} learner${data.rows.length === 1 ? '' : 's'}, ${Math.round(png.length / 1024)} KB` };
}
