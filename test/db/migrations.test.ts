import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrateDownAll, migrateToLatest } from '../../src/db/migrate.js';
import { TABLES, useTestDb } from '../helpers/db.js';

const t = useTestDb();

async function tableNames(): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name`.execute(t.db);
  return result.rows.map((r) => r.table_name);
}

describe('migrations', () => {
  it('create every table the product uses', async () => {
    expect(await tableNames()).toEqual([...TABLES].sort());
  });

  it('go all the way down and back up again', async () => {
    const down = await migrateDownAll(t.db, { schema: t.schema ?? undefined });
    expect(down).toContain('2026-11-23T0000-initial-schema');
    expect(await tableNames()).toEqual([]);
    const up = await migrateToLatest(t.db, { schema: t.schema ?? undefined });
    expect(up).toContain('2026-11-23T0000-initial-schema');
    expect(await tableNames()).toEqual([...TABLES].sort());
  });

  it('apply a migration merged later than one named after it, instead of refusing to start', async () => {
    const schema = t.schema ?? undefined;
    await migrateDownAll(t.db, { schema });
    // A database that ran every migration but 0400, as one built from a branch without it would have.
    const partial = mkdtempSync(path.join(tmpdir(), 'mentorbot-migrations-'));
    try {
      for (const f of readdirSync(MIGRATIONS_DIR)) if (!f.startsWith('2026-12-01T0400')) symlinkSync(path.join(MIGRATIONS_DIR, f), path.join(partial, f));
      expect(await migrateToLatest(t.db, { schema, dir: partial })).toContain('2026-12-01T0600-stall-queue');
      expect(await tableNames()).not.toContain('outbox_files');
      expect(await migrateToLatest(t.db, { schema })).toEqual(['2026-12-01T0400-reports']);
      expect(await tableNames()).toEqual([...TABLES].sort());
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  });

  it('are a no-op when already applied', async () => {
    expect(await migrateToLatest(t.db, { schema: t.schema ?? undefined })).toEqual([]);
  });

  it('make trigram similarity available', async () => {
    const r = await sql<{ s: number }>`select similarity('kubernetes', 'kubernets') as s`.execute(t.db);
    expect(r.rows[0]!.s).toBeGreaterThan(0.5);
  });
});
