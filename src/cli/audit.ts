import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { formatAudit, listAudit } from '../core/audit.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export const USAGE = `usage: mentorbot audit [--cohort NAME] [--json]

  what organizers and mentors did (create, edit, skip, unskip, add, mentor, remove, pause, resume,
  acknowledge and resolve flags) and every data deletion, with who and when (UTC), oldest first`;

export interface AuditIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  db?: Db;
}

export async function run(argv: string[], io: AuditIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let values: { cohort?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { cohort: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let handle: Awaited<ReturnType<typeof createDb>> | null = null;
  if (!io.db) {
    const config = loadConfig();
    handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrateToLatest(handle.db);
  }
  const db = io.db ?? handle!.db;
  try {
    if (values.cohort !== undefined) {
      const known = await db.selectFrom('audit_log').select('id').where('cohort_name', '=', values.cohort).limit(1).executeTakeFirst();
      const exists = known ?? (await db.selectFrom('cohorts').select('id').where('name', '=', values.cohort).executeTakeFirst());
      if (!exists) {
        const names = (await db.selectFrom('cohorts').select('name').orderBy('name').execute()).map((c) => c.name);
        io.stderr.write(`No cohort is named "${values.cohort}". Cohorts: ${names.join(', ') || 'none yet'}.\n`);
        return 1;
      }
    }
    const records = await listAudit(db, values.cohort);
    if (values.json) io.stdout.write(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    else io.stdout.write(records.length > 0 ? formatAudit(records) : 'Nothing on record yet.\n');
    return 0;
  } finally {
    await handle?.close();
  }
}
