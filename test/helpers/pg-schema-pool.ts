import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { EMPTY_ALL_TABLES, fingerprintQuery } from './fresh-database.js';

/**
 * Schemas on the test Postgres a worker keeps from one file to the next. Creating and migrating a
 * schema runs some 8,000 DDL statements' worth of catalog work a file (a third of the server's CPU
 * in a run), and the migrator's advisory lock made every worker wait for the others' migrations;
 * emptying a schema a file is done with takes milliseconds. A file's connections are its own and
 * closed with it, so nothing it left running can reach the next file's rows. A schema goes back
 * only when it is again what it was fresh: every table empty, every sequence restarted, and the
 * same tables, columns, indexes, constraints, triggers and functions (a test that changed them
 * leaves its schema to be dropped). The run's schemas share a prefix; the global setup drops them
 * at the end.
 */
interface Pooled {
  schema: string;
  freshPrint: string;
}

const idle: Pooled[] = [];

async function fingerprint(db: Db, schema: string): Promise<string> {
  const { rows } = await sql.raw<{ print: string }>(fingerprintQuery(schema, { wholeDatabase: false })).execute(db);
  return rows[0]!.print;
}

/** One connection for `fn`, its search path the schema when one is named, closed after. */
async function withConnection<T>(databaseUrl: string, schema: string | null, fn: (db: Db) => Promise<T>): Promise<T> {
  const h = await createDb({ databaseUrl, dataDir: null, poolSize: 1, ...(schema ? { schema } : {}) });
  try {
    return await fn(h.db);
  } finally {
    await h.close();
  }
}

const drop = (databaseUrl: string, schema: string) => withConnection(databaseUrl, null, (db) => sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db));

/** An empty migrated schema: one this worker kept, or a new one. */
export async function takeSchema(databaseUrl: string, prefix: string): Promise<Pooled> {
  const kept = idle.pop();
  if (kept) return kept;
  const schema = `${prefix}${randomBytes(6).toString('hex')}`;
  await withConnection(databaseUrl, null, (db) => sql`create schema ${sql.id(schema)}`.execute(db));
  try {
    const freshPrint = await withConnection(databaseUrl, schema, async (db) => {
      await migrateToLatest(db, { schema });
      return fingerprint(db, schema);
    });
    return { schema, freshPrint };
  } catch (err) {
    await drop(databaseUrl, schema).catch(() => {});
    throw err;
  }
}

/** Empties a schema a file is done with (its connections closed) and keeps it, or drops it. */
export async function giveBackSchema(databaseUrl: string, pooled: Pooled): Promise<void> {
  try {
    const print = await withConnection(databaseUrl, pooled.schema, async (db) => {
      await sql.raw(EMPTY_ALL_TABLES).execute(db);
      return fingerprint(db, pooled.schema);
    });
    if (print !== pooled.freshPrint) throw new Error('the schema differs from a fresh one');
    idle.push(pooled);
  } catch {
    await drop(databaseUrl, pooled.schema);
  }
}

/** Drops every schema of a run (the global setup's teardown). */
export async function dropRunSchemas(databaseUrl: string, prefix: string): Promise<void> {
  await withConnection(databaseUrl, null, async (db) => {
    const { rows } = await sql<{ nspname: string }>`select nspname from pg_namespace where starts_with(nspname, ${prefix})`.execute(db);
    for (const { nspname } of rows) await sql`drop schema if exists ${sql.id(nspname)} cascade`.execute(db);
  });
}
