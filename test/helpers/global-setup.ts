import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { createDb, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { buildIfStale } from '../../scripts/build.js';
import { dropRunSchemas } from './pg-schema-pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    schemaPrefix: string;
  }
}

// Creating a PGlite and migrating it takes seconds; loading a dump of a migrated one takes
// a fraction of that, so every embedded test database starts from this template (and a worker then
// keeps it from one file to the next: helpers/pglite-pool.ts).
export default async function setup(project: TestProject) {
  if (project.name === 'postgres') {
    // Installed once in public: if the first test file's migration installed it, it would land in
    // that file's throwaway schema and vanish with it while other files still use it.
    const admin = await createDb({ databaseUrl: process.env.TEST_DATABASE_URL!, dataDir: null, poolSize: 1 });
    await sql`create extension if not exists pg_trgm with schema public`.execute(admin.db);
    const restore = await commitWithoutWaitingForDisk(admin.db);
    await admin.close();
    // Workers keep their schemas from one file to the next (helpers/pg-schema-pool.ts); the run's
    // share this prefix and go at its end.
    const prefix = `t_${randomBytes(3).toString('hex')}_`;
    project.provide('schemaPrefix', prefix);
    return async () => {
      await dropRunSchemas(process.env.TEST_DATABASE_URL!, prefix);
      const again = await createDb({ databaseUrl: process.env.TEST_DATABASE_URL!, dataDir: null, poolSize: 1 });
      await restore(again.db);
      await again.close();
    };
  }
  // The bot processes tests start run dist/ (helpers/processes.ts): built here, once, before any file
  // runs, when the sources changed since the last build. Every run has the PGlite project.
  await buildIfStale();
  const dir = mkdtempSync(path.join(tmpdir(), 'mentorbot-test-'));
  const file = path.join(dir, 'migrated.tar');
  const handle = await createDb({ databaseUrl: null, dataDir: null });
  await migrateToLatest(handle.db);
  const dump = await handle.pglite!.dumpDataDir('none');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
  project.provide('pgliteTemplate', file);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * The suite's commits wait for no disk flush on the test database: each one waited for an fsync, a
 * file's migration and its tests' writes spent most of their time there, and nothing in the suite
 * stops the server (what is committed stays visible all the same). The database's own setting is
 * put back after the run.
 */
async function commitWithoutWaitingForDisk(db: Db): Promise<(db: Db) => Promise<void>> {
  const before = await sql<{ setting: string }>`
    select split_part(s, '=', 2) as setting
    from pg_db_role_setting, unnest(setconfig) s
    where setdatabase = (select oid from pg_database where datname = current_database()) and setrole = 0 and s like 'synchronous_commit=%'`.execute(db);
  const name = sql.id((await sql<{ db: string }>`select current_database() as db`.execute(db)).rows[0]!.db);
  await sql`alter database ${name} set synchronous_commit = off`.execute(db);
  const previous = before.rows[0]?.setting;
  return async (again) => {
    if (previous === undefined) await sql`alter database ${name} reset synchronous_commit`.execute(again);
    else await sql`alter database ${name} set synchronous_commit = ${sql.lit(previous)}`.execute(again);
  };
}
