import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

// Creating a PGlite and migrating it takes seconds; loading a dump of a migrated one takes
// a fraction of that, so every test file starts from this template.
export default async function setup(project: TestProject) {
  if (project.name === 'postgres') {
    // Installed once in public: if the first test file's migration installed it, it would land in
    // that file's throwaway schema and vanish with it while other files still use it.
    const admin = await createDb({ databaseUrl: process.env.TEST_DATABASE_URL!, dataDir: null, poolSize: 1 });
    await sql`create extension if not exists pg_trgm with schema public`.execute(admin.db);
    await admin.close();
    return;
  }
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
