import { Kysely } from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { watchOutboxPostgres, type OutboxWatch, type WatchOptions } from './outbox-watch.js';
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
  /** Wake-ups when outbox rows are written, by any replica (see outbox-watch.ts); close it before the handle. */
  watchOutbox(opts: WatchOptions): Promise<OutboxWatch>;
  close(): Promise<void>;
}

export async function createDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const connection: pg.ClientConfig = {
      connectionString: options.databaseUrl,
      // Fail fast when the server is gone, so a user hears "not saved" instead of waiting forever.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      options: options.schema ? `-c search_path=${options.schema},public` : undefined,
    };
    const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
    // A client losing its connection must not crash the process: while idle the pool drops it; while
    // checked out, its query rejects and the caller handles that. Without a listener on each client,
    // the 'error' event of a connection that dies under a query is unhandled and ends the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new SearchPathPostgresDialect({ pool }) });
    return { db, kind: 'postgres', watchOutbox: async (opts) => watchOutboxPostgres(connection, opts), close: () => db.destroy() };
  }
  // PGlite and what opens it load only for the embedded database: a bot on Postgres never parses them.
  const { openEmbedded } = await import('./embedded.js');
  return openEmbedded(options);
}
