import { Kysely, type LogEvent } from 'kysely';
import { PGliteDialect } from '../../src/db/pglite-dialect.js';
import pg from 'pg';
import type { Db } from '../../src/db/connect.js';
import { SearchPathPostgresDialect } from '../../src/db/search-path-dialect.js';
import type { Database } from '../../src/db/types.js';
import type { TestDb } from './db.js';

export interface CountingDb {
  /** The test database through a connection that notes every statement sent, BEGIN and COMMIT included. */
  db: Db;
  /** The statements sent since the last `reset()`: each one is a round trip to the database. */
  readonly statements: string[];
  reset(): void;
  close(): Promise<void>;
}

/** A second handle on the test file's database whose every round trip is recorded. */
export function countingDb(t: TestDb): CountingDb {
  const statements: string[] = [];
  const log = (event: LogEvent) => {
    statements.push(event.query.sql.replace(/\s+/g, ' ').slice(0, 120));
  };
  let pool: pg.Pool | null = null;
  let db: Db;
  if (t.handle.pglite) {
    db = new Kysely<Database>({ dialect: new PGliteDialect(t.handle.pglite), log });
  } else {
    pool = new pg.Pool({ connectionString: t.databaseUrl!, max: 4, options: `-c search_path=${t.schema},public` });
    db = new Kysely<Database>({ dialect: new SearchPathPostgresDialect({ pool }), log });
  }
  return {
    db,
    statements,
    reset: () => {
      statements.length = 0;
    },
    // PGlite belongs to the test file's handle: only a pool of our own is ended here.
    close: async () => {
      if (pool) await db.destroy();
    },
  };
}
