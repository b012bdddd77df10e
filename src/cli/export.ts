import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { exportCheckins, formatCheckins } from '../core/export.js';
import { createDb } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export const USAGE = 'usage: mentorbot export checkins [--cohort NAME] [--format csv|json]';

export async function run(argv: string[]): Promise<number> {
  let values: { cohort?: string; format?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { cohort: { type: 'string' }, format: { type: 'string' } }, allowPositionals: true }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (positionals.join(' ') !== 'checkins') {
    process.stderr.write(`${positionals.length ? `"${positionals.join(' ')}" cannot be exported; only checkins can.\n` : ''}${USAGE}\n`);
    return 2;
  }
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') {
    process.stderr.write(`--format must be csv or json, not "${format}"\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    if (values.cohort) {
      const found = await handle.db.selectFrom('cohorts').select('id').where('name', '=', values.cohort).executeTakeFirst();
      if (!found) {
        const names = (await handle.db.selectFrom('cohorts').select('name').orderBy('name').execute()).map((c) => c.name);
        process.stderr.write(`No cohort is named "${values.cohort}". Cohorts: ${names.join(', ') || 'none yet'}.\n`);
        return 1;
      }
    }
    const rows = await exportCheckins(handle.db, values.cohort);
    process.stdout.write(formatCheckins(rows, format));
    return 0;
  } finally {
    await handle.close();
  }
}
