import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
