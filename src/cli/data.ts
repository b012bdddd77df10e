import { createLazyPngRenderer } from '../render/lazy.js';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { loadContent } from '../content/load.js';
import type { Content } from '../content/types.js';
import { describeErasure, eraseLearner, nothingErased } from '../core/erase-learner.js';
import { collectLearnerData, isEmpty, parseUserKey, type UserKey } from '../core/learner-data.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export const USAGE = `usage: mentorbot data export --user <platform:id> [--out FILE]
       mentorbot data delete --user <platform:id> --yes

  export   everything kept about one person, as JSON (what /mydata → Download sends them); stdout unless --out
  delete   erase it, as /mydata delete does: check-ins' content and edits, breaks, FAQ questions; flags closed;
           they leave their cohorts, which keep only anonymous counts. Cannot be undone; --yes confirms.
  <platform:id> is slack:U0123, discord:81234 or local:maria`;

export interface DataIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** An open database and content (tests); otherwise from the configuration. */
  db?: Db;
  content?: Content;
  now?: Date;
}

const defaultIo = (): DataIo => ({ stdout: process.stdout, stderr: process.stderr });

export async function run(argv: string[], io: DataIo = defaultIo()): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`${message}\n${USAGE}\n`);
    return 2;
  };
  let values: { user?: string; out?: string; yes?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { user: { type: 'string' }, out: { type: 'string' }, yes: { type: 'boolean' } }, allowPositionals: true }));
  } catch (err) {
    return fail((err as Error).message);
  }
  const verb = positionals.join(' ');
  if (verb !== 'export' && verb !== 'delete') return fail(verb ? `"${verb}" is not a data command; use export or delete.` : 'Say export or delete.');
  if (!values.user) return fail('--user is required.');
  const user = parseUserKey(values.user);
  if (!user) return fail(`--user "${values.user}" is not platform:id (slack:U0123, discord:81234 or local:maria).`);
  if (verb === 'export' && values.yes) return fail('--yes goes with delete only.');
  if (verb === 'delete' && values.out) return fail('--out goes with export only.');

  const handle = io.db ? null : await openDb();
  const db = io.db ?? handle!.db;
  const now = io.now ?? new Date();
  try {
    return verb === 'export' ? await exportData(db, user, now, values.out, io) : await deleteData(db, io.content ?? (await loadContent(loadConfig().contentDir)), user, now, Boolean(values.yes), io);
  } finally {
    await handle?.close();
  }
}

async function openDb() {
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(handle.db);
  return handle;
}

const label = (u: UserKey) => `${u.platform}:${u.userId}`;

async function exportData(db: Db, user: UserKey, now: Date, out: string | undefined, io: DataIo): Promise<number> {
  const data = await collectLearnerData(db, user, now);
  if (isEmpty(data)) {
    io.stderr.write(`Nothing is kept about ${label(user)}: in no cohort, no FAQ question.\n`);
    return 1;
  }
  const json = `${JSON.stringify(data, null, 2)}\n`;
  if (!out) {
    io.stdout.write(json);
    return 0;
  }
  await writeFile(out, json);
  io.stderr.write(`Wrote ${out}: ${data.cohorts.length} cohorts, ${data.checkins.length} check-ins, ${data.faq_questions.length} FAQ questions.\n`);
  return 0;
}

async function deleteData(db: Db, content: Content, user: UserKey, now: Date, yes: boolean, io: DataIo): Promise<number> {
  if (!yes) {
    const data = await collectLearnerData(db, user, now);
    if (isEmpty(data)) {
      io.stdout.write(`Nothing is kept about ${label(user)}; nothing to delete.\n`);
      return 0;
    }
    io.stderr.write(
      `This would erase ${label(user)}'s ${data.checkins.length} check-ins, ${data.breaks.length} breaks and ${data.faq_questions.length} FAQ questions, and cannot be undone.\n` +
        `Run again with --yes to do it.\n`,
    );
    return 2;
  }
  const operator = os.userInfo().username;
  // The pictures mentors hold are redrawn without the learner.
  const summary = await eraseLearner(db, content, user, now, { platform: 'cli', userId: operator, displayName: `operator ${operator}` }, { renderer: createLazyPngRenderer() });
  if (nothingErased(summary)) {
    io.stdout.write(`Nothing is kept about ${label(user)}; nothing to delete.\n`);
    return 0;
  }
  io.stdout.write(`Deleted ${label(user)}'s data: ${describeErasure(summary)}.\n`);
  if (summary.cohorts.length > 0) io.stdout.write(`They left ${summary.cohorts.join(', ')}; the cohorts keep only anonymous counts.\n`);
  if (summary.mentoring.length > 0) io.stdout.write(`Still a mentor of ${summary.mentoring.join(', ')} (remove with /cohort remove).\n`);
  return 0;
}
