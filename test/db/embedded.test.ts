import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/connect.js';
import { initDataDir } from '../../src/db/init-pglite.js';

// The embedded database itself: once is enough when the suite runs again on Postgres.
describe.skipIf(process.env.MENTORBOT_TEST_DB === 'postgres')('embedded PGlite in a data directory', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mentorbot-embedded-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created on first use, opened with a small shared memory, and found again', async () => {
    const dataDir = path.join(dir, 'data');
    const first = await createDb({ databaseUrl: null, dataDir });
    expect(first.created).toBe('template');
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    await sql`create table kept (id int)`.execute(first.db);
    await sql`insert into kept values (1)`.execute(first.db);
    const settings = await sql<{ name: string; setting: string }>`
      select name, setting from pg_settings where name in ('shared_buffers', 'max_connections') order by name`.execute(first.db);
    expect(settings.rows).toEqual([
      { name: 'max_connections', setting: '5' },
      { name: 'shared_buffers', setting: '2048' },
    ]);
    await first.close();

    const again = await createDb({ databaseUrl: null, dataDir });
    const rows = await sql<{ id: number }>`select id from kept`.execute(again.db);
    expect(rows.rows).toEqual([{ id: 1 }]);
    await again.close();
  }, 120_000);

  it('says what went wrong when the directory cannot hold a database', async () => {
    const notADir = path.join(dir, 'file');
    await writeFile(notADir, 'not a directory');
    // From the build's empty database, and by initdb where there is none.
    await expect(initDataDir(path.join(notADir, 'data'), [])).rejects.toThrow(/^initializing the embedded database failed: ENOTDIR/);
    await expect(initDataDir(path.join(notADir, 'data'), [], [])).rejects.toThrow(/^initializing the embedded database failed/);
  }, 120_000);
});
