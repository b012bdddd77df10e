import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type Db, type DbHandle } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { TABLES } from '../../src/db/tables.js';

export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';


export interface BenchDb {
  db: Db;
  handle: DbHandle;
  kind: 'postgres' | 'pglite';
  /** What the numbers were measured on, without credentials. */
  label: string;
  /** Another pool on the same schema (a second replica); PGlite has one connection, so it is shared. */
  connectAgain(poolSize?: number): Promise<Db>;
  /** The same as a handle (what a replica listens for outbox writes on); PGlite's is the one handle. */
  openAgain(poolSize?: number): Promise<DbHandle>;
  truncate(): Promise<void>;
  close(): Promise<void>;
}

export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return `${u.host}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

/**
 * BENCH_DATABASE_URL, else DATABASE_URL, else the local Postgres if it answers, else in-memory PGlite
 * (BENCH_DB=pglite forces PGlite).
 * On Postgres every run gets a schema of its own, dropped on close (and on Ctrl-C).
 */
export async function openBenchDb(opts: { poolSize?: number } = {}): Promise<BenchDb> {
  const forcePglite = process.env.BENCH_DB === 'pglite';
  const configured = forcePglite ? null : process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || null;
  const url = forcePglite ? null : (configured ?? ((await answers(LOCAL_POSTGRES)) ? LOCAL_POSTGRES : null));
  if (configured && !(await answers(configured))) throw new Error(`the database at ${withoutPassword(configured)} does not answer`);

  if (!url) {
    const handle = await createDb({ databaseUrl: null, dataDir: null });
    await migrateToLatest(handle.db);
    const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(handle.db);
    return {
      db: handle.db,
      handle,
      kind: 'pglite',
      label: `PGlite ${version.rows[0]?.v ?? ''} (in memory, one connection)`,
      connectAgain: async () => handle.db,
      openAgain: async () => handle,
      truncate: () => truncate(handle.db),
      close: () => handle.close(),
    };
  }

  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = await createDb({ databaseUrl: url, dataDir: null, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(admin.db);
  await admin.close();

  const handle = await createDb({ databaseUrl: url, dataDir: null, schema, poolSize: opts.poolSize ?? 10 });
  await migrateToLatest(handle.db, { schema });
  const extra: DbHandle[] = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const h of extra) await h.close();
    await handle.close();
    const cleanup = await createDb({ databaseUrl: url, dataDir: null, poolSize: 1 });
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(cleanup.db);
    await cleanup.close();
  };
  const openAgain = async (poolSize = opts.poolSize ?? 10): Promise<DbHandle> => {
    const h = await createDb({ databaseUrl: url, dataDir: null, schema, poolSize });
    extra.push(h);
    return h;
  };
  const onSignal = () => {
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    db: handle.db,
    handle,
    kind: 'postgres',
    label: `Postgres ${version.rows[0]?.v ?? ''} at ${withoutPassword(url)} (schema ${schema}, dropped afterwards)`,
    connectAgain: async (poolSize = opts.poolSize ?? 10) => (await openAgain(poolSize)).db,
    openAgain,
    truncate: () => truncate(handle.db),
    async close() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await close();
    },
  };
}

async function truncate(db: Db): Promise<void> {
  await sql`truncate ${sql.join(TABLES.map((t) => sql.id(t)))} restart identity cascade`.execute(db);
}
