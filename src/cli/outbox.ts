import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { listFailures, retryFailures } from '../core/failures.js';
import { createDb, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

export const USAGE = `usage: mentorbot outbox failed [--json]
       mentorbot outbox retry <id> | --all

  failed   messages that could not be delivered (dead) or were held back and dropped once they no
           longer made sense, each with its cohort, target and reason; --json prints one JSON array
  retry    puts a failed message (or all of them) back in the queue, to be sent again`;

export interface OutboxIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  db?: Db;
  now?: () => Date;
}

export async function run(argv: string[], io: OutboxIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [verb, ...rest] = argv;
  let values: { json?: boolean; all?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean' }, all: { type: 'boolean' } }, allowPositionals: true }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (verb !== 'failed' && verb !== 'retry') {
    io.stderr.write(`${verb ? `Unknown outbox command "${verb}".` : 'Say what to do: failed or retry.'}\n${USAGE}\n`);
    return 2;
  }
  if (verb === 'failed' && positionals.length > 0) {
    io.stderr.write(`outbox failed takes no argument ("${positionals[0]}").\n${USAGE}\n`);
    return 2;
  }
  if (verb === 'retry' && (values.all ? positionals.length > 0 : positionals.length !== 1 || !/^\d+$/.test(positionals[0]!))) {
    io.stderr.write(`outbox retry takes one message id (a number from \`outbox failed\`) or --all.\n${USAGE}\n`);
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
    if (verb === 'failed') {
      const failures = await listFailures(db);
      if (values.json) io.stdout.write(`${JSON.stringify(failures, null, 2)}\n`);
      else if (failures.length === 0) io.stdout.write('No message has failed.\n');
      else io.stdout.write(failures.map((f) => `${f.id}  ${f.at}  ${f.status}  ${f.kind} to ${f.target}${f.cohort ? ` (${f.cohort})` : ''}: ${f.reason}\n`).join(''));
      return 0;
    }
    const now = io.now?.() ?? new Date();
    const n = await retryFailures(db, values.all ? 'all' : { id: positionals[0]! }, now);
    if (n === 0) {
      io.stderr.write(values.all ? 'No failed message to retry.\n' : `Message ${positionals[0]} is not a failed message; \`mentorbot outbox failed\` lists them.\n`);
      return values.all ? 0 : 1;
    }
    io.stdout.write(`${n} message${n === 1 ? '' : 's'} queued again; the running bot sends ${n === 1 ? 'it' : 'them'} within a minute.\n`);
    return 0;
  } finally {
    await handle?.close();
  }
}
