import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createDb, type Db, type DbHandle } from '../../src/db/connect.js';
import { TABLES } from '../../src/db/tables.js';
import { EMPTY_ALL_TABLES } from './fresh-database.js';
import { giveBackSchema, takeSchema } from './pg-schema-pool.js';
import { openPooledPglite } from './pglite-pool.js';

export { TABLES };

export const testDbKind = (process.env.MENTORBOT_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

export interface TestDb {
  readonly db: Db;
  readonly handle: DbHandle;
  /** Postgres only: the URL and schema, for tests that open a second connection or process. */
  readonly databaseUrl: string | null;
  readonly schema: string | null;
  reset(): Promise<void>;
  /** Opens another connection to the same database (a second replica); closed after the file. */
  connectAgain(): Promise<Db>;
  /** The same as a handle (a replica's own notifications); on PGlite, the one handle. */
  openAgain(): Promise<DbHandle>;
}

export interface OpenedTestDb extends TestDb {
  close(): Promise<void>;
}

/** The test file's path as the connections' application_name: pg_stat_activity and the server log say whose they are. */
function withApplicationName(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const file = expect.getState().testPath?.split('/test/').at(-1) ?? 'mentorbot-test';
  url.searchParams.set('application_name', file.slice(0, 63));
  return url.toString();
}

let template: Blob | undefined;
/** The migrated template (tens of MB), read once per worker (modules stay loaded between files): a Blob is immutable, each PGlite unpacks its own copy. */
function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return template;
}

/** A migrated database of its own for this test file: PGlite, or a throwaway schema on TEST_DATABASE_URL. */
export async function openTestDb(): Promise<OpenedTestDb> {
  if (testDbKind === 'postgres') {
    if (!process.env.TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    const databaseUrl = withApplicationName(process.env.TEST_DATABASE_URL);
    const pooled = await takeSchema(databaseUrl, inject('schemaPrefix'));
    const { schema } = pooled;
    const handle = await createDb({ databaseUrl, dataDir: null, schema });
    const extra: DbHandle[] = [];
    const openAgain = async () => {
      const h = await createDb({ databaseUrl, dataDir: null, schema });
      extra.push(h);
      return h;
    };
    return {
      db: handle.db,
      handle,
      databaseUrl,
      schema,
      reset: () => emptyAllTables(handle.db),
      connectAgain: async () => (await openAgain()).db,
      openAgain,
      async close() {
        for (const h of extra) await h.close();
        await handle.close();
        await giveBackSchema(databaseUrl, pooled);
      },
    };
  }
  const handle = await openPooledPglite(pgliteTemplate);
  return {
    db: handle.db,
    handle,
    databaseUrl: null,
    schema: null,
    reset: () => emptyAllTables(handle.db),
    // PGlite is one connection; a second "replica" shares it, which is what two engines in one process would do.
    connectAgain: async () => handle.db,
    openAgain: async () => handle,
    close: () => handle.close(),
  };
}

/** Registers hooks that open the file's database before its tests and drop it after. */
export function useTestDb(): TestDb {
  let current: OpenedTestDb | undefined;
  beforeAll(async () => {
    current = await openTestDb();
  });
  afterAll(async () => {
    await current?.close();
  });
  const get = () => {
    if (!current) throw new Error('useTestDb(): the database is only available inside tests and hooks');
    return current;
  };
  return {
    get db() {
      return get().db;
    },
    get handle() {
      return get().handle;
    },
    get databaseUrl() {
      return get().databaseUrl;
    },
    get schema() {
      return get().schema;
    },
    reset: () => get().reset(),
    connectAgain: () => get().connectAgain(),
    openAgain: () => get().openAgain(),
  };
}

/** Every table emptied and every sequence restarted: the database as a fresh migrated one. */
export async function emptyAllTables(db: Db): Promise<void> {
  await sql.raw(EMPTY_ALL_TABLES).execute(db);
}
