import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely } from 'kysely';
import { PGliteDialect } from './pglite-dialect.js';
import type { DbHandle, DbOptions } from './connect.js';
import { lockEmbedded } from './embedded-lock.js';
import { initDataDir } from './init-pglite.js';
import { watchOutboxPglite } from './outbox-watch.js';
import { trimArrayParsers } from './pglite-parsers.js';
import type { Database } from './types.js';

// PGlite's defaults size shared memory for a server (128 MB of shared buffers, 100 connections), and
// most of it ends up resident: 150 MB of its WebAssembly memory at start, 26 MB with these. A bot runs
// one backend, and its working set fits in far less; pages past shared_buffers are read from the files.
//
// Statements the bot runs often stay prepared (pglite-dialect.ts); each run is still planned with its
// values, as an unnamed statement is. A generic plan would differ: ON CONFLICT on a partial unique
// index cannot match `where status <> $1`, for one.
export const STARTUP_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'max_connections=5', '-c', 'plan_cache_mode=force_custom_plan'];

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

/** Embedded PGlite in `dataDir` (created when empty, locked while open), or in memory without one. */
export async function openEmbedded(options: DbOptions): Promise<DbHandle> {
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
    await trimArrayParsers(pglite);
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
    watchOutbox: (opts) => watchOutboxPglite(db, pglite, opts),
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}
