import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { ContentError, formatIssues, loadContent } from '../content/load.js';
import { latestPostedWeek, loadHeatmap } from '../core/report/load-heatmap.js';
import { createDb } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPngRenderer } from '../render/png.js';

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
    const cohort = await handle.db.selectFrom('cohorts').selectAll().where('name', '=', values.cohort).executeTakeFirst();
    if (!cohort) {
      const names = (await handle.db.selectFrom('cohorts').select('name').orderBy('name').execute()).map((c) => c.name);
      process.stderr.write(`No cohort is named "${values.cohort}". Cohorts: ${names.join(', ') || 'none yet'}.\n`);
      return 1;
    }
    const program = content.programs.get(cohort.program_id);
    if (!program) {
      process.stderr.write(`${cohort.name} follows program "${cohort.program_id}", which is not in ${config.contentDir}.\n`);
      return 1;
    }
    const week = values.week ? Number(values.week) : await latestPostedWeek(handle.db, cohort.id);
    if (week === 0) {
      process.stderr.write(`${cohort.name} has had no round yet; give a week with --week N to draw the empty grid.\n`);
      return 1;
    }
    if (week > program.weeks.length) return fail(`${program.title} has ${program.weeks.length} weeks; --week ${week} is past its end.`);
    const data = (await loadHeatmap(handle.db, content, cohort, week, new Date(), { title: 'cohort report' }))!;
    const png = await createPngRenderer().render(data);
    mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
    writeFileSync(values.out, png);
    process.stdout.write(`${path.resolve(values.out)} (${cohort.name}, week ${week}, ${data.rows.length} learners, ${Math.round(png.length / 1024)} KB)\n`);
    return 0;
  } finally {
    await handle.close();
  }
}
