import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// kysely's FileMigrationProvider builds import paths that vitest cannot resolve for .ts files,
// so we import each file by URL ourselves.
class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(this.dir, file)).href)) as Migration;
      migrations[file.replace(/\.(ts|js)$/, '')] = mod;
    }
    return migrations;
  }
}

export interface MigrateOptions {
  dir?: string;
  /** Keeps kysely's bookkeeping tables in this schema: its existence checks ignore search_path. */
  schema?: string;
}

function migrator(db: Kysely<unknown>, { dir = MIGRATIONS_DIR, schema }: MigrateOptions): Migrator {
  // Work merged from parallel branches can bring a migration named before one a database already
  // ran; it is applied then, not refused (each migration stands on its own).
  return new Migrator({ db, provider: new DirectoryMigrationProvider(dir), migrationTableSchema: schema, allowUnorderedMigrations: true });
}

function check(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const where = failed ? ` in ${failed.migrationName}` : '';
    throw new Error(`migration failed${where}: ${(result.error as Error).message ?? String(result.error)}`);
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<string[]> {
  return check(await migrator(db, options).migrateToLatest());
}

/** Reverts every migration; returns the names reverted. */
export async function migrateDownAll(db: Kysely<any>, options: MigrateOptions = {}): Promise<string[]> {
  const m = migrator(db, options);
  const reverted: string[] = [];
  for (;;) {
    const names = check(await m.migrateDown());
    if (names.length === 0) return reverted;
    reverted.push(...names);
  }
}
