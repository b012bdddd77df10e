import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { revokeSessions } from '../core/dashboard/signin.js';
import { parseUserKey } from '../core/learner-data.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export const USAGE = `usage: mentorbot sessions revoke [--user <platform:id>]

  ends dashboard sessions and voids unused sign-in links: everyone's, or one person's
  (slack:U0123, discord:81234 or local:maria). They sign in again with /dashboard in chat.`;

export interface SessionsIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  db?: Db;
}

export async function run(argv: string[], io: SessionsIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const fail = (message: string) => {
    io.stderr.write(`${message}\n${USAGE}\n`);
    return 2;
  };
  let values: { user?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { user: { type: 'string' } }, allowPositionals: true }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (positionals.join(' ') !== 'revoke') return fail(positionals.length ? `"${positionals.join(' ')}" is not a sessions command; use revoke.` : 'Say revoke.');
  const user = values.user === undefined ? undefined : parseUserKey(values.user);
  if (user === null) return fail(`--user "${values.user}" is not platform:id (slack:U0123, discord:81234 or local:maria).`);
  let handle: Awaited<ReturnType<typeof createDb>> | null = null;
  if (!io.db) {
    const config = loadConfig();
    handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrateToLatest(handle.db);
  }
  try {
    const ended = await revokeSessions(io.db ?? handle!.db, user);
    const who = user ? `${user.platform}:${user.userId}` : 'everyone';
    io.stdout.write(`Ended ${ended} dashboard session${ended === 1 ? '' : 's'} of ${who}; their unused sign-in links no longer work.\n`);
    return 0;
  } finally {
    await handle?.close();
  }
}
