import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { initDataDir } from './init-pglite.js';
import { lockEmbedded } from './embedded-lock.js';
import { SearchPathPostgresDialect } from './search-path-dialect.js';
import type { Database } from './types.js';

export type Db = Kysely<Database>;

export interface DbOptions {
  databaseUrl: string | null;
  /** Where embedded PGlite keeps its files; `null` keeps it in memory. */
  dataDir: string | null;
  /** Postgres only: the schema to use (tests give each file its own). */
  schema?: string;
  /** PGlite only: start from a dump of a data directory instead of an empty one. */
  loadDataDir?: Blob;
  poolSize?: number;
}

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** The embedded instance, when there is one. */
  pglite?: PGlite;
  /** How an embedded data directory was made at this open: unpacked from the build's template, or by initdb. */
  created?: 'template' | 'initdb';
  close(): Promise<void>;
}

// PGlite's defaults size shared memory for a server (128 MB of shared buffers, 100 connections), and
// most of it ends up resident: 150 MB of its WebAssembly memory at start, 26 MB with these. A bot runs
// one backend, and its working set fits in far less; pages past shared_buffers are read from the files.
export const STARTUP_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'max_connections=5'];

/**
 * V8 compiles PGlite's WebAssembly with its baseline compiler, then again with its optimizing one for
 * the hot functions: that second copy of machine code stays resident (40 MB at start, 85 MB after the
 * stall scan over 3,000 learners), and on a small box its background compilation competes with the
 * queries for the cores. Baseline code alone ran that scan and bulk inserts as fast, within the noise
 * of two shared cores. The flag is read when a module is compiled: it applies to PGlite instances
 * created after this call, and PGlite is the only WebAssembly the bot runs.
 */
function baselineWasmOnly(): void {
  setFlagsFromString('--liftoff-only');
}

export async function createDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Fail fast when the server is gone, so a user hears "not saved" instead of waiting forever.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      options: options.schema ? `-c search_path=${options.schema},public` : undefined,
    });
    // A client losing its connection must not crash the process: while idle the pool drops it; while
    // checked out, its query rejects and the caller handles that. Without a listener on each client,
    // the 'error' event of a connection that dies under a query is unhandled and ends the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new SearchPathPostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const unlock = options.dataDir ? lockEmbedded(options.dataDir) : () => {};
  let pglite: PGlite;
  let made: Awaited<ReturnType<typeof initDataDir>> = 'exists';
  try {
    if (options.dataDir && !options.loadDataDir) made = await initDataDir(options.dataDir, STARTUP_PARAMS);
    baselineWasmOnly();
    pglite = await PGlite.create({
      dataDir: options.dataDir ?? undefined,
      extensions: { pg_trgm },
      loadDataDir: options.loadDataDir,
      startParams: STARTUP_PARAMS,
    });
  } catch (err) {
    unlock();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    created: made === 'exists' ? undefined : made,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
